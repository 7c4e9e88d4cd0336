"""``/pupuk/laporan/``: realisasi vs alokasi on screen and as xlsx (streamed), per level, type and season; a Lurah,
Camat or Sudin reads that of their area (the scope of the farmers' cooperatives)."""
from flask import Response, g, request, stream_with_context
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access, permission_name
from sqlalchemy import select

from .models import SEASONS, PupukType
from .reports import HEADERS, LEVELS, as_rows, realisation

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _args():
    level = request.args.get("tingkat", "kecamatan")
    level = level if level in LEVELS else "kecamatan"
    year = request.args.get("tahun", "")
    season = request.args.get("mt", "")
    kind = request.args.get("jenis", "")
    return level, (int(year) if year.isdigit() else None), (int(season) if season in ("1", "2", "3") else None), \
        (int(kind) if kind.isdigit() else None)


class PupukReportView(BaseView):
    route_base = "/pupuk/laporan"
    class_permission_name = "PupukReport"
    default_view = "index"

    @expose("/")
    @has_access
    @permission_name("report")
    def index(self):
        from app.cooperatives.services import user_today
        from app.extensions import db

        from .services import kg_text

        level, year, season, kind = _args()
        year = year or user_today(db.session, g.user).year
        rows = realisation(db.session, level, year, season, kind)
        types = db.session.execute(select(PupukType).order_by(PupukType.id)).scalars().all()
        return self.render_template("pupuk/report.html", rows=rows, levels=LEVELS, level=level, year=year,
                                    season=season, kind=kind, seasons=SEASONS, types=types, kg=kg_text)

    @expose("/realisasi.xlsx")
    @has_access
    @permission_name("report")
    def xlsx(self):
        from app.cooperatives.services import user_today
        from app.core.xlsx import stream_xlsx
        from app.extensions import db

        level, year, season, kind = _args()
        year = year or user_today(db.session, g.user).year
        rows = realisation(db.session, level, year, season, kind)
        title = f"Realisasi vs alokasi pupuk bersubsidi per {str(LEVELS[level]).lower()} {year}"
        response = Response(stream_with_context(stream_xlsx(title, HEADERS, as_rows(rows), sheet_name="Realisasi")),
                            content_type=XLSX)
        response.headers["Content-Disposition"] = f"attachment; filename=realisasi-pupuk-{level}-{year}.xlsx"
        return response

    def _monthly(self):
        """The cooperative (among those the reader sees: the session's tenant filter), year and month asked for."""
        from app.cooperatives.models import Cooperative
        from app.cooperatives.services import user_today
        from app.core.dates import local_today
        from app.extensions import db

        from .reports_monthly import monthly_distributor_report

        coops = db.session.execute(select(Cooperative).order_by(Cooperative.name).limit(500)).scalars().all()
        wanted = request.args.get("koperasi", "")
        coop = next((c for c in coops if str(c.id) == wanted), coops[0] if coops else None)
        # the month in the cooperative's own time zone (the reader's, before a cooperative is chosen)
        today = local_today(coop) if coop else user_today(db.session, g.user)
        year = request.args.get("tahun", "")
        month = request.args.get("bulan", "")
        year = int(year) if year.isdigit() and 2000 <= int(year) <= 2100 else today.year
        month = int(month) if month.isdigit() and 1 <= int(month) <= 12 else today.month
        report = monthly_distributor_report(db.session, coop.id, year, month) if coop else {"rows": [],
                                                                                          "farmers_served": 0}
        return coops, coop, year, month, report

    @expose("/bulanan")
    @has_access
    @permission_name("report")
    def monthly(self):
        from .services import kg_text

        coops, coop, year, month, report = self._monthly()
        return self.render_template("pupuk/monthly.html", coops=coops, coop=coop, year=year, month=month,
                                    report=report, kg=kg_text)

    @expose("/bulanan.xlsx")
    @has_access
    @permission_name("report")
    def monthly_xlsx(self):
        from app.core.xlsx import stream_xlsx

        coops, coop, year, month, report = self._monthly()
        headers = ["Jenis pupuk", "Stok awal (kg)", "Diterima (kg)", "Ditebus petani (kg)", "Lain-lain (kg)",
                   "Stok akhir (kg)"]
        rows = [[r["pupuk_type"], float(r["opening_kg"]), float(r["received_kg"]), float(r["redeemed_kg"]),
                 float(r["other_kg"]), float(r["closing_kg"])] for r in report["rows"]]
        rows.append(["Jumlah petani dilayani", report["farmers_served"], "", "", "", ""])
        title = f"Laporan bulanan penyaluran pupuk bersubsidi {coop.name if coop else ''} {month:02d}/{year}"
        response = Response(stream_with_context(stream_xlsx(title, headers, iter(rows), sheet_name="Bulanan")),
                            content_type=XLSX)
        response.headers["Content-Disposition"] = f"attachment; filename=pupuk-bulanan-{year}-{month:02d}.xlsx"
        return response
