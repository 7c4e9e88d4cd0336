"""Pembukuan reports: neraca saldo, buku besar, buku kas and bank, the four financial statements, each for a month
or a year compared with the previous one, filterable by business unit, with a print-ready xlsx export; and the
Sudin's consolidated view of every cooperative of the city.

Thin views: the figures come from ``statements`` (SQL aggregates), the workbooks from ``statement_exports``. The
cooperative a report is for is looked up through the scoped session, so a cooperative outside the user's area is a
404, exactly like a missing one; so is a business unit or an account of another cooperative.
"""
import os

from flask import abort, after_this_request, g, request, send_file
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access, permission_name
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select

from app.cooperatives.models import BusinessUnit, Cooperative
from app.core.dates import local_today
from app.core.formatting import MONTHS
from app.core.scope import current_scope
from app.extensions import db

from . import services, statements
from .models import Account
from .statement_exports import filename, report_xlsx

MAX_COOPS_IN_SELECT = 500

# key -> (menu name (permission name, stable), label, builder)
REPORTS = {
    "neraca-saldo": ("Neraca Saldo", _l("Neraca saldo"), "trial_balance_report"),
    "buku-besar": ("Buku Besar", _l("Buku besar"), None),
    "buku-kas": ("Buku Kas", _l("Buku kas"), None),
    "buku-bank": ("Buku Bank", _l("Buku bank"), None),
    "posisi-keuangan": ("Laporan Posisi Keuangan", _l("Laporan posisi keuangan"), "financial_position"),
    "hasil-usaha": ("Laporan Hasil Usaha", _l("Laporan hasil usaha (PHU)"), "income_statement"),
    "perubahan-ekuitas": ("Laporan Perubahan Ekuitas", _l("Laporan perubahan ekuitas"), "equity_changes"),
    "arus-kas": ("Laporan Arus Kas", _l("Laporan arus kas"), "cash_flow"),
}
MENU_NAMES = [v[0] for v in REPORTS.values()]
CONSOLIDATED_MENU = "Laporan Konsolidasi"


def _int(name, default, low, high):
    raw = (request.args.get(name) or "").strip()
    if raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        abort(400)
    if not low <= value <= high:
        abort(400)
    return value


def requested_period(today, whole_year_by_default=False):
    """The period asked for; without ``bulan`` the current month of the current year, or (the city view, whose
    form offers "Setahun penuh" first) the whole year, which for the current year is the year to date."""
    year = _int("tahun", today.year, 2000, 2200)
    month_raw = request.args.get("bulan")
    if month_raw is None:
        month = today.month if year == today.year and not whole_year_by_default else None
    else:
        month = _int("bulan", None, 1, 12)
    return statements.ReportPeriod(year, month)


class _ReportBase(BaseView):
    def _send(self, report, code):
        path = report_xlsx(report, printed_by=getattr(g.user, "username", ""), zone=code)

        @after_this_request
        def _cleanup(response):
            try:
                os.remove(path)
            except OSError:
                pass
            return response

        return send_file(path, as_attachment=True, download_name=filename(report, code),
                         mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


class LedgerReportView(_ReportBase):
    """/laporan-keuangan/<key>/ (screen) and /laporan-keuangan/<key>/xlsx (export)."""

    route_base = "/laporan-keuangan"
    class_permission_name = "LedgerReport"
    default_view = "report"

    def _context(self):
        session = db.session
        scope = current_scope(session)
        coops = None
        if not scope.all:
            coops = session.execute(select(Cooperative).order_by(Cooperative.name)
                                    .limit(MAX_COOPS_IN_SELECT)).scalars().all()
        wanted = (request.args.get("koperasi") or "").strip()
        coop = None
        if wanted:
            # Usually one of the cooperatives the select already lists (no second query); else looked up, scoped.
            coop = next((c for c in coops or () if c.region_code == wanted or str(c.id) == wanted), None)
            if coop is None:
                cond = Cooperative.region_code == wanted
                if wanted.isdigit():
                    cond = or_(cond, Cooperative.id == int(wanted))
                coop = session.execute(select(Cooperative).where(cond)).scalar()
            if coop is None:
                abort(404)
        elif coops is not None and len(coops) == 1:
            coop = coops[0]
        ctx = dict(coops=coops, coop=coop, units=[], unit=None, accounts=[], account=None)
        if coop is None:
            return ctx
        ctx["period"] = requested_period(services.local_today(coop))
        ctx["units"] = session.execute(select(BusinessUnit).where(BusinessUnit.cooperative_id == coop.id)
                                       .order_by(BusinessUnit.id)).scalars().all()
        unit_id = (request.args.get("unit") or "").strip()
        if unit_id:
            if not unit_id.isdigit():
                abort(404)
            ctx["unit"] = next((u for u in ctx["units"] if u.id == int(unit_id)), None)
            if ctx["unit"] is None:
                abort(404)
        return ctx

    def _build(self, key, ctx, all_lines=False):
        session = db.session
        coop, period, unit = ctx["coop"], ctx["period"], ctx["unit"]
        unit_id, unit_label = (unit.id, str(unit.kind_label)) if unit else (None, "")
        if key in ("buku-besar", "buku-kas", "buku-bank"):
            if key == "buku-besar":
                ctx["accounts"] = session.execute(select(Account).where(Account.cooperative_id == coop.id,
                                                                        Account.is_header.is_(False))
                                                  .order_by(Account.code)).scalars().all()
                code = (request.args.get("akun") or services.account_code(session, coop.id, "kas")).strip()
                account = next((a for a in ctx["accounts"] if a.code == code), None)
                if account is None:
                    abort(404)
                ctx["account"] = account
                ids, title = [account.id], f"Buku Besar {account.code} {account.name}"
            else:
                purpose = "kas" if key == "buku-kas" else "bank"
                ids = statements.purpose_account_ids(session, coop.id, purpose)
                title = "Buku Kas" if purpose == "kas" else "Buku Bank"
            page = _int("halaman", 1, 1, 10 ** 6)
            return statements.ledger_report(session, coop, period, ids, title, key, unit_id, unit_label,
                                            page=page, all_lines=all_lines)
        builder = getattr(statements, REPORTS[key][2])
        return builder(session, coop, period, unit_id, unit_label)

    @expose("/<key>/")
    @has_access
    @permission_name("read")
    def report(self, key="neraca-saldo"):
        if key not in REPORTS:
            abort(404)
        ctx = self._context()
        report = self._build(key, ctx) if ctx["coop"] is not None else None
        args = {k: v for k, v in request.args.items() if k != "halaman"}
        return self.render_template("ledger/reports/report.html", key=key, reports=REPORTS, report=report,
                                    title=str(REPORTS[key][1]), args=args, months=MONTHS,
                                    can_export=self.appbuilder.sm.has_access("can_export",
                                                                             self.class_permission_name),
                                    **ctx)

    @expose("/<key>/xlsx")
    @has_access
    @permission_name("export")
    def export(self, key):
        if key not in REPORTS:
            abort(404)
        ctx = self._context()
        if ctx["coop"] is None:
            abort(404)
        report = self._build(key, ctx, all_lines=True)
        return self._send(report, ctx["coop"].region_code)


class LedgerConsolidatedView(_ReportBase):
    """The Sudin's view of every cooperative of the city (Admin: any city or province, by its code)."""

    route_base = "/laporan-konsolidasi"
    class_permission_name = "LedgerConsolidated"
    default_view = "report"

    def _city(self):
        scope = current_scope(db.session)
        wanted = (request.args.get("kota") or "").strip()
        if scope.all:
            city = wanted or "31.73"
        else:
            region = getattr(g.user, "scope_region_code", None) or ""
            if region.count(".") == 1:
                city = region
            elif region.count(".") == 0 and region and (wanted == region or wanted.startswith(region + ".")):
                city = wanted
            else:
                abort(404)
        # A city (31.73), or for Admin and province users a whole province (31).
        if not ((len(city) == 5 and city[2] == "." and city.replace(".", "").isdigit())
                or (len(city) == 2 and city.isdigit())):
            abort(404)
        return city

    def _build(self):
        from types import SimpleNamespace

        from app.core.formatting import tanggal

        city = self._city()
        today = local_today(SimpleNamespace(region_code=city))  # the city's own zone (WIB, WITA or WIT)
        period = requested_period(today, whole_year_by_default=True)
        report = statements.consolidated(db.session, city, period)
        if period.month is None and period.year == today.year:
            # say what is shown: the running year up to today, not a full year that has not happened yet
            report.period = gettext("Tahun %(y)s (1 Januari sampai %(d)s)", y=period.year, d=tanggal(today))
        return city, period, report

    @expose("/")
    @has_access
    @permission_name("read")
    def report(self):
        city, period, report = self._build()
        args = dict(request.args)
        return self.render_template("ledger/reports/consolidated.html", report=report, city=city, args=args,
                                    period=period,
                                    months=MONTHS, title=report.title,
                                    can_export=self.appbuilder.sm.has_access("can_export",
                                                                             self.class_permission_name))

    @expose("/xlsx")
    @has_access
    @permission_name("export")
    def export(self):
        city, _period, report = self._build()
        return self._send(report, city)


def register(appbuilder):
    """Menu entries under Pembukuan (called from app.ledger.register)."""
    appbuilder.add_view_no_menu(LedgerReportView)
    appbuilder.add_view_no_menu(LedgerConsolidatedView)
    appbuilder.add_separator("Pembukuan")
    icons = {"neraca-saldo": "fa-balance-scale", "buku-besar": "fa-book-open", "buku-kas": "fa-money-bill",
             "buku-bank": "fa-university", "posisi-keuangan": "fa-file-invoice", "hasil-usaha": "fa-chart-line",
             "perubahan-ekuitas": "fa-exchange-alt", "arus-kas": "fa-water"}
    for key, (name, label, _builder) in REPORTS.items():
        appbuilder.add_link(name, label=label, href=f"/laporan-keuangan/{key}/", icon=icons[key],
                            category="Pembukuan")
    appbuilder.add_link(CONSOLIDATED_MENU, label=_l("Laporan konsolidasi kota"), href="/laporan-konsolidasi/",
                        icon="fa-city", category="Pembukuan")
