"""The home page per role (drawn in place of the core landing page) and the list behind each figure."""
from flask import abort, g, render_template_string
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

    data = home_figures(g.user)
    groups = {}
    for fig in data["figures"]:
        groups.setdefault(fig.group, []).append(fig)
    charts = {}
    for fig in data["figures"]:
        if fig.chart:
            charts.setdefault(fig.chart, []).append({"label": str(fig.title), "value": int(fig.raw or 0)})
    return index_view.render_template("oversight/home.html", appbuilder=index_view.appbuilder,
                                      summary=dashboard_summary(), home=data, groups=groups, charts=charts)


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


def _waiting_text():
    from app.extensions import db

    from .services import waiting_count

    # Icon and count only: the menu must stay one row at 1366 px (and 125 % zoom) for Admin and Sudin too.
    user = getattr(g, "user", None)
    if user is None or not getattr(user, "is_authenticated", False):
        return gettext("Tinjauan")
    return f"({waiting_count(db.session, user)})"


def waiting_label():
    """The navbar entry's label, computed when the navbar is drawn (kept a minute per user by core.navbar)."""
    return LazyString(_waiting_text)


del render_template_string
