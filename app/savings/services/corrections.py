"""Correcting a wajib rate that was billed wrongly (e.g. typed as ``10`` instead of ``10.000``).

A rate is effective-dated and never edited through its form once billed; a wrong one is corrected by the Pengurus,
with a reason, and the correction re-prices the bills still OPEN in the rate's period (from its ``valid_from`` until
the next rate starts). Bills already paid in full stay as they are: they were settled at the amount then asked.

A partly paid bill keeps what was paid: its amount becomes the corrected rate. Where what was paid is more than the
corrected rate (the rate was lowered), the bill is paid at the new amount and the excess becomes prepaid wajib, which
then pays the member's other open bills, oldest first (the money stays the member's wajib; nothing is refunded in
cash). Bills of members who left are not re-priced (they are no longer collected).
"""
from flask_babel import gettext
from sqlalchemy import select

from app.core.audit import record_event
from app.core.errors import NotFound, ValidationFailed
from app.core.formatting import rupiah

from ..models import ZERO, WajibBill, WajibRate
from .bills import add_prepaid, apply_prepaid
from .common import BOARD_ROLES, ENDED_STATUSES, _coop, parse_amount, require_role


def _reason(reason):
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationFailed(gettext("Alasan koreksi wajib diisi."), "reason")
    if len(reason) < 5:
        raise ValidationFailed(gettext("Tulis alasan koreksi dengan jelas (paling sedikit 5 huruf)."), "reason")
    return reason[:200]


def do_correct_wajib_rate(session, *, acting_user, rate, new_amount, reason):
    """Pengurus: set ``rate`` to ``new_amount`` and re-price the open bills of its period (see the module). Writes
    an audit event with the old and new amount, the reason and what changed. Returns the number of bills
    re-priced."""
    from app.members.models import Member

    require_role(acting_user, BOARD_ROLES, gettext("Hanya Pengurus yang dapat mengoreksi tarif simpanan wajib."))
    rate_id = rate.id if isinstance(rate, WajibRate) else rate
    rate = session.execute(select(WajibRate).where(WajibRate.id == rate_id).with_for_update()
                           .execution_options(populate_existing=True)).scalar() if rate_id is not None else None
    if rate is None:
        raise NotFound(gettext("Tarif simpanan wajib tidak ditemukan."), "rate")
    new = parse_amount(new_amount, "amount", gettext("Simpanan wajib per bulan"))
    reason = _reason(reason)
    old = rate.amount
    if new == old:
        raise ValidationFailed(gettext("Jumlah baru sama dengan tarif sekarang (%(a)s).", a=rupiah(old)), "amount")
    coop = _coop(session, rate.cooperative_id)
    following = session.execute(select(WajibRate.valid_from).where(
        WajibRate.cooperative_id == coop.id, WajibRate.valid_from > rate.valid_from)
        .order_by(WajibRate.valid_from).limit(1)).scalar()
    period = WajibBill.year * 100 + WajibBill.month
    stmt = (select(WajibBill).join(Member, Member.id == WajibBill.member_id)
            .where(WajibBill.cooperative_id == coop.id, WajibBill.paid_amount < WajibBill.amount,
                   WajibBill.amount == old, Member.status.notin_(ENDED_STATUSES),
                   period >= rate.valid_from.year * 100 + rate.valid_from.month)
            .order_by(WajibBill.member_id, WajibBill.year, WajibBill.month))
    if following is not None:
        stmt = stmt.where(period < following.year * 100 + following.month)
    bills = session.execute(stmt.with_for_update(of=WajibBill).execution_options(populate_existing=True)) \
        .unique().scalars().all()
    excess = {}
    for bill in bills:
        if bill.paid_amount > new:
            excess[bill.member_id] = excess.get(bill.member_id, ZERO) + bill.paid_amount - new
            bill.paid_amount = new
        bill.amount = new
    rate.amount = new
    session.flush()
    for member_id, amount in excess.items():
        add_prepaid(session, member_id, amount)
        apply_prepaid(session, member_id)
    record_event(session, "wajib_rate_correction", table_name="wajib_rate", record_id=rate.id,
                 cooperative_id=coop.id, region_code=coop.region_code,
                 details={"valid_from": rate.valid_from, "old_amount": old, "new_amount": new, "reason": reason,
                          "bills_repriced": len(bills), "to_prepaid": sum(excess.values(), ZERO)})
    session.flush()
    return len(bills)
