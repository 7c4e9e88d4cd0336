"""``/pupuk/laporan/``: realisasi vs alokasi on screen and as xlsx (streamed), per level, type and season; a Lurah,
Camat or Sudin reads that of their area (the scope of the farmers' cooperatives)."""
from flask import Response, request, stream_with_context
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
        from app.core.dates import latest_today
        from app.extensions import db

        from .services import kg_text

        level, year, season, kind = _args()
        year = year or latest_today().year
        rows = realisation(db.session, level, year, season, kind)
        types = db.session.execute(select(PupukType).order_by(PupukType.id)).scalars().all()
        return self.render_template("pupuk/report.html", rows=rows, levels=LEVELS, level=level, year=year,
                                    season=season, kind=kind, seasons=SEASONS, types=types, kg=kg_text)

    @expose("/realisasi.xlsx")
    @has_access
    @permission_name("report")
    def xlsx(self):
        from app.core.dates import latest_today
        from app.core.xlsx import stream_xlsx
        from app.extensions import db

        level, year, season, kind = _args()
        year = year or latest_today().year
        rows = realisation(db.session, level, year, season, kind)
        title = f"Realisasi vs alokasi pupuk bersubsidi per {str(LEVELS[level]).lower()} {year}"
        response = Response(stream_with_context(stream_xlsx(title, HEADERS, as_rows(rows), sheet_name="Realisasi")),
                            content_type=XLSX)
        response.headers["Content-Disposition"] = f"attachment; filename=realisasi-pupuk-{level}-{year}.xlsx"
        return response
