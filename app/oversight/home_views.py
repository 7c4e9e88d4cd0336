"""The home page per role (drawn in place of the core landing page), the list behind each figure, and the xlsx/CSV
export of every table on it (the figures' lists and the home tables, app/oversight/tables.py)."""
import os

from flask import Response, abort, g, render_template_string, send_file, stream_with_context
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access, permission_name
from flask_babel import LazyString, gettext
from sqlalchemy import func, select

from .home import home_figures, registered

DETAIL_LIMIT = 500


def render_home(index_view):
    """The signed-in landing page: the figures of the reader's role, and (for everyone, as before) the legal
    readiness of the cooperatives in their area."""
    from app.cooperatives.services import dashboard_summary

    from .tables import tables_for

    data = home_figures(g.user)
    summary = data["home_scope"].once("summary", lambda hs: dashboard_summary(hs.session))
    tables = {t.key: (t, rows, more) for t, rows, more in tables_for(data["home_scope"])}
    table_groups = {}
    for key, (table, _rows, _more) in tables.items():
        if key not in ("legal_stages", "lagging"):  # those two stay in the legal summary below the figures
            table_groups.setdefault(table.group, []).append(key)
    groups = {}
    for fig in data["figures"]:
        groups.setdefault(fig.group, []).append(fig)
    charts = {}
    for fig in data["figures"]:
        if fig.chart:
            charts.setdefault(fig.chart, []).append({"label": str(fig.title), "value": int(fig.raw or 0)})
    return index_view.render_template("oversight/home.html", appbuilder=index_view.appbuilder,
                                      summary=summary,
                                      home=data, groups=groups, charts=charts, tables=tables,
                                      table_groups=table_groups)


class HomeDetailView(BaseView):
    """``/beranda/rincian/<key>``: the rows a home-page figure counts, in the reader's area."""

    route_base = "/beranda"
    class_permission_name = "Dashboard"
    default_view = "detail"

    @expose("/rincian/<key>")
    @has_access
    @permission_name("get")
    def detail(self, key):
        from .home import home_scope, role_of

        fig = registered().get(key)
        if fig is None or fig.rows is None or role_of(g.user) not in fig.roles:
            abort(404)
        hs = home_scope(g.user)
        stmt = fig.rows(hs)
        total = hs.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
        rows = hs.session.execute(stmt.limit(DETAIL_LIMIT)).all()
        return self.render_template("oversight/detail.html", title=str(fig.title), rows=rows, total=total,
                                    limit=DETAIL_LIMIT, figure_key=key)

    @expose("/rincian/<key>/unduh/<fmt>")
    @has_access
    @permission_name("get")
    def detail_export(self, key, fmt):
        """Every row a figure counts (no page limit), in the reader's area."""
        from flask_babel import gettext as _

        from .home import home_scope, role_of

        fig = registered().get(key)
        if fmt not in EXPORT_FORMATS or fig is None or fig.rows is None or role_of(g.user) not in fig.roles:
            abort(404)
        hs = home_scope(g.user)
        stmt = fig.rows(hs)
        rows = (list(r) for r in hs.session.execute(stmt).yield_per(1000))
        return _export(f"rincian-{key}", str(fig.title), [_("Data"), _("Koperasi")], rows, fmt)

    @expose("/tabel/<key>/unduh/<fmt>")
    @has_access
    @permission_name("get")
    def table_export(self, key, fmt):
        """A home-page table whole (the page shows its first rows), in the reader's area."""
        from .home import home_scope, role_of
        from .tables import registered_tables

        table = registered_tables().get(key)
        if fmt not in EXPORT_FORMATS or table is None or role_of(g.user) not in table.roles:
            abort(404)
        hs = home_scope(g.user)
        return _export(f"beranda-{key}", str(table.title), [str(h) for h in table.headers], table.rows(hs), fmt)


EXPORT_FORMATS = ("xlsx", "csv")


def _export(name, title, headers, rows, fmt):
    headers = [str(h) for h in headers]
    if fmt == "csv":
        from app.core.csv_export import csv_chunks

        response = Response(stream_with_context(csv_chunks(headers, rows)), content_type="text/csv; charset=utf-8")
        response.headers["Content-Disposition"] = f"attachment; filename={name}.csv"
        return response
    from app.core.xlsx import write_xlsx

    path = write_xlsx(title, headers, rows, sheet_name=title[:31])
    response = send_file(path, as_attachment=True, download_name=f"{name}.xlsx",
                         mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response.call_on_close(lambda: os.remove(path))
    return response


def _waiting_text():
    from app.extensions import db

    from .services import waiting_count

    # Icon and count only: the menu must stay one row at 1366 px (and 125 % zoom) for Admin and Sudin too.
    user = getattr(g, "user", None)
    if user is None or not getattr(user, "is_authenticated", False):
        return gettext("Tinjauan")
    # The navbar reads the label more than once while it is drawn: one COUNT per request, not one per reading.
    text = g.get("_kkmp_waiting_text")
    if text is None:
        text = g._kkmp_waiting_text = f"({waiting_count(db.session, user)})"
    return text


def waiting_label():
    """The navbar entry's label, computed when the navbar is drawn (kept a minute per user by core.navbar)."""
    return LazyString(_waiting_text)


del render_template_string
