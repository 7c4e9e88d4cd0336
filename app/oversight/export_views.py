"""``/ekspor-simkopdes/``: the SIMKOPDES-shaped tables of the reader's area, as xlsx or CSV (exports.py)."""
import os

from flask import Response, abort, request, send_file, stream_with_context
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access, permission_name

from .exports import TABLES


class SimkopdesExportView(BaseView):
    route_base = "/ekspor-simkopdes"
    class_permission_name = "SimkopdesExport"
    default_view = "index"

    @expose("/")
    @has_access
    @permission_name("export")
    def index(self):
        from app.cooperatives.services import picker_choices
        from app.extensions import db

        return self.render_template("oversight/simkopdes.html", tables=list(TABLES),
                                    coops=picker_choices(db.session), koperasi=request.args.get("koperasi", ""))

    @expose("/<table>.<fmt>")
    @has_access
    @permission_name("export")
    def download(self, table, fmt):
        from app.cooperatives.models import Cooperative
        from app.extensions import db

        if table not in TABLES or fmt not in ("xlsx", "csv"):
            abort(404)
        session = db.session
        wanted = request.args.get("koperasi", "")
        coop_id = None
        if wanted:
            if not wanted.isdigit() or session.get(Cooperative, int(wanted)) is None:
                abort(404)  # outside the area looks like missing
            coop_id = int(wanted)
        headers, rows = TABLES[table](session, coop_id)
        if fmt == "csv":
            from app.core.csv_export import csv_chunks

            response = Response(stream_with_context(csv_chunks(headers, rows)), content_type="text/csv; charset=utf-8")
            response.headers["Content-Disposition"] = f"attachment; filename={table}.csv"
            return response
        from app.core.xlsx import write_xlsx

        path = write_xlsx(table, headers, rows, sheet_name=table[:31])
        response = send_file(path, as_attachment=True, download_name=f"{table}.xlsx",
                             mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        response.call_on_close(lambda: os.remove(path))
        return response
