"""Monthly wajib bills: generating them, settling and unsettling payments on them, arrears and reminders."""
import re
from calendar import monthrange
from collections import namedtuple
from datetime import date
from decimal import Decimal
from urllib.parse import quote

from flask_babel import gettext
from sqlalchemy import func, select

from app.cooperatives.models import Cooperative
from app.core.audit import utcnow
from app.core.errors import DomainError, NotFound, ValidationFailed
from app.core.formatting import rupiah
from app.core.scope import unscoped

from ..models import (KIND_LABELS, MONTHS_ID, ZERO, ExitSettlement, ReceiptCounter, SavingsBalance, SavingsProduct,
                      SavingsTransaction, WajibBill, WajibRate)
from .common import BOARD_ROLES, ENDED_STATUSES, _coop, local_today, require_role
from .products import wajib_rate_for


# -- bills ------------------------------------------------------------------------------------------------------

def _check_month(year, month):
    try:
        year, month = int(year), int(month)
    except (TypeError, ValueError):
        raise ValidationFailed(gettext("Pilih bulan dan tahun."), "month") from None
    if not (1 <= month <= 12 and 2000 <= year <= 2200):
        raise ValidationFailed(gettext("Pilih bulan dan tahun."), "month")
    return year, month


def generate_wajib_bills(session, cooperative_id, year, month, acting_user, today=None):
    """Bill simpanan wajib of ``year``/``month`` to every member active in that month, at the rate in effect then.
    Only members whose status is still ``aktif`` are billed: a member who left, died or was expelled gets no new
    bill, also when an earlier month is billed late. Idempotent: members already billed for the month are skipped (and UNIQUE(member, year, month) backs it up).
    Returns the number of bills created."""
    from app.members.models import Member

    require_role(acting_user, BOARD_ROLES, gettext("Hanya Pengurus yang membuat tagihan simpanan wajib."))
    coop = _coop(session, cooperative_id)
    year, month = _check_month(year, month)
    today = today or local_today(coop)
    if (year, month) > (today.year, today.month):
        raise ValidationFailed(gettext("Tagihan bulan yang akan datang belum dapat dibuat."), "month")
    amount = wajib_rate_for(session, coop.id, year, month)
    if amount is None:
        raise ValidationFailed(gettext("Belum ada tarif simpanan wajib yang berlaku pada %(m)s %(y)s.",
                                       m=MONTHS_ID[month - 1], y=year), "month")
    last_day = date(year, month, monthrange(year, month)[1])
    billed = select(WajibBill.member_id).where(WajibBill.cooperative_id == coop.id, WajibBill.year == year,
                                               WajibBill.month == month)
    members = session.execute(
        select(Member.id).where(Member.cooperative_id == coop.id, Member.status == "aktif",
                                func.coalesce(Member.active_since, Member.join_date) <= last_day,
                                Member.id.notin_(billed)).order_by(Member.id)).scalars().all()
    for member_id in members:
        session.add(WajibBill(cooperative_id=coop.id, cooperative=coop, member_id=member_id, year=year,
                              month=month, amount=amount, paid_amount=ZERO))
    session.flush()
    return len(members)


ArrearsRow = namedtuple("ArrearsRow", "member_id member_number name phone cooperative_id cooperative_name "
                                      "months amount oldest_year oldest_month")


def arrears(session, cooperative_id=None, member_id=None, limit=None, offset=0):
    """Unpaid wajib per member (months with something outstanding, and the rupiah outstanding), aggregated in SQL,
    within the user's scope (the session listener filters both tables).

    Members who left, died or were expelled are not in arrears: their open bills stay as history, but they are no
    longer collected (the exit settlement pays back what they hold; ``generate_wajib_bills`` bills only members
    who are active when it runs)."""
    from app.members.models import Member

    outstanding = func.sum(WajibBill.amount - WajibBill.paid_amount)
    oldest = func.min(WajibBill.year * 100 + WajibBill.month)
    stmt = (select(Member.id, Member.member_number, Member.name, Member.phone, Cooperative.id, Cooperative.name,
                   func.count(WajibBill.id), outstanding, oldest)
            .select_from(WajibBill).join(Member, Member.id == WajibBill.member_id)
            .join(Cooperative, Cooperative.id == WajibBill.cooperative_id)
            .where(WajibBill.paid_amount < WajibBill.amount, Member.status.notin_(ENDED_STATUSES))
            .group_by(Member.id, Member.member_number, Member.name, Member.phone, Cooperative.id, Cooperative.name)
            .order_by(Cooperative.name, func.count(WajibBill.id).desc(), Member.name))
    if cooperative_id is not None:
        stmt = stmt.where(WajibBill.cooperative_id == cooperative_id)
    if member_id is not None:
        stmt = stmt.where(WajibBill.member_id == member_id)
    if limit:
        stmt = stmt.limit(limit).offset(offset)
    return [ArrearsRow(mid, num, name, phone, cid, cname, int(n), Decimal(total).quantize(Decimal("0.01")),
                       o // 100, o % 100)
            for mid, num, name, phone, cid, cname, n, total, o in session.execute(stmt)]


def normalise_phone(phone):
    """``0812-3456-7890`` / ``+62 812...`` / ``62812...`` -> ``628123457890``; None when it is not a mobile number."""
    digits = re.sub(r"\D", "", phone or "")
    if digits.startswith("0"):
        digits = "62" + digits[1:]
    elif digits.startswith("8"):
        digits = "62" + digits
    if not digits.startswith("628") or not 10 <= len(digits) <= 15:
        return None
    return digits


def reminder_message(name, coop_name, months, amount):
    return (f"Yth. Bapak/Ibu {name}, salam hangat dari pengurus {coop_name}. Dengan hormat kami mengingatkan "
            f"bahwa simpanan wajib Bapak/Ibu belum dibayar selama {months} bulan, sebesar {rupiah(amount)}. "
            f"Pembayaran dapat dilakukan di kantor koperasi. Bila sudah membayar, mohon abaikan pesan ini. "
            f"Terima kasih atas perhatian dan dukungannya.")


def whatsapp_link(phone, name, coop_name, months, amount):
    number = normalise_phone(phone)
    if number is None:
        return None
    return f"https://wa.me/{number}?text={quote(reminder_message(name, coop_name, months, amount), safe='')}"



def allocate_wajib(session, member_id, amount):
    """Settle the member's oldest open bills first (rows locked FOR UPDATE); returns [(bill, part)]. Refuses an
    amount above what is billed and unpaid (next months are billed when they come)."""
    bills = session.execute(select(WajibBill).where(WajibBill.member_id == member_id,
                                                    WajibBill.paid_amount < WajibBill.amount)
                            .order_by(WajibBill.year, WajibBill.month).with_for_update(of=WajibBill)
                            .execution_options(populate_existing=True)).unique().scalars().all()
    open_total = sum((b.amount - b.paid_amount for b in bills), ZERO)
    if amount > open_total:
        if open_total == 0:
            raise ValidationFailed(gettext("Anggota ini tidak punya tagihan simpanan wajib yang belum dibayar."),
                                   "amount")
        raise ValidationFailed(gettext("Lebih besar dari tagihan simpanan wajib yang belum dibayar (%(t)s).",
                                       t=rupiah(open_total)), "amount")
    left, parts = amount, []
    for bill in bills:
        if left <= 0:
            break
        part = min(left, bill.amount - bill.paid_amount)
        bill.paid_amount = bill.paid_amount + part
        parts.append((bill, part))
        left -= part
    return parts




def unallocate_wajib(session, member_id, amount):
    """Undo ``amount`` of wajib payments on the member's bills, newest paid first (rows locked FOR UPDATE), so the
    paid part stays the oldest months and arrears come back as they were. Returns [(bill, part)]."""
    bills = session.execute(select(WajibBill).where(WajibBill.member_id == member_id, WajibBill.paid_amount > 0)
                            .order_by(WajibBill.year.desc(), WajibBill.month.desc()).with_for_update(of=WajibBill)
                            .execution_options(populate_existing=True)).unique().scalars().all()
    if sum((b.paid_amount for b in bills), ZERO) < amount:
        raise DomainError(gettext("Pembayaran tagihan simpanan wajib anggota ini tidak cocok dengan setoran yang "
                                  "dibatalkan; hubungi administrator."))
    left, parts = amount, []
    for bill in bills:
        if left <= 0:
            break
        part = min(left, bill.paid_amount)
        bill.paid_amount = bill.paid_amount - part
        parts.append((bill, part))
        left -= part
    return parts


