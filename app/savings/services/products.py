"""Savings products and the effective-dated wajib rates."""
from datetime import date

from flask_babel import gettext
from sqlalchemy import func, select

from app.cooperatives.models import Cooperative
from app.core.audit import utcnow
from app.core.errors import DomainError, NotFound, ValidationFailed
from app.core.formatting import rupiah
from app.core.scope import unscoped

from ..models import (KIND_LABELS, MONTHS_ID, ZERO, ExitSettlement, ReceiptCounter, SavingsBalance, SavingsProduct,
                      SavingsTransaction, WajibBill, WajibRate)
from .common import BOARD_ROLES, _coop, local_today, parse_amount, require_role


# -- products and rates -----------------------------------------------------------------------------------------

def check_product(product, existing=None, session=None):
    """A product: pokok needs its one amount and 1-12 instalments; one product of each kind per cooperative."""
    from app.extensions import db

    session = session or db.session
    if product.kind not in KIND_LABELS:
        raise ValidationFailed(gettext("Pilih jenis simpanan."), "kind")
    if not (product.name or "").strip():
        product.name = str(KIND_LABELS[product.kind])
    product.name = product.name.strip()[:80]
    if product.kind == "pokok" or product.amount is not None:
        product.amount = parse_amount(product.amount, "amount")
    product.instalments = int(product.instalments or 1)
    if not 1 <= product.instalments <= 12:
        raise ValidationFailed(gettext("Cicilan simpanan pokok 1 sampai 12 kali."), "instalments")
    if product.kind != "pokok" and product.instalments != 1:
        raise ValidationFailed(gettext("Cicilan hanya untuk simpanan pokok."), "instalments")
    if product.decided_on and product.decided_on > local_today(product.cooperative):
        raise ValidationFailed(gettext("Tanggal tidak boleh di masa depan."), "decided_on")
    coop_id = product.cooperative.id if product.cooperative is not None else product.cooperative_id
    stmt = select(SavingsProduct.id).where(SavingsProduct.cooperative_id == coop_id,
                                           SavingsProduct.kind == product.kind)
    if existing is not None and existing.id is not None:
        stmt = stmt.where(SavingsProduct.id != existing.id)
    if coop_id is not None and session.execute(stmt, execution_options=unscoped()).first():
        raise ValidationFailed(gettext("Koperasi ini sudah punya produk %(k)s.", k=KIND_LABELS[product.kind]),
                               "kind")
    return product


def check_rate(rate, existing=None, session=None):
    """A wajib rate starts on the first day of a month; one rate per month per cooperative."""
    from app.extensions import db

    session = session or db.session
    rate.amount = parse_amount(rate.amount, "amount")
    if rate.valid_from is None:
        raise ValidationFailed(gettext("Berlaku mulai wajib diisi."), "valid_from")
    rate.valid_from = rate.valid_from.replace(day=1)
    if rate.decided_on and rate.decided_on > local_today(rate.cooperative):
        raise ValidationFailed(gettext("Tanggal tidak boleh di masa depan."), "decided_on")
    coop_id = rate.cooperative.id if rate.cooperative is not None else rate.cooperative_id
    stmt = select(WajibRate.id).where(WajibRate.cooperative_id == coop_id, WajibRate.valid_from == rate.valid_from)
    if existing is not None and existing.id is not None:
        stmt = stmt.where(WajibRate.id != existing.id)
    if coop_id is not None and session.execute(stmt, execution_options=unscoped()).first():
        raise ValidationFailed(gettext("Sudah ada tarif yang berlaku mulai bulan itu."), "valid_from")
    if coop_id is not None:
        billed = session.execute(select(func.count(WajibBill.id)).where(
            WajibBill.cooperative_id == coop_id,
            (WajibBill.year * 100 + WajibBill.month) >= rate.valid_from.year * 100 + rate.valid_from.month),
            execution_options=unscoped()).scalar()
        if billed:
            raise ValidationFailed(gettext("Tagihan bulan itu sudah dibuat; tarif baru berlaku mulai bulan yang "
                                           "belum ditagih."), "valid_from")
    return rate


def set_product(session, cooperative_id, kind, acting_user, amount=None, instalments=1, name=None,
                decided_on=None, decision_ref=None):
    require_role(acting_user, BOARD_ROLES, gettext("Hanya Pengurus yang menetapkan produk simpanan."))
    coop = _coop(session, cooperative_id)
    product = session.execute(select(SavingsProduct).where(SavingsProduct.cooperative_id == coop.id,
                                                           SavingsProduct.kind == kind)).scalar()
    existing = product
    if product is None:
        product = SavingsProduct(cooperative=coop, kind=kind)
    product.amount, product.instalments, product.name = amount, instalments, name
    product.decided_on, product.decision_ref = decided_on, decision_ref
    with session.no_autoflush:
        check_product(product, existing, session)
    session.add(product)
    session.flush()
    return product


def set_wajib_rate(session, cooperative_id, valid_from, amount, acting_user, decided_on=None, decision_ref=None):
    require_role(acting_user, BOARD_ROLES, gettext("Hanya Pengurus yang menetapkan simpanan wajib."))
    coop = _coop(session, cooperative_id)
    rate = WajibRate(cooperative=coop, valid_from=valid_from, amount=amount, decided_on=decided_on,
                     decision_ref=decision_ref)
    with session.no_autoflush:
        check_rate(rate, None, session)
    session.add(rate)
    session.flush()
    return rate


def wajib_rate_for(session, cooperative_id, year, month):
    """The monthly wajib amount in effect in that month (None when no rate started yet)."""
    first = date(year, month, 1)
    return session.execute(select(WajibRate.amount).where(WajibRate.cooperative_id == cooperative_id,
                                                          WajibRate.valid_from <= first)
                           .order_by(WajibRate.valid_from.desc()).limit(1),
                           execution_options=unscoped()).scalar()


def product_of(session, cooperative_id, kind):
    return session.execute(select(SavingsProduct).where(SavingsProduct.cooperative_id == cooperative_id,
                                                        SavingsProduct.kind == kind)).scalar()


