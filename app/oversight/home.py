"""The home page per role, and the registry other domains add their figures to.

A figure is a title, a value function taking the reader's ``HomeScope`` and a link to the list behind it. The
built-in figures count with one SQL aggregate each over indexed columns or the ledger's kept balances, and link to
``/beranda/rincian/<key>``, which lists exactly the rows the figure counts (the ``rows`` function of the same
figure, paged), or to the domain's own list where one exists with the same rows.

Other domains (inventory, pupuk, RAT) plug in with ``register_figure(...)`` from their ``register()``, without
changing this package: their value function gets the same ``HomeScope``.
"""
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Callable, Optional

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, func, select

from app.core.formatting import rupiah

AREA_ROLES = ("Admin", "Sudin", "Camat", "Lurah")
COOP_ROLES = ("Pengurus", "Sekretaris")
COUNTER_ROLES = ("Petugas",)  # the kiosk clerk: the counter's figures (registered by the inventory) and tables
ROLE_ORDER = ("Admin", "Sudin", "Camat", "Lurah", "Pengurus", "Sekretaris", "Petugas")


@dataclass
class HomeScope:
    """Who is looking and at which cooperatives (``coop_ids`` None: all of them, for Admin)."""

    session: object
    user: object
    role: str
    coop_ids: Optional[tuple]
    today: date
    memo: dict = field(default_factory=dict)

    def once(self, key, fn):
        """Figures that share one aggregate (the funnel, members by sex) run it once per page."""
        if key not in self.memo:
            self.memo[key] = fn(self)
        return self.memo[key]

    def where(self, column):
        """The condition keeping ``column`` (a cooperative id) inside the reader's cooperatives."""
        if self.coop_ids is None:
            return True
        return column.in_(self.coop_ids) if self.coop_ids else False

    @property
    def last_month(self):
        first = self.today.replace(day=1)
        return (first.year - 1, 12) if first.month == 1 else (first.year, first.month - 1)


@dataclass
class Figure:
    key: str
    title: object
    value: Callable
    roles: tuple
    link: object = None            # a URL, or fn(HomeScope) -> URL; None: the figure's own rincian list
    rows: Optional[Callable] = None  # fn(HomeScope) -> select of (label, cooperative name) for the rincian list
    kind: str = "count"            # count, money or text
    group: str = "main"
    chart: Optional[str] = None    # figures sharing a chart name are drawn together


@dataclass
class Shown:
    key: str
    title: object
    raw: object
    text: str
    link: Optional[str]
    kind: str
    group: str
    chart: Optional[str] = None


_REGISTRY = {}


def register_figure(key, title, value, roles, link=None, rows=None, kind="count", group="main", chart=None):
    """Add a figure to the home pages of ``roles``. ``value(scope)`` returns an int, a Decimal or a text."""
    _REGISTRY[key] = Figure(key, title, value, tuple(roles), link, rows, kind, group, chart)


def registered():
    return dict(_REGISTRY)


def role_of(user):
    names = {r.name for r in user.roles}
    return next((r for r in ROLE_ORDER if r in names), None)


def home_scope(user, session=None):
    from app.core.dates import local_today
    from app.core.scope import current_scope
    from app.extensions import db

    session = session or db.session
    scope = current_scope(session)
    coop_ids = None if scope.all else tuple(sorted(scope.read_ids))
    if coop_ids and len(coop_ids) == 1:
        from app.cooperatives.models import Cooperative
        today = local_today(session.get(Cooperative, coop_ids[0]))
    else:  # an area: the reader's own zone (a WITA camat's today begins an hour before Jakarta's)
        from app.cooperatives.services import user_today
        today = user_today(session, user)
    return HomeScope(session, user, role_of(user), coop_ids, today)


def _text(fig, raw):
    if fig.kind == "money":
        return rupiah(raw)
    if fig.kind == "count":
        return str(int(raw or 0))
    return str(raw)


def home_figures(user, session=None):
    """{'role', 'scope', 'figures': [Shown]} for this user's home page, in registration order."""
    hs = home_scope(user, session)
    shown = []
    for fig in _REGISTRY.values():
        if hs.role not in fig.roles:
            continue
        raw = fig.value(hs)
        if fig.link is None:
            link = f"/beranda/rincian/{fig.key}" if fig.rows else None
        else:
            link = fig.link(hs) if callable(fig.link) else fig.link
        shown.append(Shown(fig.key, fig.title, raw, _text(fig, raw), link, fig.kind, fig.group, fig.chart))
    label = getattr(user, "scope_label", "") if hs.coop_ids is not None else "semua"
    return {"role": hs.role, "scope": str(label), "figures": shown, "home_scope": hs}


# -- the built-in figures --------------------------------------------------------------------------------------

def _count(hs, stmt):
    return hs.session.scalar(stmt) or 0


def _coop_rows(condition):
    def rows(hs):
        from app.cooperatives.models import Cooperative
        return (select(Cooperative.region_code, Cooperative.name).where(condition(Cooperative),
                                                                        hs.where(Cooperative.id))
                .order_by(Cooperative.name))
    return rows


def _funnel_counts(hs):
    """Every step of the funnel in one pass over the area's cooperatives."""
    from app.cooperatives.models import Cooperative
    row = hs.session.execute(select(*[func.count(case((cond(Cooperative), 1))) if key != "coops"
                                      else func.count(Cooperative.id) for key, _t, cond in FUNNEL])
                             .where(hs.where(Cooperative.id))).one()
    return {key: int(n or 0) for (key, _t, _c), n in zip(FUNNEL, row)}


def _coop_count(key):
    return lambda hs: hs.once("funnel", _funnel_counts)[key]


FUNNEL = [
    ("coops", _l("Koperasi di wilayah Anda"), lambda C: C.id.isnot(None)),
    ("badan_hukum", _l("Berbadan hukum (AHU)"), lambda C: C.ahu_number.isnot(None)),
    ("nib", _l("Punya NIB"), lambda C: C.nib.isnot(None)),
    ("npwp", _l("Punya NPWP"), lambda C: C.npwp.isnot(None)),
    ("bank", _l("Punya rekening bank"), lambda C: C.bank_account_number.isnot(None)),
    ("simkopdes", _l("Terdaftar SIMKOPDES"), lambda C: C.simkopdes_registered_on.isnot(None)),
    ("operating", _l("Sudah beroperasi"), lambda C: C.operating_since.isnot(None)),
]


def _members(hs, *conds):
    from app.members.models import Member
    return select(func.count(Member.id)).where(hs.where(Member.cooperative_id), *conds)


def _member_rows(*conds):
    def rows(hs):
        from app.cooperatives.models import Cooperative
        from app.members.models import Member
        return (select(func.coalesce(Member.member_number, Member.name), Cooperative.name)
                .join(Cooperative, Cooperative.id == Member.cooperative_id)
                .where(hs.where(Member.cooperative_id), *[c() for c in conds]).order_by(Cooperative.name,
                                                                                         Member.name))
    return rows


def _by_sex(hs):
    """Active members by sex, one GROUP BY over the index (cooperative_id, status, sex)."""
    from app.members.models import Member
    rows = hs.session.execute(select(Member.sex, func.count(Member.id)).where(
        hs.where(Member.cooperative_id), Member.status == "aktif").group_by(Member.sex)).all()
    out = {"L": 0, "P": 0}
    out.update({sex: n for sex, n in rows})
    return out


def _month_start(hs):
    return hs.today.replace(day=1)


def _member_cond(name):
    from app.members.models import Member
    return {
        "pending": lambda: Member.status == "permohonan",
        "active_l": lambda: and_(Member.status == "aktif", Member.sex == "L"),
        "active_p": lambda: and_(Member.status == "aktif", Member.sex == "P"),
    }[name]


def _arrears_members(hs):
    """Members with wajib still open for a month up to this one, active (as on the arrears list)."""
    from app.members.models import Member
    from app.savings.models import WajibBill
    month_index = hs.today.year * 12 + hs.today.month - 1
    return (select(WajibBill.member_id).join(Member, Member.id == WajibBill.member_id)
            .where(hs.where(WajibBill.cooperative_id), WajibBill.amount > WajibBill.paid_amount,
                   WajibBill.year * 12 + WajibBill.month - 1 <= month_index,
                   Member.status.in_(("aktif", "disetujui")))
            .group_by(WajibBill.member_id))


def _arrears(hs):
    """(members in arrears, rupiah in arrears) in one statement over the same bills as the arrears list."""
    from app.members.models import Member
    from app.savings.models import WajibBill
    month_index = hs.today.year * 12 + hs.today.month - 1
    n, total = hs.session.execute(
        select(func.count(func.distinct(WajibBill.member_id)), func.sum(WajibBill.amount - WajibBill.paid_amount))
        .join(Member, Member.id == WajibBill.member_id)
        .where(hs.where(WajibBill.cooperative_id), WajibBill.amount > WajibBill.paid_amount,
               WajibBill.year * 12 + WajibBill.month - 1 <= month_index, Member.status.in_(("aktif", "disetujui")))
    ).one()
    return int(n or 0), Decimal(total or 0).quantize(Decimal("0.01"))


def _arrears_count(hs):
    return hs.once("arrears", _arrears)[0]


def _arrears_rows(hs):
    from app.cooperatives.models import Cooperative
    from app.members.models import Member
    ids = _arrears_members(hs).subquery()
    return (select(func.coalesce(Member.member_number, Member.name), Cooperative.name)
            .join(ids, ids.c.member_id == Member.id).join(Cooperative, Cooperative.id == Member.cooperative_id)
            .order_by(Cooperative.name, Member.name))


def _arrears_amount(hs):
    return hs.once("arrears", _arrears)[1]


def _deposits_today_cond(hs):
    from app.savings.models import SavingsTransaction as T
    return and_(hs.where(T.cooperative_id), T.tx_date == hs.today, T.direction == "setor")


def _deposits_today(hs):
    """(count, rupiah) of today's deposits, one statement over the index (cooperative_id, tx_date)."""
    from app.savings.models import SavingsTransaction as T
    n, total = hs.session.execute(select(func.count(T.id), func.sum(T.amount)).where(_deposits_today_cond(hs))).one()
    return int(n or 0), Decimal(total or 0).quantize(Decimal("0.01"))


def _deposits_today_count(hs):
    return hs.once("deposits", _deposits_today)[0]


def _deposits_today_amount(hs):
    return hs.once("deposits", _deposits_today)[1]


def _deposits_today_rows(hs):
    from app.cooperatives.models import Cooperative
    from app.savings.models import SavingsTransaction as T
    return (select(T.receipt_number, Cooperative.name).join(Cooperative, Cooperative.id == T.cooperative_id)
            .where(_deposits_today_cond(hs)).order_by(T.receipt_number))


def _report_cond(hs, statuses):
    from .models import MonthlyReport as R
    year, month = hs.last_month
    return and_(hs.where(R.cooperative_id), R.year == year, R.month == month, R.status.in_(statuses))


def _review_counts(hs):
    """Last month's reports of the area in one pass: the cooperatives left-joined to their report of that month
    (unique per cooperative and month), counted by status: approved, in review, and overdue (none in review or
    approved: no report, sent back or reopened), as _report_cond and _overdue_cond list them."""
    from app.cooperatives.models import Cooperative
    from .models import MonthlyReport as R
    year, month = hs.last_month
    joined = and_(R.cooperative_id == Cooperative.id, R.year == year, R.month == month)
    row = hs.session.execute(
        select(*[func.count(case((R.status.in_(statuses), 1))) for statuses in REVIEW_GROUPS.values()],
               func.count(Cooperative.id) - func.count(case((R.status.in_(IN_REVIEW), 1))))
        .select_from(Cooperative).outerjoin(R, joined).where(hs.where(Cooperative.id))).one()
    return dict(zip(list(REVIEW_GROUPS) + ["overdue"], (int(n or 0) for n in row)))


def _reports_count(group):
    return lambda hs: hs.once("reviews", _review_counts)[group]


def _reports_rows(statuses):
    def rows(hs):
        from app.cooperatives.models import Cooperative
        from .models import MonthlyReport as R
        return (select(Cooperative.region_code, Cooperative.name).join(R, R.cooperative_id == Cooperative.id)
                .where(_report_cond(hs, statuses)).order_by(Cooperative.name))
    return rows


IN_REVIEW = ("submitted", "lurah_approved", "camat_approved", "approved")
REVIEW_GROUPS = {"approved": ("approved",), "in_review": ("submitted", "lurah_approved", "camat_approved")}


def _overdue_cond(hs):
    """Cooperatives with no report of last month in review or approved (none, sent back, or reopened)."""
    from app.cooperatives.models import Cooperative
    from .models import MonthlyReport as R
    year, month = hs.last_month
    done = select(R.cooperative_id).where(R.year == year, R.month == month, R.status.in_(IN_REVIEW))
    return and_(hs.where(Cooperative.id), Cooperative.id.notin_(done))


def _overdue_count(hs):
    return hs.once("reviews", _review_counts)["overdue"]


def _overdue_rows(hs):
    from app.cooperatives.models import Cooperative
    return select(Cooperative.region_code, Cooperative.name).where(_overdue_cond(hs)).order_by(Cooperative.name)


def _waiting(hs):
    from .services import waiting_count
    return waiting_count(hs.session, hs.user)


def _books(hs, key):
    """This month's books of the reader's cooperative(s), one statement over the kept balances."""
    from .figures import books_of
    return hs.once("books", lambda hs: books_of(hs.session, hs.coop_ids or (), hs.today.year,
                                                hs.today.month))[key]


def _last_month_state(hs):
    """(the ledger period's status, the monthly report's status) of last month, in one statement: the two figures
    of the books group read the same month."""
    from app.ledger.models import Period
    from .models import MonthlyReport as R
    year, month = hs.last_month
    report = (select(R.status).where(hs.where(R.cooperative_id), R.year == year, R.month == month)
              .limit(1).scalar_subquery())
    period = (select(Period.status).where(hs.where(Period.cooperative_id), Period.year == year,
                                          Period.month == month).limit(1).scalar_subquery())
    return tuple(hs.session.execute(select(period, report)).one())


def _month_close(hs):
    year, month = hs.last_month
    status = hs.once("last_month", _last_month_state)[0]
    label = f"{month:02d}/{year}"
    return f"{label}: " + str(_l("Ditutup") if status == "closed" else _l("Belum ditutup"))


def _review_status(hs):
    from .models import STATUS_LABELS
    year, month = hs.last_month
    status = hs.once("last_month", _last_month_state)[1]
    label = f"{month:02d}/{year}"
    return f"{label}: " + str(STATUS_LABELS.get(status, status) if status else _l("Belum diajukan"))


def _register_builtins():
    both = AREA_ROLES + COOP_ROLES
    register_figure("deposits_today", _l("Setoran simpanan hari ini (transaksi)"), _deposits_today_count,
                    COOP_ROLES, rows=_deposits_today_rows, group="today")
    register_figure("deposits_today_amount", _l("Setoran simpanan hari ini (rupiah)"), _deposits_today_amount,
                    COOP_ROLES, rows=_deposits_today_rows, kind="money", group="today")
    register_figure("members_pending", _l("Calon anggota menunggu persetujuan"),
                    lambda hs: _count(hs, _members(hs, _member_cond("pending")())), COOP_ROLES,
                    rows=_member_rows(_member_cond("pending")), group="today")
    register_figure("month_result", _l("Hasil usaha bulan ini"), lambda hs: _books(hs, "shu"), ("Pengurus",),
                    link="/laporan-keuangan/hasil-usaha/", kind="money", group="books")
    register_figure("kas_bank", _l("Kas dan bank"), lambda hs: _books(hs, "kas_bank"), ("Pengurus",),
                    link="/laporan-keuangan/posisi-keuangan/", kind="money", group="books")
    register_figure("month_close", _l("Tutup buku bulan lalu"), _month_close, COOP_ROLES, link="/periode/list/",
                    kind="text", group="books")
    register_figure("review_status", _l("Tinjauan laporan bulan lalu"), _review_status, ("Pengurus", "Sekretaris"),
                    link="/laporan-bulanan/list/", kind="text", group="books")
    for key, title, cond in FUNNEL:
        register_figure(key, title, _coop_count(key), AREA_ROLES, rows=_coop_rows(cond), group="legal",
                        chart="funnel")
    register_figure("members_l", _l("Anggota aktif laki-laki"), lambda hs: hs.once("sex", _by_sex)["L"], both,
                    rows=_member_rows(_member_cond("active_l")), group="members", chart="sex")
    register_figure("members_p", _l("Anggota aktif perempuan"), lambda hs: hs.once("sex", _by_sex)["P"], both,
                    rows=_member_rows(_member_cond("active_p")), group="members", chart="sex")
    register_figure("members_new", _l("Anggota baru bulan ini"),
                    lambda hs: _count(hs, _members(hs, _new_member_cond(hs)())), both,
                    rows=lambda hs: _member_rows(_new_member_cond(hs))(hs), group="members")
    register_figure("wajib_arrears", _l("Anggota menunggak simpanan wajib"), _arrears_count, both,
                    rows=_arrears_rows, group="members")
    register_figure("wajib_arrears_amount", _l("Jumlah tunggakan simpanan wajib"), _arrears_amount, both,
                    link="/simpanan/transaksi/tunggakan", kind="money", group="members")
    register_figure("months_reviewed", _l("Laporan bulan lalu disetujui Sudin"), _reports_count("approved"),
                    AREA_ROLES, rows=_reports_rows(REVIEW_GROUPS["approved"]), group="review")
    register_figure("months_in_review", _l("Laporan bulan lalu dalam tinjauan"),
                    _reports_count("in_review"), AREA_ROLES, rows=_reports_rows(REVIEW_GROUPS["in_review"]),
                    group="review")
    register_figure("months_overdue", _l("Laporan bulan lalu belum masuk"), _overdue_count, AREA_ROLES,
                    rows=_overdue_rows, group="review")
    register_figure("waiting", _l("Menunggu tindakan Anda"), _waiting, both, link="/laporan-bulanan/list/?menunggu=1",
                    group="review")


def _new_member_cond(hs):
    from app.members.models import Member
    start = _month_start(hs)
    return lambda: and_(Member.join_date >= start, Member.join_date <= hs.today,
                        Member.status.notin_(("permohonan", "ditolak")))


_register_builtins()
