"""The RAT status on the home pages (app.oversight.home.register_figure / tables.register_table): the Pengurus sees
his cooperative's RAT of last year; the Lurah, Camat and Sudin count their area's cooperatives whose RAT was held,
verified by the Sudin, or is overdue (six months after the fiscal year, ``rat_deadline``), each linked to the list
of those cooperatives, and a table of every cooperative's RAT status.

Each figure is one aggregate over the cooperatives of the area left-joined to last year's RAT row (unique per
cooperative and year), so it stays one statement at 267 cooperatives.
"""
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, or_, select

from .models import RAT_ORDER, RAT_STATUS_LABELS, RatMeeting, rat_deadline

AREA_ROLES = ("Admin", "Sudin", "Camat", "Lurah")
HELD = tuple(RAT_ORDER[RAT_ORDER.index("dilaksanakan"):])


def _year(hs):
    return hs.today.year - 1


def _joined(hs):
    from app.cooperatives.models import Cooperative

    year = _year(hs)
    return (Cooperative, RatMeeting, and_(RatMeeting.cooperative_id == Cooperative.id, RatMeeting.year == year))


CONDITIONS = {
    "rat_held": lambda hs: RatMeeting.status.in_(HELD),
    "rat_verified": lambda hs: RatMeeting.status == "diverifikasi",
    # late: not held and the deadline passed, or held after the deadline (RatMeeting.overdue_on)
    "rat_overdue": lambda hs: or_(and_(RatMeeting.held_date.is_(None), hs.today > rat_deadline(_year(hs))),
                                  RatMeeting.held_date > rat_deadline(_year(hs))),
}


def _counts(hs):
    from app.cooperatives.models import Cooperative

    coop, rat, on = _joined(hs)
    cols = [func.count(func.nullif(func.coalesce(cond(hs), False), False)) for cond in CONDITIONS.values()]
    row = hs.session.execute(select(*cols).select_from(coop).outerjoin(rat, on)
                             .where(hs.where(Cooperative.id))).one()
    return {key: int(n or 0) for key, n in zip(CONDITIONS, row)}


def _count(key):
    return lambda hs: hs.once("rat", _counts)[key]


def _rows(key):
    def rows(hs):
        from app.cooperatives.models import Cooperative

        coop, rat, on = _joined(hs)
        return (select(Cooperative.region_code, Cooperative.name).select_from(coop).outerjoin(rat, on)
                .where(hs.where(Cooperative.id), func.coalesce(CONDITIONS[key](hs), False))
                .order_by(Cooperative.name))
    return rows


def _own_status(hs):
    """"2025: Disiapkan (batas 30/06/2026)" for the Pengurus' cooperative, "terlambat" when late."""
    year = _year(hs)
    rat = hs.session.execute(select(RatMeeting).where(hs.where(RatMeeting.cooperative_id),
                                                      RatMeeting.year == year).limit(1)).scalar()
    deadline = rat_deadline(year)
    if rat is None:
        text = str(_l("Belum disiapkan"))
        late = hs.today > deadline
    else:
        text = str(rat.status_label)
        late = rat.overdue_on(hs.today)
    text = f"{year}: {text} ({_l('batas')} {deadline:%d/%m/%Y})"
    return text + (f", {_l('terlambat')}" if late else "")


def _own_link(hs):
    if hs.coop_ids and len(hs.coop_ids) == 1:
        return f"/shu/{hs.coop_ids[0]}/{_year(hs)}/rat"
    return "/rat/list/"


def _status_table(hs):
    from app.cooperatives.models import Cooperative

    coop, rat, on = _joined(hs)
    year = _year(hs)
    deadline = rat_deadline(year)
    stmt = (select(Cooperative.name, RatMeeting.status, RatMeeting.held_date).select_from(coop).outerjoin(rat, on)
            .where(hs.where(Cooperative.id)).order_by(Cooperative.name))
    for name, status, held in hs.session.execute(stmt):
        late = (held > deadline) if held is not None else hs.today > deadline
        yield [name, year, str(RAT_STATUS_LABELS.get(status, _l("Belum disiapkan"))), held, deadline,
               str(_l("Ya")) if late else str(_l("Tidak"))]


def register_home():
    from app.oversight.home import register_figure
    from app.oversight.tables import register_table

    register_figure("rat_status", _l("RAT tahun buku lalu"), _own_status, ("Pengurus",), link=_own_link,
                    kind="text", group="books")
    register_figure("rat_held", _l("RAT tahun lalu sudah dilaksanakan"), _count("rat_held"), AREA_ROLES,
                    rows=_rows("rat_held"), group="review")
    register_figure("rat_verified", _l("RAT tahun lalu diverifikasi Sudin"), _count("rat_verified"), AREA_ROLES,
                    rows=_rows("rat_verified"), group="review")
    register_figure("rat_overdue", _l("RAT tahun lalu terlambat"), _count("rat_overdue"), AREA_ROLES,
                    rows=_rows("rat_overdue"), group="review")
    register_table("rat_status", _l("Status RAT tahun buku lalu"), AREA_ROLES,
                   [_l("Koperasi"), _l("Tahun buku"), _l("Status"), _l("Tanggal RAT"), _l("Batas waktu"),
                    _l("Terlambat")], _status_table, group="review")
