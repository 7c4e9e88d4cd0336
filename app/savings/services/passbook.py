"""The member's passbook (buku simpanan), the balances as of one transaction (receipts), and receipt prints.

Balances as of a transaction are computed, not stored: the sum of the member's transactions up to and including it
in posting order (``id``), by one aggregate over the member's rows (index ``ix_savings_tx_member`` leads with
``member_id``). Computing them keeps a single source of truth whatever path wrote the rows (forms, API, import,
reversal, exit settlement), and a later transaction, even one dated earlier, never changes what an earlier receipt
showed: a reprint is the original, marked SALINAN.
"""
from collections import namedtuple
from decimal import Decimal

from sqlalchemy import case, func, select

from app.core.audit import utcnow

from ..models import KIND_LABELS, ZERO, ReceiptPrint, SavingsTransaction
from .common import _insert

PassbookLine = namedtuple("PassbookLine", "tx_date receipt_number kind direction debit credit balance kind_balance "
                                          "note correction")


def passbook(session, member_id, limit=500):
    """The member's buku simpanan: every transaction in posting order with the running balances (total and per
    kind) after it, the same figures its receipt shows."""
    rows = session.execute(select(SavingsTransaction).where(SavingsTransaction.member_id == member_id)
                           .order_by(SavingsTransaction.id).limit(limit)).scalars()
    total, per_kind, lines = ZERO, {k: ZERO for k in KIND_LABELS}, []
    for tx in rows:
        sign = 1 if tx.direction == "setor" else -1
        total += sign * tx.amount
        per_kind[tx.kind] += sign * tx.amount
        lines.append(PassbookLine(tx.tx_date, tx.receipt_number, tx.kind_label, tx.direction_label,
                                  tx.amount if sign < 0 else None, tx.amount if sign > 0 else None, total,
                                  per_kind[tx.kind], tx.note, tx.correction_label))
    return lines


def balances_after(session, transaction):
    """{kind: balance} of the member right after ``transaction`` (posting order), as its receipt shows them."""
    signed = case((SavingsTransaction.direction == "setor", SavingsTransaction.amount),
                  else_=-SavingsTransaction.amount)
    rows = session.execute(select(SavingsTransaction.kind, func.sum(signed))
                           .where(SavingsTransaction.member_id == transaction.member_id,
                                  SavingsTransaction.id <= transaction.id)
                           .group_by(SavingsTransaction.kind)).all()
    out = {k: ZERO for k in KIND_LABELS}
    out.update({k: Decimal(v or 0).quantize(Decimal("0.01")) for k, v in rows})
    return out


def print_count(session, transaction):
    """How many times the receipt was printed so far (0: never)."""
    return session.execute(select(ReceiptPrint.print_count).where(
        ReceiptPrint.transaction_id == transaction.id)).scalar() or 0


def record_print(session, transaction):
    """Count one print of the receipt (atomic upsert); returns how many times it has now been printed (1 = the
    original, 2 and more = SALINAN)."""
    table = ReceiptPrint.__table__
    now = utcnow()
    stmt = _insert(session, table).values(transaction_id=transaction.id, print_count=1, first_printed_at=now,
                                          last_printed_at=now)
    stmt = stmt.on_conflict_do_update(index_elements=["transaction_id"],
                                      set_={"print_count": table.c.print_count + 1, "last_printed_at": now})
    return session.execute(stmt.returning(table.c.print_count)).scalar_one()
