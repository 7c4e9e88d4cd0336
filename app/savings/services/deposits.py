"""Deposits (setoran), sukarela withdrawals (penarikan) and the exit settlement."""
from flask_babel import gettext
from sqlalchemy import func, select

from app.core.errors import DomainError, ValidationFailed
from app.core.formatting import rupiah

from ..models import KIND_LABELS, ZERO, ExitSettlement, SavingsTransaction
from .bills import add_prepaid, ensure_month_billed, prepaid_wajib, settle_wajib, take_back_prepaid
from .common import (BOARD_ROLES, CASH_PURPOSE, ENDED_STATUSES, ENTRY_ROLES, KIND_PURPOSE, LOSS_PURPOSE,
                     SukarelaInsufficient, _add_to_balance, _coop, _member, _next_receipt, _replay,
                     _take_from_balance, _write, actor_name, balances, check_tx_date, parse_amount,
                     receipt_number, require_role)
from .products import product_of


def _pokok_rules(session, coop, member, amount):
    product = product_of(session, coop.id, "pokok")
    if product is None or product.amount is None:
        raise ValidationFailed(gettext("Pengurus belum menetapkan simpanan pokok koperasi ini."), "kind")
    paid = balances(session, member.id)["pokok"]
    remaining = product.amount - paid
    if remaining <= 0:
        raise ValidationFailed(gettext("Simpanan pokok anggota ini sudah lunas."), "amount")
    if amount > remaining:
        raise ValidationFailed(gettext("Simpanan pokok tinggal %(r)s.", r=rupiah(remaining)), "amount")
    count = session.execute(select(func.count(SavingsTransaction.id)).where(
        SavingsTransaction.member_id == member.id, SavingsTransaction.kind == "pokok",
        SavingsTransaction.direction == "setor", SavingsTransaction.reversed_at.is_(None),
        SavingsTransaction.reversal_of_id.is_(None))).scalar()
    if count + 1 >= product.instalments and amount != remaining:
        if product.instalments == 1:
            raise ValidationFailed(gettext("Simpanan pokok dibayar sekaligus: %(r)s.", r=rupiah(remaining)),
                                   "amount")
        raise ValidationFailed(gettext("Ini cicilan terakhir simpanan pokok (paling banyak %(n)d kali): harus "
                                       "%(r)s.", n=product.instalments, r=rupiah(remaining)), "amount")



def do_deposit(session, *, member, kind, amount, tx_date, idempotency_key, acting_user, note=None, today=None):
    """Setoran: pokok (within the product amount and its instalments), wajib (settles the oldest open bills
    first, the rest is held as prepaid wajib for the next bills; the current month is billed first) or sukarela.
    Dr kas / Cr simpanan_<kind>. Returns the SavingsTransaction (the existing one when the
    same idempotency key is replayed)."""
    require_role(acting_user, ENTRY_ROLES, gettext("Hanya Sekretaris atau Pengurus yang dapat menerima setoran."))
    member = _member(session, member)
    coop = _coop(session, member.cooperative_id)
    if kind not in KIND_LABELS:
        raise ValidationFailed(gettext("Pilih jenis simpanan."), "kind")
    amount = parse_amount(amount, "amount")
    tx_date = check_tx_date(session, coop, tx_date, today)
    key, existing = _replay(session, coop.id, idempotency_key, member, kind, "setor", amount)
    if existing is not None:
        return existing
    if member.status != "aktif" and not (kind == "pokok" and member.status == "disetujui"):
        raise ValidationFailed(gettext("Setoran hanya untuk anggota aktif (status anggota ini: %(s)s).",
                                       s=member.status_label), "member")
    if kind == "pokok":
        _pokok_rules(session, coop, member, amount)
    prepaid = ZERO
    if kind == "wajib":
        ensure_month_billed(session, coop, today)
        _parts, prepaid = settle_wajib(session, coop, member, amount, today)
    _add_to_balance(session, coop.id, member.id, kind, amount)
    if prepaid > 0:
        add_prepaid(session, member.id, prepaid)
    description = f"Setoran {KIND_LABELS[kind]} {member.member_number or ''} {member.name}".replace("  ", " ")
    return _write(session, coop, member, kind, "setor", amount, tx_date, key, note, acting_user,
                  [(CASH_PURPOSE, amount, ZERO), (KIND_PURPOSE[kind], ZERO, amount)], description)


def do_withdraw(session, *, member, kind, amount, tx_date, idempotency_key, acting_user, note=None, today=None):
    """Penarikan of simpanan sukarela (pokok and wajib only through the exit settlement). Never below zero, also
    under concurrent withdrawals. Dr simpanan_sukarela / Cr kas."""
    require_role(acting_user, ENTRY_ROLES, gettext("Hanya Sekretaris atau Pengurus yang dapat melayani penarikan."))
    member = _member(session, member)
    coop = _coop(session, member.cooperative_id)
    if kind in ("pokok", "wajib"):
        raise ValidationFailed(gettext("Simpanan pokok dan wajib hanya dikembalikan saat anggota keluar "
                                       "(penyelesaian keluar oleh Pengurus)."), "kind")
    if kind != "sukarela":
        raise ValidationFailed(gettext("Pilih jenis simpanan."), "kind")
    amount = parse_amount(amount, "amount")
    tx_date = check_tx_date(session, coop, tx_date, today)
    key, existing = _replay(session, coop.id, idempotency_key, member, kind, "tarik", amount)
    if existing is not None:
        return existing
    if not _take_from_balance(session, member.id, "sukarela", amount):
        available = balances(session, member.id)["sukarela"]
        raise SukarelaInsufficient(gettext("Saldo simpanan sukarela tidak cukup (saldo %(b)s).",
                                           b=rupiah(available)), "amount")
    description = f"Penarikan {KIND_LABELS[kind]} {member.member_number or ''} {member.name}".replace("  ", " ")
    return _write(session, coop, member, kind, "tarik", amount, tx_date, key, note, acting_user,
                  [(KIND_PURPOSE[kind], amount, ZERO), (CASH_PURPOSE, ZERO, amount)], description)


def do_exit_settlement(session, *, member, settle_date, loss_share, acting_user, note=None, today=None):
    """Pay back pokok and wajib to a member who left, less the share of losses the board entered; posts
    Dr simpanan_pokok, Dr simpanan_wajib / Cr kas (paid out), Cr shu_belum_dibagi (loss share). Pokok and wajib
    balances go to zero through two withdrawal transactions (with receipts) of one settlement."""
    from app.ledger.services import post_entry

    require_role(acting_user, BOARD_ROLES, gettext("Hanya Pengurus yang menyelesaikan simpanan anggota keluar."))
    member = _member(session, member)
    coop = _coop(session, member.cooperative_id)
    if member.status not in ENDED_STATUSES:
        raise ValidationFailed(gettext("Simpanan pokok dan wajib dikembalikan hanya setelah anggota keluar."),
                               "member")
    if session.execute(select(ExitSettlement.id).where(ExitSettlement.member_id == member.id)).first():
        raise ValidationFailed(gettext("Simpanan anggota ini sudah diselesaikan."), "member")
    settle_date = check_tx_date(session, coop, settle_date, today)
    loss = ZERO if str(loss_share if loss_share is not None else "").strip() in ("", "0") or loss_share == 0 \
        else parse_amount(loss_share, "loss_share")
    held = balances(session, member.id)
    pokok, wajib = held["pokok"], held["wajib"]
    if pokok + wajib <= 0:
        raise ValidationFailed(gettext("Anggota ini tidak punya simpanan pokok atau wajib."), "member")
    if loss > pokok + wajib:
        raise ValidationFailed(gettext("Bagian kerugian tidak boleh melebihi simpanan pokok dan wajib (%(t)s).",
                                       t=rupiah(pokok + wajib)), "loss_share")
    paid_out = pokok + wajib - loss
    take_back_prepaid(session, member.id, prepaid_wajib(session, member.id))  # all of wajib is paid back
    for kind, value in (("pokok", pokok), ("wajib", wajib)):
        if value > 0 and not _take_from_balance(session, member.id, kind, value):
            raise DomainError(gettext("Saldo berubah saat diproses; ulangi."))
    settlement = ExitSettlement(cooperative=coop, cooperative_id=coop.id, member=member, settle_date=settle_date,
                                pokok=pokok, wajib=wajib, loss_share=loss, paid_out=paid_out,
                                note=(note or "").strip()[:255] or None, created_by=actor_name(acting_user))
    session.add(settlement)
    session.flush()
    txs = []
    for kind, value in (("pokok", pokok), ("wajib", wajib)):
        if value <= 0:
            continue
        seq = _next_receipt(session, coop.id, settle_date.year)
        tx = SavingsTransaction(cooperative=coop, cooperative_id=coop.id, member=member, kind=kind,
                                direction="tarik", amount=value, tx_date=settle_date,
                                idempotency_key=f"exit-{settlement.id}-{kind}", settlement_id=settlement.id,
                                note=gettext("Pengembalian saat keluar"), created_by=actor_name(acting_user),
                                receipt_year=settle_date.year, receipt_seq=seq,
                                receipt_number=receipt_number(settle_date.year, seq))
        session.add(tx)
        txs.append(tx)
    session.flush()
    lines = [(KIND_PURPOSE[k], v, ZERO) for k, v in (("pokok", pokok), ("wajib", wajib)) if v > 0]
    if paid_out > 0:
        lines.append((CASH_PURPOSE, ZERO, paid_out, "Dibayarkan kepada anggota"))
    if loss > 0:
        lines.append((LOSS_PURPOSE, ZERO, loss, "Bagian tanggungan kerugian"))
    entry = post_entry(session, cooperative_id=coop.id, entry_date=settle_date,
                       description=f"Penyelesaian simpanan anggota keluar {member.member_number or ''} "
                                   f"{member.name}", lines=lines, source_type="exit_settlement",
                       source_id=settlement.id, acting_user=acting_user)
    settlement.journal_entry_id = entry.id
    for tx in txs:
        tx.journal_entry_id = entry.id
    session.flush()
    return settlement




def credit_sukarela(session, *, member, amount, tx_date, idempotency_key, acting_user, debit_purpose, description,
                    note=None, today=None):
    """Credit a member's simpanan sukarela from another of the cooperative's obligations to that member (e.g.
    the SHU owed after the RAT: Dr ``debit_purpose`` / Cr simpanan_sukarela), with a receipt like any deposit.
    The caller checks its own rights; the savings rules (active member, open period, idempotency) apply here."""
    member = _member(session, member)
    coop = _coop(session, member.cooperative_id)
    amount = parse_amount(amount, "amount")
    tx_date = check_tx_date(session, coop, tx_date, today)
    key, existing = _replay(session, coop.id, idempotency_key, member, "sukarela", "setor", amount)
    if existing is not None:
        return existing
    if member.status != "aktif":
        raise ValidationFailed(gettext("Setoran hanya untuk anggota aktif (status anggota ini: %(s)s).",
                                       s=member.status_label), "member")
    _add_to_balance(session, coop.id, member.id, "sukarela", amount)
    return _write(session, coop, member, "sukarela", "setor", amount, tx_date, key, note, acting_user,
                  [(debit_purpose, amount, ZERO), (KIND_PURPOSE["sukarela"], ZERO, amount)], description)
