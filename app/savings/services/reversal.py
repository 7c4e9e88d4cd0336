"""Reversal (koreksi) of a deposit or a sukarela withdrawal entered by mistake."""
from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.core.audit import utcnow
from app.core.errors import DomainError, NotFound, ValidationFailed
from app.core.formatting import rupiah

from ..models import KIND_LABELS, ZERO, ExitSettlement, SavingsTransaction
from .bills import take_back_prepaid, unallocate_wajib
from .common import (BOARD_ROLES, SukarelaInsufficient, _add_to_balance, _coop, _next_receipt,
                     _take_from_balance, actor_name, balances, check_tx_date, local_today, receipt_number,
                     require_role)


class AlreadyReversed(DomainError):
    """The transaction was reversed already (or is itself a reversal)."""



def reversal_of(session, transaction):
    """The transaction that reversed ``transaction`` (None when it stands)."""
    tx_id = transaction.id if isinstance(transaction, SavingsTransaction) else transaction
    return session.execute(select(SavingsTransaction).where(SavingsTransaction.reversal_of_id == tx_id)).scalar()


def do_reverse_transaction(session, *, transaction, reason, acting_user, today=None):
    """Koreksi: reverse a deposit or a sukarela withdrawal entered by mistake. Nothing is edited or deleted: a new
    transaction of the same kind in the other direction, with its own receipt number, points at the original, and
    its journal is the ledger's reversal of the original's journal (``reverse_entry``), so ledger and balances
    agree. Dated ``today`` (the cooperative's date), which must lie in an open period.

    Pengurus (or Admin) only, with a reason; once per transaction, also under concurrency (the original row is
    locked FOR UPDATE and re-read, and UNIQUE(reversal_of_id) backs it up). A sukarela deposit is reversed only
    while the balance still holds it; a wajib deposit also takes its payment back off the bills, newest first; a
    transaction of an exit settlement, a reversal, or any transaction of a member whose savings were settled is
    refused. Returns the reversing SavingsTransaction."""
    from app.ledger.services import reverse_entry

    require_role(acting_user, BOARD_ROLES, gettext("Hanya Pengurus yang dapat membatalkan (mengoreksi) transaksi "
                                                   "simpanan."))
    tx_id = transaction.id if isinstance(transaction, SavingsTransaction) else transaction
    try:
        tx_id = int(tx_id)
    except (TypeError, ValueError):
        raise NotFound(gettext("Transaksi simpanan tidak ditemukan."), "transaction") from None
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationFailed(gettext("Alasan pembatalan wajib diisi."), "reason")
    if len(reason) < 5:
        raise ValidationFailed(gettext("Tulis alasan pembatalan dengan jelas (paling sedikit 5 huruf)."), "reason")
    # The row lock first (lock order: the original, the member's balance or bills, the receipt counter, the
    # ledger): a concurrent reversal waits here and then sees reversed_at set.
    tx = session.get(SavingsTransaction, tx_id, with_for_update={"of": SavingsTransaction},
                     populate_existing=True)
    if tx is None:
        raise NotFound(gettext("Transaksi simpanan tidak ditemukan."), "transaction")
    if tx.reversal_of_id is not None:
        raise AlreadyReversed(gettext("Transaksi ini adalah koreksi atas transaksi lain dan tidak dapat dibatalkan."),
                              "transaction")
    if tx.reversed_at is not None:
        done = reversal_of(session, tx)
        raise AlreadyReversed(gettext("Transaksi ini sudah dibatalkan (kwitansi koreksi %(n)s).",
                                      n=done.receipt_number if done is not None else "-"), "transaction")
    if tx.settlement_id is not None:
        raise ValidationFailed(gettext("Transaksi ini bagian dari penyelesaian simpanan anggota keluar dan tidak "
                                       "dapat dibatalkan."), "transaction")
    if session.execute(select(ExitSettlement.id).where(ExitSettlement.member_id == tx.member_id)).first():
        raise ValidationFailed(gettext("Simpanan anggota ini sudah diselesaikan saat keluar; transaksinya tidak "
                                       "dapat dibatalkan lagi."), "transaction")
    if tx.journal_entry_id is None:
        raise DomainError(gettext("Transaksi ini tidak punya jurnal; tidak dapat dibatalkan."))
    member, coop = tx.member, _coop(session, tx.cooperative_id)
    day = check_tx_date(session, coop, today or local_today(coop), today)
    if day < tx.tx_date:
        raise ValidationFailed(gettext("Tanggal koreksi tidak boleh sebelum tanggal transaksi."), "tx_date")

    if tx.direction == "setor":
        from_prepaid = take_back_prepaid(session, member.id, tx.amount) if tx.kind == "wajib" else ZERO
        if not _take_from_balance(session, member.id, tx.kind, tx.amount):
            held = balances(session, member.id)[tx.kind]
            raise SukarelaInsufficient(gettext(
                "Setoran %(k)s ini tidak dapat dibatalkan: saldonya tinggal %(b)s, kurang dari %(a)s (sebagian "
                "sudah ditarik).", k=KIND_LABELS[tx.kind], b=rupiah(held), a=rupiah(tx.amount)), "transaction")
        if tx.kind == "wajib" and tx.amount > from_prepaid:
            unallocate_wajib(session, member.id, tx.amount - from_prepaid)
        direction = "tarik"
    else:
        if tx.kind != "sukarela":  # pokok and wajib leave only through the exit settlement (refused above)
            raise ValidationFailed(gettext("Transaksi ini tidak dapat dibatalkan."), "transaction")
        _add_to_balance(session, coop.id, member.id, tx.kind, tx.amount)
        direction = "setor"

    tx.reversed_at = utcnow()
    seq = _next_receipt(session, coop.id, day.year)
    number = receipt_number(day.year, seq)
    reversal = SavingsTransaction(cooperative=coop, cooperative_id=coop.id, member=member, kind=tx.kind,
                                  direction=direction, amount=tx.amount, tx_date=day,
                                  idempotency_key=f"koreksi-{tx.id}", reversal_of_id=tx.id,
                                  note=f"Koreksi atas {tx.receipt_number}: {reason}"[:255],
                                  created_by=actor_name(acting_user), receipt_year=day.year, receipt_seq=seq,
                                  receipt_number=number)
    session.add(reversal)
    try:
        session.flush()
    except IntegrityError:  # the unique reversal_of_id: another reversal of this transaction got in first
        raise AlreadyReversed(gettext("Transaksi ini sudah dibatalkan."), "transaction") from None
    entry = reverse_entry(session, tx.journal_entry_id, day, f"koreksi simpanan {tx.receipt_number} ({number}): "
                          f"{reason}"[:200], acting_user=acting_user, _owner="savings_transaction")
    reversal.journal_entry_id = entry.id
    session.flush()
    return reversal


