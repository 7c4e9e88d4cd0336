"""Paying a supplier for goods received on credit (issue 15 §2): Dr utang usaha / Cr kas (bank for QRIS and
transfer). Never more than what is still owed on the receipt; the receipt row is locked while the payment is
written, so two clerks paying at once cannot pay it twice."""
from decimal import Decimal

from flask_babel import gettext
from sqlalchemy import func, select

from app.core.errors import NotFound, ValidationFailed
from app.core.formatting import rupiah, tanggal
from app.core.money import parse_rupiah

from ..models import PAYMENT_LABELS, GoodsReceipt, SupplierPayment
from .common import SELL_ROLES, actor_name, check_day, check_key, require_role

PAY_ROLES = SELL_ROLES - {"Petugas"}


def outstanding(session, receipt):
    """What is still owed on a receipt bought on credit (zero for a cash receipt)."""
    if receipt.payment != "kredit":
        return Decimal("0.00")
    paid = session.scalar(select(func.coalesce(func.sum(SupplierPayment.amount), 0))
                          .where(SupplierPayment.receipt_id == receipt.id))
    return (Decimal(receipt.total) - Decimal(paid)).quantize(Decimal("0.01"))


def do_pay_supplier(session, *, receipt, amount, payment_date, idempotency_key, acting_user, method="tunai",
                    today=None, api=False):
    """Pay (part of) a credit receipt. Returns the SupplierPayment (the first one on a replayed key)."""
    from app.ledger.services import post_entry

    require_role(acting_user, PAY_ROLES, gettext("Hanya Sekretaris atau Pengurus yang dapat membayar pemasok."))
    receipt_id = receipt.id if isinstance(receipt, GoodsReceipt) else receipt
    try:
        receipt_id = int(receipt_id)
    except (TypeError, ValueError):
        receipt_id = None
    receipt = session.execute(select(GoodsReceipt).where(GoodsReceipt.id == receipt_id)
                              .with_for_update(of=GoodsReceipt).execution_options(populate_existing=True)
                              ).unique().scalar() if receipt_id else None
    if receipt is None:
        raise NotFound(gettext("Penerimaan barang tidak ditemukan."), "receipt")
    key = check_key(idempotency_key)
    existing = session.scalar(select(SupplierPayment).where(SupplierPayment.cooperative_id == receipt.cooperative_id,
                                                            SupplierPayment.idempotency_key == key))
    if existing is not None:
        return existing
    if receipt.payment != "kredit":
        raise ValidationFailed(gettext("Penerimaan %(n)s dibayar tunai; tidak ada utang kepada pemasok.",
                                       n=receipt.number), "receipt")
    if method not in PAYMENT_LABELS:
        raise ValidationFailed(gettext("Pilih cara bayar: tunai, QRIS atau transfer."), "method")
    coop = receipt.location.cooperative
    day = check_day(session, coop, payment_date, today)
    if day < receipt.receipt_date:
        raise ValidationFailed(gettext("Tanggal bayar tidak boleh sebelum tanggal penerimaan barang (%(d)s).",
                                       d=tanggal(receipt.receipt_date)), "date")
    value = parse_rupiah(amount, "amount", gettext("Jumlah bayar"), api=api)
    if value <= 0:
        raise ValidationFailed(gettext("Jumlah bayar harus lebih dari nol."), "amount")
    owed = outstanding(session, receipt)
    if value > owed:
        raise ValidationFailed(gettext("Sisa utang penerimaan %(n)s tinggal %(o)s; dibayar %(p)s ditolak.",
                                       n=receipt.number, o=rupiah(owed), p=rupiah(value)), "amount")
    payment = SupplierPayment(cooperative_id=coop.id, receipt_id=receipt.id, payment_date=day, amount=value,
                              method=method, idempotency_key=key, created_by=actor_name(acting_user))
    session.add(payment)
    session.flush()
    cash = "kas" if method == "tunai" else "bank"
    who = f" kepada {receipt.supplier.name}" if receipt.supplier is not None else ""
    entry = post_entry(session, cooperative_id=coop.id, entry_date=day,
                       description=f"Bayar utang penerimaan {receipt.number}{who}",
                       lines=[("utang_usaha", value, Decimal("0")), (cash, Decimal("0"), value)],
                       reference=receipt.supplier_invoice or receipt.number,
                       business_unit_id=receipt.location.business_unit_id, source_type="inv_supplier_payment",
                       source_id=payment.id, acting_user=acting_user)
    payment.journal_entry_id = entry.id
    session.flush()
    return payment
