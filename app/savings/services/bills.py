"""Monthly wajib bills: generating them, settling and unsettling payments on them, arrears and reminders."""
from calendar import monthrange
from collections import namedtuple
from datetime import date
from decimal import Decimal
from urllib.parse import quote

from flask_babel import gettext
from sqlalchemy import Numeric, func, literal, select, update

from app.cooperatives.models import Cooperative
from app.core.audit import record_event
from app.core.errors import DomainError, ValidationFailed
from app.core.formatting import month_name, rupiah
from app.core.scope import current_scope, system_scope

from ..models import ZERO, SavingsBalance, WajibBill, WajibBillRun
from .common import BOARD_ROLES, ENDED_STATUSES, _coop, _insert, local_today, require_role
from .products import wajib_rate_for


MONEY = Numeric(18, 2)


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
    """Bill simpanan wajib of ``year``/``month`` to every member active in that month, at the rate in effect then
    (the board's button; the same run also happens by itself, see ``ensure_month_billed``). Only members whose
    status is still ``aktif`` are billed: a member who left, died or was expelled gets no new bill, also when an
    earlier month is billed late. Idempotent: members already billed for the month are skipped (INSERT .. ON
    CONFLICT DO NOTHING on UNIQUE(member, year, month)). Prepaid wajib is applied to the new bills. Returns the
    number of bills created."""
    require_role(acting_user, BOARD_ROLES, gettext("Hanya Pengurus yang membuat tagihan simpanan wajib."))
    coop = _coop(session, cooperative_id)
    year, month = _check_month(year, month)
    today = today or local_today(coop)
    if (year, month) > (today.year, today.month):
        raise ValidationFailed(gettext("Tagihan bulan yang akan datang belum dapat dibuat."), "month")
    amount = wajib_rate_for(session, coop.id, year, month)
    if amount is None:
        raise ValidationFailed(gettext("Belum ada tarif simpanan wajib yang berlaku pada %(m)s %(y)s.",
                                       m=month_name(month), y=year), "month")
    return _bill_month(session, coop, year, month, amount)


def _bill_month(session, coop, year, month, amount, member_id=None):
    """Insert the month's bills (all active members of ``coop``, or one member) that do not exist yet, apply
    prepaid wajib to them, mark the month as run, and log one audit event. Runs in system scope: the bills are
    the cooperative's own (whoever's request triggered them), and every statement names the cooperative."""
    from app.members.models import Member

    last_day = date(year, month, monthrange(year, month)[1])
    table = WajibBill.__table__
    with system_scope():
        members = (select(literal(coop.id), Member.id, literal(year), literal(month),
                          literal(amount, MONEY), literal(ZERO, MONEY), literal(1))
                   .where(Member.cooperative_id == coop.id, Member.status == "aktif",
                          func.coalesce(Member.active_since, Member.join_date) <= last_day))
        # No NOT EXISTS against wajib_bill: UNIQUE(member, year, month) with ON CONFLICT DO NOTHING already skips
        # the members billed, and the anti-join turned quadratic on PostgreSQL while the table grew faster than its
        # statistics during a national run (a nested loop over every bill of the month: 2 minutes per cooperative).
        if member_id is not None:
            members = members.where(Member.id == member_id)
        stmt = (_insert(session, table)
                .from_select(["cooperative_id", "member_id", "year", "month", "amount", "paid_amount", "version"],
                             members)
                .on_conflict_do_nothing(index_elements=["member_id", "year", "month"]))
        created = session.execute(stmt).rowcount or 0
        if member_id is None:
            run = WajibBillRun.__table__
            session.execute(_insert(session, run).values(cooperative_id=coop.id, year=year, month=month)
                            .on_conflict_do_nothing(index_elements=["cooperative_id", "year", "month"]))
        prepaid = select(SavingsBalance.member_id).where(SavingsBalance.cooperative_id == coop.id,
                                                         SavingsBalance.kind == "wajib", SavingsBalance.prepaid > 0)
        if member_id is not None:
            prepaid = prepaid.where(SavingsBalance.member_id == member_id)
        applied = ZERO
        for mid in session.execute(prepaid.order_by(SavingsBalance.member_id)).scalars().all():
            applied += apply_prepaid(session, mid)
        if created:
            record_event(session, "wajib_bills", table_name="wajib_bill", cooperative_id=coop.id,
                         region_code=coop.region_code,
                         details={"year": year, "month": month, "amount": amount, "bills": created,
                                  "member_id": member_id, "prepaid_applied": applied})
        session.flush()
    return created


def ensure_month_billed(session, cooperative, today=None):
    """The current local month's bills of a cooperative exist (made once per month, on the first wajib deposit,
    arrears list or passbook of the month, whoever opens it). No rate yet: nothing to bill, nothing marked."""
    coop = _coop(session, cooperative)
    today = today or local_today(coop)
    done = session.execute(select(WajibBillRun.cooperative_id).where(
        WajibBillRun.cooperative_id == coop.id, WajibBillRun.year == today.year,
        WajibBillRun.month == today.month)).first()
    if done:
        return 0
    amount = wajib_rate_for(session, coop.id, today.year, today.month)
    if amount is None:
        return 0
    return _bill_month(session, coop, today.year, today.month, amount)


def bill_new_member(session, member, today=None):
    """A member just activated owes wajib from the month of activation: bill each month from then to the current
    one (at each month's rate; months without a rate are skipped). Idempotent."""
    coop = _coop(session, member.cooperative_id)
    today = today or local_today(coop)
    start = member.active_since or today
    year, month, created = start.year, start.month, 0
    while (year, month) <= (today.year, today.month):
        amount = wajib_rate_for(session, coop.id, year, month)
        if amount is not None:
            created += _bill_month(session, coop, year, month, amount, member_id=member.id)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return created


def ensure_bills_for_scope(session, limit=60):
    """Before an arrears list: the current month is billed in every cooperative of the reader's scope, when that
    scope is small (a cooperative, a kelurahan, a city). Wider scopes rely on each cooperative's own activity and
    on ``flask kkmp wajib-bills`` (run daily), so that a national list never bills 83,000 cooperatives in a request."""
    scope = current_scope(session)
    ids = None if scope.all else sorted(scope.read_ids or ())
    if ids is None or not ids or len(ids) > limit:
        return 0
    coops = session.execute(select(Cooperative).where(Cooperative.id.in_(ids))).scalars().all()
    return sum(ensure_month_billed(session, coop) for coop in coops)


ArrearsRow = namedtuple("ArrearsRow", "member_id member_number name phone cooperative_id cooperative_name "
                                      "months amount oldest_year oldest_month")


def _arrears_stmt(cooperative_id=None, member_id=None):
    from app.members.models import Member

    outstanding = func.sum(WajibBill.amount - WajibBill.paid_amount)
    oldest = func.min(WajibBill.year * 100 + WajibBill.month)
    stmt = (select(Member.id, Member.member_number, Member.name, Member.phone, Cooperative.id, Cooperative.name,
                   func.count(WajibBill.id).label("months"), outstanding.label("amount"), oldest)
            .select_from(WajibBill).join(Member, Member.id == WajibBill.member_id)
            .join(Cooperative, Cooperative.id == WajibBill.cooperative_id)
            .where(WajibBill.paid_amount < WajibBill.amount, Member.status.notin_(ENDED_STATUSES))
            .group_by(Member.id, Member.member_number, Member.name, Member.phone, Cooperative.id, Cooperative.name))
    if cooperative_id is not None:
        stmt = stmt.where(WajibBill.cooperative_id == cooperative_id)
    if member_id is not None:
        stmt = stmt.where(WajibBill.member_id == member_id)
    return stmt


def arrears(session, cooperative_id=None, member_id=None, limit=None, offset=0):
    """Unpaid wajib per member (months with something outstanding, and the rupiah outstanding), aggregated in SQL,
    within the user's scope (the session listener filters both tables).

    Members who left, died or were expelled are not in arrears: their open bills stay as history, but they are no
    longer collected (the exit settlement pays back what they hold; ``generate_wajib_bills`` bills only members
    who are active when it runs)."""
    from app.members.models import Member

    stmt = _arrears_stmt(cooperative_id, member_id).order_by(
        Cooperative.name, func.count(WajibBill.id).desc(), Member.name)
    if limit:
        stmt = stmt.limit(limit).offset(offset)
    return [ArrearsRow(mid, num, name, phone, cid, cname, int(n), Decimal(total).quantize(Decimal("0.01")),
                       o // 100, o % 100)
            for mid, num, name, phone, cid, cname, n, total, o in session.execute(stmt)]


ArrearsTotals = namedtuple("ArrearsTotals", "members months amount")


def arrears_totals(session, cooperative_id=None):
    """The whole arrears list summed (every page, not only the one on screen), in one SQL statement over the
    same rows as ``arrears``; the scope is written out because the session listener does not reach into a
    subquery under a Core select."""
    from app.core.scope import read_condition

    stmt = _arrears_stmt(cooperative_id)
    condition = read_condition(WajibBill)
    if condition is not None:
        stmt = stmt.where(condition)
    rows = stmt.subquery()
    members, months, amount = session.execute(select(func.count(), func.coalesce(func.sum(rows.c.months), 0),
                                                     func.coalesce(func.sum(rows.c.amount), 0))).one()
    return ArrearsTotals(int(members), int(months), Decimal(amount).quantize(Decimal("0.01")))


def normalise_phone(phone):
    """``0812-3456-7890`` / ``+62 812...`` / ``62812...`` -> ``628123457890``; None when it is not a mobile number."""
    from app.core.errors import ValidationFailed as _Invalid
    from app.core.identifiers import check_phone

    try:
        stored = check_phone(phone)  # the one phone normaliser: +62 and the national number
    except _Invalid:
        return None
    if stored is None or not stored.startswith("+628"):
        return None
    return stored[1:]


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



# -- prepaid wajib (paid ahead of the bills) ---------------------------------------------------------------------

PREPAID_MONTHS = 12  # at most a year ahead: beyond that a typo is likelier than a member paying 13 months


def prepaid_wajib(session, member_id, lock=False):
    stmt = select(SavingsBalance.prepaid).where(SavingsBalance.member_id == member_id,
                                                SavingsBalance.kind == "wajib")
    if lock:
        stmt = stmt.with_for_update()
    value = session.execute(stmt).scalar()
    return Decimal(value or 0).quantize(Decimal("0.01"))


def open_wajib(session, member_id):
    """What the member's bills still ask for (billed and unpaid)."""
    value = session.execute(select(func.sum(WajibBill.amount - WajibBill.paid_amount)).where(
        WajibBill.member_id == member_id, WajibBill.paid_amount < WajibBill.amount)).scalar()
    return Decimal(value or 0).quantize(Decimal("0.01"))


def settle_wajib(session, coop, member, amount, today=None):
    """A wajib deposit: it settles the open bills oldest first, and what is left is held as prepaid wajib (up to
    ``PREPAID_MONTHS`` months at the current rate) for the next bills. Returns (parts, prepaid part); the caller
    adds the prepaid part with ``add_prepaid`` once the balance holds the deposit."""
    open_total = open_wajib(session, member.id)
    part = min(amount, open_total)
    parts = allocate_wajib(session, member.id, part) if part > 0 else []
    rest = amount - part
    if rest > 0:
        today = today or local_today(coop)
        rate = wajib_rate_for(session, coop.id, today.year, today.month)
        if rate is None:
            raise ValidationFailed(gettext("Belum ada tarif simpanan wajib; simpanan wajib di muka belum dapat "
                                           "diterima."), "amount")
        held = prepaid_wajib(session, member.id)
        cap = rate * PREPAID_MONTHS
        if held + rest > cap:
            raise ValidationFailed(gettext(
                "Simpanan wajib di muka paling banyak %(n)d bulan (%(c)s); tagihan terbuka %(o)s, sudah dibayar di "
                "muka %(h)s.", n=PREPAID_MONTHS, c=rupiah(cap), o=rupiah(open_total), h=rupiah(held)), "amount")
    return parts, rest


def add_prepaid(session, member_id, amount):
    session.execute(update(SavingsBalance).where(SavingsBalance.member_id == member_id,
                                                 SavingsBalance.kind == "wajib")
                    .values(prepaid=SavingsBalance.prepaid + amount).execution_options(synchronize_session=False))


def _take_prepaid(session, member_id, amount):
    result = session.execute(update(SavingsBalance).where(SavingsBalance.member_id == member_id,
                                                          SavingsBalance.kind == "wajib",
                                                          SavingsBalance.prepaid >= amount)
                             .values(prepaid=SavingsBalance.prepaid - amount)
                             .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        raise DomainError(gettext("Simpanan wajib di muka berubah saat diproses; ulangi."))


def apply_prepaid(session, member_id):
    """Prepaid wajib pays the member's open bills, oldest first (the balance row locked). Returns what it paid."""
    held = prepaid_wajib(session, member_id, lock=True)
    use = min(held, open_wajib(session, member_id))
    if use > 0:
        allocate_wajib(session, member_id, use)
        _take_prepaid(session, member_id, use)
    return use


def take_back_prepaid(session, member_id, amount):
    """Reversing a wajib deposit: its money comes back first from what is still prepaid (the newest wajib money),
    then off the bills newest first (``unallocate_wajib``). Returns the part taken from prepaid."""
    use = min(prepaid_wajib(session, member_id, lock=True), amount)
    if use > 0:
        _take_prepaid(session, member_id, use)
    return use
