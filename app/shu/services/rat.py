"""The RAT of a fiscal year: its record, status flow (disiapkan -> dilaksanakan -> dilaporkan -> diverifikasi by
the Sudin), the quorum check and the RAPB proposal.

Deadline: six months after the year end (``models.rat_deadline``); a RAT not held by then, or held later, is
flagged overdue on the lists the Lurah, Camat and Sudin read.
"""
from datetime import date
from decimal import ROUND_DOWN, Decimal

from flask_babel import gettext
from sqlalchemy import delete, insert

from app.core.errors import DomainError, ValidationFailed

from ..models import RAT_ORDER, RAT_STATUS_LABELS, RapbLine, RatMeeting
from .common import BOARD_ROLES, SUDIN_ROLES, actor_name, check_year, coop_of, require_role
from .rules import rat_for, rule_for

EDITABLE = ("planned_date", "held_date", "members_total", "attendance", "decision_ref", "chair_name",
            "minutes_taker", "minutes")


def _today(coop):
    from app.core.dates import local_today

    return local_today(coop)


def do_save_rat(session, *, cooperative_id, year, acting_user, **fields):
    """Create or update the RAT record of a fiscal year (Pengurus), until it is reported."""
    require_role(acting_user, BOARD_ROLES, gettext("Hanya Pengurus yang menyiapkan RAT."))
    coop = coop_of(session, cooperative_id)
    year = check_year(year)
    rat = rat_for(session, coop.id, year)
    if rat is None:
        rat = RatMeeting(cooperative=coop, cooperative_id=coop.id, year=year, status="disiapkan")
        session.add(rat)
    elif RAT_ORDER.index(rat.status) >= RAT_ORDER.index("dilaporkan"):
        raise DomainError(gettext("RAT tahun buku %(y)s sudah dilaporkan; datanya tidak dapat diubah.", y=year))
    for name, value in fields.items():
        if name not in EDITABLE:
            raise ValidationFailed(gettext("Kolom %(n)s tidak dikenal.", n=name), name)
        if isinstance(value, str):
            value = value.strip() or None
        setattr(rat, name, value)
    for name in ("members_total", "attendance"):
        value = getattr(rat, name)
        if value is not None and (not isinstance(value, int) or value < 0):
            raise ValidationFailed(gettext("Jumlah harus bilangan bulat, tidak negatif."), name)
    if rat.members_total is not None and rat.attendance is not None and rat.attendance > rat.members_total:
        raise ValidationFailed(gettext("Jumlah yang hadir tidak boleh melebihi jumlah anggota."), "attendance")
    if rat.held_date is not None:
        if rat.held_date <= date(year, 12, 31):
            raise ValidationFailed(gettext("RAT tahun buku %(y)s diadakan sesudah tahun buku berakhir.", y=year),
                                   "held_date")
        if rat.held_date > _today(coop):
            raise ValidationFailed(gettext("Tanggal RAT tidak boleh di masa depan."), "held_date")
    session.flush()
    return rat


def _pct(value):
    return "-" if value is None else f"{value:.2f}".replace(".", ",")


def quorum(session, rat):
    """(required percent, attendance percent or None, reached)."""
    rule = rule_for(session, rat.cooperative_id, rat.year)
    required = rule.quorum_percent if rule is not None else Decimal("50.00")
    if not rat.members_total or rat.attendance is None:
        return required, None, False
    exact = Decimal(rat.attendance) * 100 / Decimal(rat.members_total)
    # compared exactly (2 of 3 is not 66.67 %); shown cut to two decimals, so "66,66 %" never reads as reached
    return required, exact.quantize(Decimal("0.01"), rounding=ROUND_DOWN), exact >= required


def attendance_list(session, coop_id):
    """The members who may attend the RAT (active members, by member number order): (number, name) rows for the
    attendance list the printed package and the workbook carry, one column select."""
    from sqlalchemy import select

    from app.members.models import Member

    stmt = (select(Member.member_number, Member.name).where(Member.cooperative_id == coop_id,
                                                            Member.status == "aktif")
            .order_by(Member.member_seq, Member.id).execution_options(yield_per=2000))
    return session.execute(stmt)


def do_advance_rat(session, *, rat, to_status, acting_user):
    """Move the RAT one step: held (Pengurus; date, attendance reaching the quorum, decision reference), reported
    (Pengurus), verified (Sudin)."""
    if not isinstance(rat, RatMeeting):
        rat = session.get(RatMeeting, int(rat))
        if rat is None:
            raise DomainError(gettext("RAT tidak ditemukan."))
    if to_status not in RAT_ORDER or RAT_ORDER.index(to_status) != RAT_ORDER.index(rat.status) + 1:
        raise DomainError(gettext("Status RAT tidak dapat diubah dari %(a)s ke %(b)s.",
                                  a=RAT_STATUS_LABELS.get(rat.status), b=RAT_STATUS_LABELS.get(to_status, to_status)))
    if to_status == "diverifikasi":
        require_role(acting_user, SUDIN_ROLES, gettext("Hanya Sudin yang memverifikasi RAT."))
        rat.verified_on, rat.verified_by = _today(rat.cooperative), actor_name(acting_user)
    else:
        require_role(acting_user, BOARD_ROLES, gettext("Hanya Pengurus yang mencatat pelaksanaan RAT."))
    if to_status == "dilaksanakan":
        if rat.held_date is None or not rat.decision_ref:
            raise ValidationFailed(gettext("Isi tanggal RAT dan nomor keputusan RAT dulu."), "held_date")
        required, present, reached = quorum(session, rat)
        if not reached:
            raise ValidationFailed(gettext("Kuorum RAT tidak tercapai: hadir %(p)s%%, disyaratkan %(q)s%% menurut "
                                           "AD/ART.", p=_pct(present), q=_pct(required)),
                                   "attendance")
    if to_status == "dilaporkan":
        rat.reported_on = _today(rat.cooperative)
    rat.status = to_status
    session.flush()
    return rat


def do_prepare_rapb(session, *, rat, acting_user, growth_percent=Decimal("0")):
    """Next year's RAPB per nominal account, proposed from the fiscal year's actual figures (plus
    ``growth_percent``); the board edits the amounts before the RAT."""
    from app.ledger.services import NOMINAL_KINDS, account_balances, financial_year_start

    require_role(acting_user, BOARD_ROLES, gettext("Hanya Pengurus yang menyusun RAPB."))
    if RAT_ORDER.index(rat.status) >= RAT_ORDER.index("dilaksanakan"):
        raise DomainError(gettext("RAT sudah dilaksanakan; RAPB tidak dapat diubah."))
    start = financial_year_start(session, rat.cooperative, rat.year)
    factor = 1 + Decimal(growth_percent) / 100
    session.execute(delete(RapbLine).where(RapbLine.rat_id == rat.id))
    rows = []
    for b in account_balances(session, rat.cooperative_id, date_from=start, date_to=date(rat.year, 12, 31),
                              kinds=NOMINAL_KINDS, exclude_types=("penutup",)):
        amount = (b.credit - b.debit) if b.kind == "pendapatan" else (b.debit - b.credit)
        if amount:
            rows.append(dict(cooperative_id=rat.cooperative_id, rat_id=rat.id, account_code=b.code,
                             account_name=b.name, amount=(amount * factor).quantize(Decimal("1"))))
    if rows:
        session.execute(insert(RapbLine.__table__), rows)
    session.flush()
    return rows
