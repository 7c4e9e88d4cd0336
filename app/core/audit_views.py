"""Reading the audit log: Admin sees everything, a Sudin the events of their city. No path writes it."""
from flask_appbuilder.models.filters import BaseFilter
from .interface import KkmpInterface
from flask_babel import lazy_gettext as _l
from sqlalchemy import false, or_

from .audit import AuditEvent, redact_payload
from .scope import current_scope
from .views import KkmpModelView


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


class AuditEventView(KkmpModelView):
    datamodel = KkmpInterface(AuditEvent)
    class_permission_name = "AuditEvent"
    route_base = "/log-audit"
    base_permissions = ["can_list", "can_show"]
    base_filters = [["id", AuditScopeFilter, None]]
    base_order = ("id", "desc")
    list_title = _l("Log audit")
    show_title = _l("Peristiwa audit")
    list_columns = ["occurred_at", "username", "action", "table_name", "record_id", "cooperative_id"]
    show_columns = ["occurred_at", "username", "action", "table_name", "record_id", "cooperative_id", "region_code",
                    "before", "after", "remote_addr"]
    search_columns = ["username", "action", "table_name", "record_id"]
    order_columns = ["occurred_at"]
    label_columns = {"occurred_at": _l("Waktu (UTC)"), "username": _l("Pengguna"), "action": _l("Aksi"),
                     "table_name": _l("Tabel"), "record_id": _l("ID data"), "cooperative_id": _l("ID koperasi"),
                     "region_code": _l("Kode wilayah"), "before": _l("Sebelum"), "after": _l("Sesudah"),
                     "remote_addr": _l("Alamat IP")}
    formatters_columns = {"before": redact_payload, "after": redact_payload}

    def _get_export_value(self, item, col):
        value = super()._get_export_value(item, col)
        return redact_payload(value) if col in ("before", "after") else value
