"""Reading the audit and security logs (Pengawasan): Admin sees everything, a Sudin their city. No path writes them.

Both lists speak Indonesian (app/core/audit_present.py), filter by user, cooperative, kind and date through plain
GET parameters (``pengguna``, ``koperasi``, ``aksi``, ``dari``, ``sampai``: the export carries them too) and
export as xlsx or CSV through the list export of app/core/views.py.
"""
from datetime import date, datetime, time, timedelta, timezone

from flask import request
from flask_appbuilder import expose
from flask_appbuilder.models.filters import BaseFilter
from flask_appbuilder.security.decorators import has_access, permission_name
from flask_babel import lazy_gettext as _l
from sqlalchemy import false, func, or_, select

from . import audit_names
from .audit import AuditEvent
from .audit_present import present, present_security
from .dates import parse_date
from .formatting import tanggal
from .interface import KkmpInterface
from .scope import current_scope
from .security_log import SecurityEvent
from .views import KkmpModelView


def _day_arg(name):
    """A ``dari``/``sampai`` date from the URL, read by the one date parser (dd/mm/yyyy as the filter's date box
    sends it, or ISO from an older link); None if absent or no real date."""
    return parse_date(request.args.get(name))


def _viewer_zone():
    """Days in the filters are the viewer's days: a Sudin's city zone, WIB for Admin."""
    scope = current_scope()
    return audit_names.zone_of(None if scope.all else scope.create_region)


def _utc_start_of(day):
    local = datetime.combine(day, time.min, tzinfo=_viewer_zone())
    return local.astimezone(timezone.utc).replace(tzinfo=None)


class _RequestFilter(BaseFilter):
    """The filter form's GET parameters, applied under the scope (list and export alike)."""

    name = "filters"
    arg_name = None
    user_column = "username"
    kind_column = "action"
    coop_columns = ("cooperative_id",)

    def apply(self, query, value):
        model = self.datamodel.obj
        user = (request.args.get("pengguna") or "").strip()
        if user:
            query = query.filter(getattr(model, self.user_column) == user)
        kind = (request.args.get("aksi") or "").strip()
        if kind:
            query = query.filter(getattr(model, self.kind_column) == kind)
        coop = request.args.get("koperasi", "")
        if coop.isdigit():
            query = query.filter(or_(*[getattr(model, c) == int(coop) for c in self.coop_columns]))
        start, end = _day_arg("dari"), _day_arg("sampai")
        if start:
            query = query.filter(model.occurred_at >= _utc_start_of(start))
        if end:
            query = query.filter(model.occurred_at < _utc_start_of(end + timedelta(days=1)))
        return query


class AuditScopeFilter(BaseFilter):
    """Audit rows are not tenant rows (security events have no cooperative), so they get their own filter."""

    name = "scope"
    arg_name = None

    def apply(self, query, value):
        scope = current_scope()
        if scope.all:
            return query
        clauses = []
        if scope.read_ids:
            clauses.append(AuditEvent.cooperative_id.in_(tuple(scope.read_ids)))
        if scope.create_region:  # a Sudin: security events of users in their city
            clauses.append(AuditEvent.region_code.like(scope.create_region + "%"))
        return query.filter(or_(*clauses) if clauses else false())


class SecurityScopeFilter(BaseFilter):
    """A Sudin sees the attempts of their city's users and the attempts on their city's cooperatives."""

    name = "scope"
    arg_name = None

    def apply(self, query, value):
        return query.filter(security_scope_condition())


def security_scope_condition():
    scope = current_scope()
    if scope.all:
        return SecurityEvent.id.isnot(None)
    clauses = []
    if scope.read_ids:
        ids = tuple(scope.read_ids)
        clauses += [SecurityEvent.cooperative_id.in_(ids), SecurityEvent.actor_cooperative_id.in_(ids)]
    if scope.create_region:
        clauses.append(SecurityEvent.actor_region_code.like(scope.create_region + "%"))
    return or_(*clauses) if clauses else false()


def _visible_users():
    """(username, full name) of the users whose events this viewer may read, for the filter's suggestions."""
    from app.extensions import db
    from flask import current_app

    users = current_app.appbuilder.sm.user_model.__table__
    scope = current_scope()
    statement = select(users.c.username, users.c.first_name, users.c.last_name).order_by(users.c.username)
    if not scope.all:
        clauses = []
        if scope.read_ids:
            clauses.append(users.c.scope_cooperative_id.in_(tuple(scope.read_ids)))
        if scope.create_region:
            clauses.append(users.c.scope_region_code.like(scope.create_region + "%"))
        statement = statement.where(or_(*clauses) if clauses else false())
    return [(r.username, " ".join(p for p in (r.first_name, r.last_name) if p))
            for r in db.session.execute(statement.limit(500))]


def _visible_cooperatives():
    from app.extensions import db

    scope = current_scope()
    if scope.all:
        return []  # everyone's: too many for a list; Admin filters by user, kind and date
    names = audit_names.cooperatives(db.session, scope.read_ids)
    return sorted(((i, n[0]) for i, n in names.items()), key=lambda p: p[1])


class _LogView(KkmpModelView):
    list_template = "kkmp/audit_list.html"
    base_permissions = ["can_list", "can_show", "can_export"]
    base_order = ("id", "desc")
    # Newest first, narrowed by the form above the list (user, action, cooperative, dates: _RequestFilter), each
    # over an index; no FAB search form or column sort (FAB would sort by a column named in the URL and, with no
    # search columns, search every column, the JSON of the changes included).
    offered_searches = ()
    offered_orders = ()
    # The list's own URL arguments and their kind, for tests/test_fast_paths.py.
    # SQL statements a page may take (tests/test_fast_paths.py; other lists 8): the log names the records of a page
    # with one statement per kind of record on it (audit_present), up to one per audited table.
    # (16 before the inventory, SHU, oversight and jobs tables joined the log; batching the names across kinds
    # into one statement is left to do)
    list_statement_budget = 24
    list_args = {"pengguna": "username", "aksi": "text", "koperasi": "cooperative", "dari": "date", "sampai": "date"}
    kind_labels = {}

    def prepare_list_items(self, items):
        present(self.datamodel.session, items)

    def export_rows(self, query, columns):
        chunk = []
        for item in query.yield_per(500):
            chunk.append(item)
            if len(chunk) == 500:
                yield from self._rows(chunk, columns)
                chunk = []
        yield from self._rows(chunk, columns)

    def _rows(self, items, columns):
        from .views import _plain

        present(self.datamodel.session, items)
        for item in items:
            yield [_plain(self._get_export_value(item, col)) for col in columns]

    def render_template(self, template, **kwargs):
        if template == self.list_template:
            kwargs.update(kkmp_filter_users=_visible_users(), kkmp_filter_coops=_visible_cooperatives(),
                          kkmp_filter_kinds=[(k, str(v)) for k, v in self.kind_labels.items()],
                          kkmp_filter_args={k: request.args.get(k, "") for k in ("pengguna", "koperasi", "aksi")})
            # The date boxes show what was read, as dd/mm/yyyy (an ISO link shows as the box would write it).
            kwargs["kkmp_filter_args"].update({k: tanggal(_day_arg(k)) or request.args.get(k, "")
                                               for k in ("dari", "sampai")})
        return super().render_template(template, **kwargs)


class AuditFilter(_RequestFilter):
    pass


class AuditEventView(_LogView):
    datamodel = KkmpInterface(AuditEvent)
    class_permission_name = "AuditEvent"
    route_base = "/log-audit"
    base_filters = [["id", AuditScopeFilter, None], ["id", AuditFilter, None]]
    list_title = _l("Log audit")
    show_title = _l("Peristiwa audit")
    kind_labels = audit_names.ACTION_LABELS
    list_columns = ["when_local", "actor_name", "action_label", "record_label", "cooperative_name", "changes_text"]
    show_columns = ["when_local", "actor_name", "action_label", "record_label", "cooperative_name", "changes_text",
                    "remote_addr"]
    export_columns = list_columns + ["remote_addr"]
    label_columns = {"when_local": _l("Waktu"), "actor_name": _l("Pengguna"), "action_label": _l("Aksi"),
                     "record_label": _l("Data"), "cooperative_name": _l("Koperasi"),
                     "changes_text": _l("Perubahan"), "remote_addr": _l("Alamat IP")}


class SecurityFilter(_RequestFilter):
    kind_column = "kind"
    coop_columns = ("cooperative_id", "actor_cooperative_id")


class SecurityEventView(_LogView):
    """Refused attempts (app/core/security_log.py), with a count per user and day (``/log-keamanan/harian``)."""

    datamodel = KkmpInterface(SecurityEvent)
    class_permission_name = "AuditEvent"
    route_base = "/log-keamanan"
    base_filters = [["id", SecurityScopeFilter, None], ["id", SecurityFilter, None]]
    list_title = _l("Log keamanan")
    show_title = _l("Percobaan yang ditolak")
    kind_labels = audit_names.SECURITY_KIND_LABELS
    list_columns = ["when_local", "actor_name", "kind_label", "record_label", "count", "remote_addr"]
    show_columns = ["when_local", "actor_name", "kind_label", "record_label", "count", "remote_addr", "method",
                    "path"]
    export_columns = show_columns
    label_columns = {"when_local": _l("Waktu"), "actor_name": _l("Pengguna"), "kind_label": _l("Jenis"),
                     "record_label": _l("Data"), "count": _l("Jumlah"), "remote_addr": _l("Alamat IP"),
                     "method": _l("Metode"), "path": _l("Alamat halaman")}

    def prepare_list_items(self, items):
        present_security(self.datamodel.session, items)

    def _rows(self, items, columns):
        from .views import _plain

        present_security(self.datamodel.session, items)
        for item in items:
            yield [_plain(self._get_export_value(item, col)) for col in columns]

    @expose("/harian")
    @has_access
    @permission_name("list")
    def daily(self):
        """How many refused attempts per user (or address) and day, in the viewer's days."""
        from app.extensions import db

        start = _day_arg("dari") or (datetime.now(timezone.utc).astimezone(_viewer_zone()).date()
                                     - timedelta(days=30))
        zone = _viewer_zone()
        offset_hours = int(datetime.now(zone).utcoffset().total_seconds() // 3600)  # Indonesia keeps no DST
        shifted = SecurityEvent.occurred_at + timedelta(hours=offset_hours)
        if db.engine.dialect.name == "sqlite":
            day = func.date(SecurityEvent.occurred_at, f"+{offset_hours} hours")
        else:
            day = func.date(shifted)
        who = func.coalesce(SecurityEvent.username, SecurityEvent.remote_addr)
        rows = db.session.execute(
            select(day.label("day"), who.label("who"), SecurityEvent.kind, func.sum(SecurityEvent.count))
            .where(security_scope_condition(), SecurityEvent.occurred_at >= _utc_start_of(start))
            .group_by(day, who, SecurityEvent.kind).order_by(day.desc(), func.sum(SecurityEvent.count).desc())
            .limit(1000)).all()
        table = [(d if isinstance(d, date) else date.fromisoformat(str(d)), w, str(audit_names.security_kind_label(k)),
                  int(n)) for d, w, k, n in rows]
        return self.render_template("kkmp/security_daily.html", rows=table, start=start,
                                    title=_l("Percobaan ditolak per pengguna dan hari"))

