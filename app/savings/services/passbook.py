"""The member's passbook (buku simpanan)."""
from collections import namedtuple

from sqlalchemy import select

from app.cooperatives.models import Cooperative
from app.core.audit import utcnow
from app.core.errors import DomainError, NotFound, ValidationFailed
from app.core.formatting import rupiah
from app.core.scope import unscoped

from ..models import (KIND_LABELS, MONTHS_ID, ZERO, ExitSettlement, ReceiptCounter, SavingsBalance, SavingsProduct,
                      SavingsTransaction, WajibBill, WajibRate)


PassbookLine = namedtuple("PassbookLine", "tx_date receipt_number kind direction debit credit balance kind_balance "
                                          "note correction")


def passbook(session, member_id, limit=500):
    """The member's buku simpanan: every transaction in date order with running balances (total and per kind)."""
    rows = session.execute(select(SavingsTransaction).where(SavingsTransaction.member_id == member_id)
                           .order_by(SavingsTransaction.tx_date, SavingsTransaction.id).limit(limit)).scalars()
    total, per_kind, lines = ZERO, {k: ZERO for k in KIND_LABELS}, []
    for tx in rows:
        sign = 1 if tx.direction == "setor" else -1
        total += sign * tx.amount
        per_kind[tx.kind] += sign * tx.amount
        lines.append(PassbookLine(tx.tx_date, tx.receipt_number, tx.kind_label, tx.direction_label,
                                  tx.amount if sign < 0 else None, tx.amount if sign > 0 else None, total,
                                  per_kind[tx.kind], tx.note, tx.correction_label))
    return lines
