"""The SHU worksheet of a closed fiscal year (UU 25/1992 Pasal 45; kkmp-domain.md §1.3).

Basis: the SHU the year-end close carried to SHU belum dibagi (``LedgerYear.shu``), split by the PHU into the
result of business with members and with non-members (``statements.member_split``).

Allocation: every part applies to the whole SHU, except the two member parts (jasa modal, jasa usaha), which
apply to the members' SHU only: SHU earned from non-members is not shared out to members; that portion of the
member parts goes to cadangan ("bagian jasa anggota dari SHU non-anggota"). Each part is rounded half-up to the
rupiah; cadangan takes what is left, so the parts add up to the SHU exactly.

Per member (the textbook formula):
    jasa modal = simpanan anggota / simpanan semua anggota x bagian jasa modal
    jasa usaha = transaksi anggota / transaksi semua anggota x bagian jasa usaha
exact in Decimal, kept on the worksheet; the member's share (jasa modal + jasa usaha) is rounded half-up to the
rupiah and the rounding remainder (positive or negative) goes to cadangan. A member part with no basis at all
(no savings, or no per-member transactions known) stays undistributed and goes to cadangan, labelled.

Simpanan basis: pokok + wajib, or every simpanan; the balance at the year end, or the average of the month-end
balances of the fiscal year's months (twelve, fewer in a first, shorter year). All balances in one aggregate.

Members who left during the year: ``tidak`` - no share (not counted in the totals either); ``sampai_keluar`` -
their transactions count as they happened, their savings up to the exit date: month-end balances after the exit
count as zero, and the year-end basis is the balance on the eve of the exit times the part of the year they were
members (days).

A loss year (SHU < 0) gives no member shares: the loss is covered from cadangan (its balance at the year end), the
rest stays in SHU belum dibagi as an uncovered loss.
"""
import io
from calendar import monthrange
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from flask_babel import gettext
from sqlalchemy import case, delete, func, insert, select
from sqlalchemy.orm import lazyload

from app.core.audit import utcnow
from app.core.errors import DomainError

from ..models import MEMBER_KINDS, ZERO, ShuMemberShare, ShuWorksheet, ShuWorksheetLine
from .common import BOARD_ROLES, EXACT, HUNDRED, RUPIAH, actor_name, check_year, coop_of, require_role
from .providers import member_transactions
from .rules import rule_for


def _r(value):
    return value.quantize(RUPIAH, rounding=ROUND_HALF_UP).quantize(Decimal("0.01"))


def closed_year(session, coop_id, year):
    from app.ledger.models import LedgerYear

    return session.execute(select(LedgerYear).where(LedgerYear.cooperative_id == coop_id,
                                                    LedgerYear.year == year)).scalar()


def worksheet_for(session, coop_id, year, lean=False):
    """The worksheet of a year; ``lean``: without its lines and rule (the member list reads only the totals: one
    statement and two eager joins fewer per page)."""
    stmt = select(ShuWorksheet).where(ShuWorksheet.cooperative_id == coop_id, ShuWorksheet.year == int(year))
    if lean:
        stmt = stmt.options(lazyload(ShuWorksheet.lines), lazyload(ShuWorksheet.rule))
    return session.execute(stmt).scalar()


def shu_basis(session, coop, year, ledger_year):
    """(SHU, from members, from non-members) of the closed year, from the PHU's split."""
    from app.ledger.statements import ReportPeriod, income_statement, member_split

    data = income_statement(session, coop, ReportPeriod(year)).data
    shu = Decimal(ledger_year.shu).quantize(Decimal("0.01"))
    member, _non = member_split(data["pendapatan_anggota"], data["pendapatan_non_anggota"],
                                data["hpp"] + data["beban"], shu)
    member = min(max(member, ZERO), shu) if shu > 0 else ZERO
    return shu, member, shu - member


def _month_ends(start, end):
    out, y, m = [], start.year, start.month
    while date(y, m, 1) <= end:
        out.append(date(y, m, monthrange(y, m)[1]))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def savings_bases(session, coop_id, rule, start, end, leavers):
    """{member_id: jasa modal basis} for the rule's simpanan kinds and balance basis (one aggregate query)."""
    from app.savings.models import SavingsTransaction as T

    kinds = ("pokok", "wajib") if rule.jm_basis == "pokok_wajib" else ("pokok", "wajib", "sukarela")
    signed = case((T.direction == "setor", T.amount), else_=-T.amount)
    cutoffs = _month_ends(start, end) if rule.balance_basis == "rata_bulanan" else [end]
    cols = [func.coalesce(func.sum(case((T.tx_date <= c, signed), else_=0)), 0) for c in cutoffs]
    rows = session.execute(select(T.member_id, *cols).where(T.cooperative_id == coop_id, T.kind.in_(kinds),
                                                            T.tx_date <= end).group_by(T.member_id)).all()
    bases = {}
    for member_id, *balances in rows:
        left = leavers.get(member_id)
        if left is not None and rule.balance_basis == "rata_bulanan":
            balances = [b if c < left else 0 for b, c in zip(balances, cutoffs)]
        basis = sum((Decimal(b) for b in balances), ZERO) / len(cutoffs)
        bases[member_id] = basis
    if rule.balance_basis == "akhir_tahun" and leavers:
        # every leaver's balance on the eve of the exit in one aggregate (not one query per leaver)
        from app.members.models import Member

        held = dict(session.execute(
            select(T.member_id, func.coalesce(func.sum(signed), 0)).join(Member, Member.id == T.member_id)
            .where(T.cooperative_id == coop_id, T.member_id.in_(list(leavers)), T.kind.in_(kinds),
                   T.tx_date < Member.ended_on).group_by(T.member_id)).all())
        days = (end - start).days + 1
        for member_id, left in leavers.items():
            served = max((left - start).days, 0)
            bases[member_id] = Decimal(held.get(member_id, 0)) * served / days
    return {m: b for m, b in bases.items() if b > 0}


def _members_in_play(session, coop_id, start, end, leaver_rule):
    """(excluded member ids, {member id: exit date} of those who left in the year and keep a share)."""
    from app.members.models import END_STATUSES, Member

    rows = session.execute(select(Member.id, Member.ended_on).where(
        Member.cooperative_id == coop_id, Member.status.in_(END_STATUSES), Member.ended_on.isnot(None),
        Member.ended_on <= end)).all()
    excluded, leavers = set(), {}
    for member_id, ended_on in rows:
        if ended_on < start or leaver_rule == "tidak":
            excluded.add(member_id)
        else:
            leavers[member_id] = ended_on
    return excluded, leavers


def do_compute_worksheet(session, *, cooperative_id, year, acting_user):
    """Compute (or recompute, until it is distributed) the SHU worksheet of a closed year. Pengurus only.
    Refused with the reason for a year not closed, without a rule, or already distributed."""
    from app.ledger.services import account_balances, account_code, financial_year_start

    require_role(acting_user, BOARD_ROLES, gettext("Hanya Pengurus yang menghitung pembagian SHU."))
    coop = coop_of(session, cooperative_id)
    year = check_year(year)
    ledger_year = closed_year(session, coop.id, year)
    if ledger_year is None:
        raise DomainError(gettext("Tahun buku %(y)s belum ditutup: SHU baru dapat dihitung setelah tutup buku "
                                  "akhir tahun (Pembukuan > Periode akuntansi).", y=year))
    rule = rule_for(session, coop.id, year)
    if rule is None:
        raise DomainError(gettext("Aturan pembagian SHU tahun buku %(y)s belum ditetapkan.", y=year))
    ws = worksheet_for(session, coop.id, year)
    if ws is not None and ws.status == "dibagikan":
        raise DomainError(gettext("SHU tahun buku %(y)s sudah dibagikan (jurnal %(n)s); kertas kerjanya tidak dapat "
                                  "dihitung ulang.", y=year, n=ws.distribution_entry.number
                                  if ws.distribution_entry is not None else "-"))
    start, end = financial_year_start(session, coop, year), date(year, 12, 31)
    shu, shu_members, shu_non = shu_basis(session, coop, year, ledger_year)
    if ws is None:
        ws = ShuWorksheet(cooperative=coop, cooperative_id=coop.id, year=year)
        session.add(ws)
    else:
        session.execute(delete(ShuMemberShare).where(ShuMemberShare.worksheet_id == ws.id))
        ws.lines.clear()
    ws.rule = rule
    ws.rule_id = rule.id
    ws.status, ws.computed_at, ws.computed_by = "dihitung", utcnow(), actor_name(acting_user)
    ws.shu_total, ws.shu_members, ws.shu_non_members = shu, shu_members, shu_non
    for name in ("jm_amount", "ju_amount", "jm_basis_total", "ju_basis_total", "member_shares_total",
                 "cadangan_rule", "cadangan_non_member", "cadangan_undistributed", "cadangan_rounding",
                 "cadangan_total", "funds_total", "loss_covered", "loss_uncovered"):
        setattr(ws, name, ZERO)
    ws.member_count, ws.ju_source = 0, None
    if shu <= 0:
        cadangan = ZERO
        cadangan_code = account_code(session, coop.id, "cadangan")
        for b in account_balances(session, coop.id, date_to=end):
            if b.code == cadangan_code:
                cadangan = max(b.credit - b.debit, ZERO)
        ws.loss_covered = min(cadangan, -shu)
        ws.loss_uncovered = -shu - ws.loss_covered
        session.flush()
        return ws

    # -- the parts --------------------------------------------------------------------------------------------
    cadangan_rule, funds, member_parts, pos = ZERO, ZERO, {}, 0
    for a in rule.allocations:
        base = shu_members if a.kind in MEMBER_KINDS else shu
        amount = _r(base * a.percent / HUNDRED)
        if a.kind == "cadangan":
            cadangan_rule += amount
        elif a.kind in MEMBER_KINDS:
            member_parts[a.kind] = member_parts.get(a.kind, ZERO) + amount
        else:
            funds += amount
        ws.lines.append(ShuWorksheetLine(cooperative_id=coop.id, position=pos, kind=a.kind, name=a.name,
                                         percent=a.percent, base=base, amount=amount))
        pos += 1
    member_percent = sum((a.percent for a in rule.allocations if a.kind in MEMBER_KINDS), ZERO)
    non_member_part = _r(shu_non * member_percent / HUNDRED)
    # What rounding the parts left over (a few rupiah, or the sen of an SHU in sen) stays with cadangan too.
    allocated = cadangan_rule + funds + sum(member_parts.values(), ZERO) + non_member_part
    ws.cadangan_rule = cadangan_rule + (shu - allocated)
    ws.cadangan_non_member = non_member_part
    ws.funds_total = funds
    jm, ju = member_parts.get("jasa_modal", ZERO), member_parts.get("jasa_usaha", ZERO)
    ws.jm_amount, ws.ju_amount = jm, ju

    # -- the members ------------------------------------------------------------------------------------------
    excluded, leavers = _members_in_play(session, coop.id, start, end, rule.leaver_rule)
    jm_bases = {m: b for m, b in savings_bases(session, coop.id, rule, start, end, leavers).items()
                if m not in excluded} if jm > 0 else {}
    if ju > 0:
        ju_raw, used = member_transactions(session, coop.id, year, start, end)
        ju_bases = {m: b for m, b in ju_raw.items() if m not in excluded}
    else:
        ju_bases, used = {}, []
    jm_total, ju_total = sum(jm_bases.values(), ZERO), sum(ju_bases.values(), ZERO)
    ws.jm_basis_total, ws.ju_basis_total = jm_total.quantize(Decimal("0.01")), ju_total.quantize(Decimal("0.01"))
    undistributed = ZERO
    if jm > 0 and jm_total == 0:
        undistributed += jm
        jm = ZERO
    if ju > 0 and ju_total == 0:
        undistributed += ju
        ju = ZERO
    if ws.ju_amount > 0:
        ws.ju_source = (", ".join(used) if used and ju > 0 else
                        gettext("Tidak ada data transaksi per anggota: bagian jasa usaha tidak dibagi dan masuk "
                                "dana cadangan."))
    ws.cadangan_undistributed = undistributed
    rows, rounded_sum = [], ZERO
    for member_id in sorted(set(jm_bases) | set(ju_bases)):
        jm_exact = jm_bases.get(member_id, ZERO) * jm / jm_total if jm_total else ZERO
        ju_exact = ju_bases.get(member_id, ZERO) * ju / ju_total if ju_total else ZERO
        total = jm_exact + ju_exact
        rounded = _r(total)
        rounded_sum += rounded
        rows.append(dict(cooperative_id=coop.id, member_id=member_id,
                         jm_basis=jm_bases.get(member_id, ZERO).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP),
                         ju_basis=ju_bases.get(member_id, ZERO).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP),
                         jm_exact=jm_exact.quantize(EXACT, rounding=ROUND_HALF_UP),
                         ju_exact=ju_exact.quantize(EXACT, rounding=ROUND_HALF_UP),
                         total_exact=total.quantize(EXACT, rounding=ROUND_HALF_UP), total_rounded=rounded,
                         left_on=leavers.get(member_id), version=1))
    ws.member_shares_total, ws.member_count = rounded_sum, len(rows)
    ws.cadangan_rounding = jm + ju - rounded_sum
    ws.cadangan_total = ws.cadangan_rule + ws.cadangan_non_member + ws.cadangan_undistributed + ws.cadangan_rounding
    session.flush()
    if rows:
        for row in rows:
            row["worksheet_id"] = ws.id
        # the worksheet row's audit entry holds the totals; the shares are written in bulk
        _insert_shares(session, ws, rows)
    if ws.cadangan_total + ws.funds_total + ws.member_shares_total != shu:  # the invariant the journal needs
        raise RuntimeError("SHU worksheet parts do not add up to the SHU")
    return ws


_SHARE_COPY_COLUMNS = ("worksheet_id", "cooperative_id", "member_id", "jm_basis", "ju_basis", "jm_exact", "ju_exact",
                       "total_exact", "total_rounded", "left_on", "version")


def _insert_shares(session, ws, rows):
    """Write the member shares: ``COPY ... FROM STDIN`` on PostgreSQL, a multi-row insert elsewhere.

    On PostgreSQL the multi-row insert of 5,000 shares was five statements of 1,000 rows and about 210 ms of the
    worksheet's 620 ms (binding 55,000 parameters, parsing them back); COPY sends the same rows as text in one
    stream (about 100 ms, most of it the server's foreign-key checks). The values are ours (ids, Decimals written
    with ``:f``, never in exponent form, dates), never user text, so the tab-separated lines need no escaping."""
    conn = session.connection()
    if conn.dialect.name != "postgresql":
        session.execute(insert(ShuMemberShare.__table__), rows)  # the session's scope guard sees this insert
        return
    # COPY goes past the session's scope listeners: check here what they would (every row is the worksheet's and
    # its cooperative's, and that cooperative is in the user's write scope).
    from app.core.scope import check_write

    if any(r["worksheet_id"] != ws.id or r["cooperative_id"] != ws.cooperative_id for r in rows):
        raise RuntimeError("member shares of another worksheet")
    check_write(session, ws, "update")
    buf = io.StringIO()
    buf.writelines(
        f"{r['worksheet_id']}\t{r['cooperative_id']}\t{r['member_id']}\t{r['jm_basis']:f}\t{r['ju_basis']:f}\t"
        f"{r['jm_exact']:f}\t{r['ju_exact']:f}\t{r['total_exact']:f}\t{r['total_rounded']:f}\t"
        f"{r['left_on'].isoformat() if r['left_on'] else NULL_TEXT}\t{r['version']}\n" for r in rows)
    buf.seek(0)
    cursor = conn.connection.driver_connection.cursor()
    try:
        cursor.copy_expert(f"COPY {ShuMemberShare.__tablename__} ({', '.join(_SHARE_COPY_COLUMNS)}) FROM STDIN", buf)
    finally:
        cursor.close()


NULL_TEXT = "\\N"  # COPY's NULL


def member_shares(session, worksheet, after_id=None, limit=None, unpaid_only=False):
    """The worksheet's member shares in id order (keyset: ``after_id``)."""
    stmt = select(ShuMemberShare).where(ShuMemberShare.worksheet_id == worksheet.id)
    if after_id:
        stmt = stmt.where(ShuMemberShare.id > after_id)
    if unpaid_only:
        stmt = stmt.where(ShuMemberShare.paid_on.is_(None), ShuMemberShare.total_rounded > 0)
    stmt = stmt.order_by(ShuMemberShare.id)
    if limit:
        stmt = stmt.limit(limit)
    return session.execute(stmt).scalars().all()
