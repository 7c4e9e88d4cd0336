"""The append-only audit log: who changed what, when (UTC), with the values before and after.

Rows are written by a session listener in the same transaction as the change they describe, so a change and its
audit row commit together or not at all, whatever path made the change (screens, API, CLI, services). Nothing
edits or deletes an audit row: the ORM refuses it, and on PostgreSQL a trigger refuses it below the ORM.
"""
import json
import logging
from datetime import date, datetime
from decimal import Decimal

from flask import g, has_request_context, request
from flask_appbuilder import Model
from sqlalchemy import Column, DateTime, Index, Integer, String, Text, event, insert, inspect
from sqlalchemy.orm import attributes

from .nik import birth_year_text, mask_nik

log = logging.getLogger(__name__)

# Values that never go into the audit log (they are secrets, or noise recorded by FAB on every login).
SECRET_FIELDS = {"password"}
# Personal identifiers are logged masked: the audit log is read by supervisors who may not see them in full, and
# a NIK's middle six digits are the birth date, so the birth date is logged by its year only (app/core/nik.py).
# Any table's column of these names is masked: the coming farmer and LPG buyer records need nothing more.
MASKED_FIELDS = {"nik": mask_nik, "birth_date": birth_year_text}
NOISE_FIELDS = {"nik_hmac", "last_login", "login_count", "fail_login_count", "changed_on", "updated_at", "created_on",
                "created_at", "version"}
# FAB's permission bookkeeping is rewritten by `kkmp init`; role grants are logged through the user.
SKIPPED_TABLES = {"audit_event", "ab_permission", "ab_view_menu", "ab_permission_view",
                  "ab_permission_view_role", "ab_register_user", "ab_api_key"}


class AuditEvent(Model):
    __tablename__ = "audit_event"

    id = Column(Integer, primary_key=True)
    occurred_at = Column(DateTime, nullable=False)  # UTC, naive
    user_id = Column(Integer, nullable=True)
    username = Column(String(100), nullable=True)
    action = Column(String(20), nullable=False, index=True)
    table_name = Column(String(60), nullable=True, index=True)
    record_id = Column(String(40), nullable=True)
    cooperative_id = Column(Integer, nullable=True, index=True)
    region_code = Column(String(13), nullable=True, index=True)
    before = Column(Text, nullable=True)
    after = Column(Text, nullable=True)
    remote_addr = Column(String(45), nullable=True)

    # The log, newest first: of a cooperative, of a user, of a stretch of days; a Sudin's by region prefix
    # (a LIKE prefix needs a pattern index where the collation is not C). Migration fastpaths001.
    __table_args__ = (
        Index("ix_audit_event_coop_id", "cooperative_id", "id"),
        Index("ix_audit_event_username_id", "username", "id"),
        Index("ix_audit_event_occurred", "occurred_at"),
        Index("ix_audit_event_region_pat", "region_code", postgresql_ops={"region_code": "varchar_pattern_ops"},
              info={"dialects": ("postgresql",)}),
    )

    def __repr__(self):
        return f"{self.occurred_at:%Y-%m-%d %H:%M:%S} {self.username} {self.action} {self.table_name}#{self.record_id}"

    # What the audit screens and exports show (app/core/audit_present.py names a whole page at once).
    @property
    def when_local(self):
        return _presented(self, "when")

    @property
    def actor_name(self):
        return _presented(self, "who")

    @property
    def action_label(self):
        return _presented(self, "action")

    @property
    def record_label(self):
        return _presented(self, "record")

    @property
    def cooperative_name(self):
        return _presented(self, "cooperative")

    @property
    def changes_text(self):
        return _presented(self, "changes")


def _presented(row, key):
    from .audit_present import presented

    return presented(row, key)


def utcnow():
    """Naive UTC for audit and posting times, from the one clock (app.core.dates.utc_now, the tests' seam)."""
    from .dates import utc_now

    return utc_now().replace(tzinfo=None)


def _jsonable(value):
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "__table__"):
        return str(inspect(value).identity[0]) if inspect(value).identity else None
    return value


def _dump(values):
    return json.dumps({k: _jsonable(v) for k, v in sorted(values.items())}, ensure_ascii=False) if values else None


def _actor():
    if not has_request_context():
        return None, "system", None
    user = g.get("user") or g.get("_login_user")
    if user is None or getattr(user, "is_anonymous", True):
        return None, None, request.remote_addr
    state = inspect(user)
    user_id = state.identity[0] if state.identity else None
    username = state.dict.get("username")  # never trigger a refresh from inside a flush
    return user_id, username, request.remote_addr


def _coop_and_region(obj):
    # A model that owns itself (the cooperative) says so through ``audit_owner``: core imports no domain.
    owner = getattr(obj, "audit_owner", None)
    if owner is not None:
        return owner
    coop_id = getattr(obj, "cooperative_id", None)
    if coop_id is None and getattr(obj, "cooperative", None) is not None:
        coop_id = obj.cooperative.id
    region = getattr(obj, "scope_region_code", None)
    if coop_id is None:
        coop_id = getattr(obj, "scope_cooperative_id", None)
    return coop_id, region


def _columns(obj):
    return [c for c in inspect(obj).mapper.column_attrs]


def _changes(obj):
    """(before, after) of the changed columns and role collections of a dirty object."""
    state = inspect(obj)
    before, after = {}, {}
    for prop in _columns(obj):
        key = prop.key
        if key in NOISE_FIELDS:
            continue
        hist = state.attrs[key].history
        if not hist.has_changes():
            continue
        old = hist.deleted[0] if hist.deleted else None
        new = hist.added[0] if hist.added else None
        if key in SECRET_FIELDS:
            before[key], after[key] = "***", "*** (changed)"
        elif key in MASKED_FIELDS:
            before[key], after[key] = MASKED_FIELDS[key](old), MASKED_FIELDS[key](new)
        else:
            before[key], after[key] = old, new
    if "roles" in state.attrs:
        hist = state.attrs["roles"].history
        if hist.added or hist.deleted:
            before["roles"] = sorted(r.name for r in list(hist.deleted or ()) + list(hist.unchanged or ()))
            after["roles"] = sorted(r.name for r in list(hist.added or ()) + list(hist.unchanged or ()))
    return before, after


def _logged_value(key, value):
    """A column's value as the log keeps it: a secret hidden, a personal identifier masked."""
    if key in SECRET_FIELDS and value:
        return "***"
    if key in MASKED_FIELDS:
        return MASKED_FIELDS[key](value)
    return value


def _snapshot(obj):
    values = {}
    for prop in _columns(obj):
        if prop.key in NOISE_FIELDS:
            continue
        values[prop.key] = _logged_value(prop.key, attributes.instance_state(obj).dict.get(prop.key))
    if hasattr(obj, "roles") and "roles" in attributes.instance_state(obj).dict:
        values["roles"] = sorted(r.name for r in obj.roles)
    return values


def _row(action, obj, before=None, after=None, actor=None, now=None):
    user_id, username, addr = actor or _actor()
    coop_id, region = _coop_and_region(obj)
    pk = [v for v in inspect(obj).mapper.primary_key_from_instance(obj) if v is not None]
    return {"occurred_at": now or utcnow(), "user_id": user_id, "username": username, "action": action,
            "table_name": obj.__tablename__, "record_id": str(pk[0]) if pk else None,
            "cooperative_id": coop_id, "region_code": region, "before": _dump(before), "after": _dump(after),
            "remote_addr": addr}


# A flush of more rows than this logs one line per table and action (an import of 10,000 farmers), not per row.
LOG_EACH_UP_TO = 50


def _log_rows(rows):
    if len(rows) <= LOG_EACH_UP_TO:
        for row in rows:  # the operational log names the event, never its values
            log.info("audit %s %s#%s by %s", row["action"], row["table_name"], row["record_id"], row["username"])
        return
    counts = {}
    for row in rows:
        key = (row["action"], row["table_name"], row["username"])
        counts[key] = counts.get(key, 0) + 1
    for (action, table, username), n in counts.items():
        log.info("audit %s %s x%d by %s", action, table, n, username)


def record_inserted(session, model, rows):
    """The audit rows of ``rows`` that a bulk INSERT wrote (dicts of the model's attribute values, each with its
    ``id``): the same "create" row and masked snapshot the flush listener writes for an object added one at a time.

    A bulk INSERT (an e-RDKK file of 10,000 farmers) does not pass through the flush, so its caller writes these
    itself, in the same transaction. Tenant rows only (their cooperative is their ``cooperative_id``)."""
    if not rows or model.__tablename__ in SKIPPED_TABLES:
        return
    columns = [(p.key, p.columns[0]) for p in inspect(model).column_attrs if p.key not in NOISE_FIELDS]
    # Python-side scalar defaults, which the ORM would have put in the object before its snapshot.
    defaults = {key: col.default.arg for key, col in columns
                if col.default is not None and getattr(col.default, "is_scalar", False)}
    actor, now = _actor(), utcnow()
    out = []
    for row in rows:
        values = {key: _logged_value(key, row.get(key, defaults.get(key))) for key, _col in columns}
        out.append({"occurred_at": now, "user_id": actor[0], "username": actor[1], "action": "create",
                    "table_name": model.__tablename__, "record_id": str(row["id"]),
                    "cooperative_id": row.get("cooperative_id"), "region_code": None, "before": None,
                    "after": _dump(values), "remote_addr": actor[2]})
    write_held(session)  # the rows of earlier flushes first, so the log keeps the order things happened in
    session.execute(insert(AuditEvent.__table__), out)
    _log_rows(out)


def _audited(obj):
    return getattr(obj, "__tablename__", None) not in SKIPPED_TABLES


class AuditLogImmutable(PermissionError):
    """Someone tried to change or delete an audit row."""


def _before_flush(session, flush_context, instances):
    pending = session.info.setdefault("kkmp_audit_pending", [])
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, AuditEvent):
            raise AuditLogImmutable("The audit log is append-only.")
    for obj in session.dirty:
        if not _audited(obj) or not session.is_modified(obj, include_collections=True):
            continue
        before, after = _changes(obj)
        if before or after:
            action = "role_change" if set(before) == {"roles"} else "update"
            pending.append(("row", action, obj, before, after))
    for obj in session.deleted:
        if _audited(obj):
            pending.append(("row", "delete", obj, _snapshot(obj), None))
    for obj in session.new:
        if _audited(obj) and not isinstance(obj, AuditEvent):
            pending.append(("new", "create", obj, None, None))


HELD = "kkmp_audit_rows"  # session.info key of the open transaction's _Held


class _Held:
    """The audit rows of the open transaction, in order; the first ``written`` of them are in the database.

    A savepoint remembers (rows, written) when it begins. Rolled back, it drops the rows held since, and the rows
    it saw written (held from before it began, inserted inside it, so undone with it) count as unwritten again:
    the commit writes them."""

    __slots__ = ("rows", "written", "marks")

    def __init__(self):
        self.rows, self.written, self.marks = [], 0, {}


def _held(session):
    held = session.info.get(HELD)
    if held is None:
        held = session.info[HELD] = _Held()
    return held


def _after_flush(session, flush_context):
    pending = session.info.pop("kkmp_audit_pending", [])
    rows = []
    actor, now = (_actor(), utcnow()) if pending else (None, None)  # one flush, one actor and moment
    for kind, action, obj, before, after in pending:
        if kind == "new":
            after = _snapshot(obj)
        rows.append(_row(action, obj, before, after, actor=actor, now=now))
    if rows:
        # Held until the transaction commits and written then in one INSERT (write_held): a kiosk sale flushes
        # three or four times, and an INSERT per flush was a tenth of its statements. Same transaction, same rows.
        _held(session).rows.extend(rows)


def write_held(session):
    """Write the audit rows held since the last write (the flushes' row changes), in one statement."""
    held = session.info.get(HELD)
    if held is not None and held.written < len(held.rows):
        rows = held.rows[held.written:]
        session.connection().execute(insert(AuditEvent.__table__), rows)
        held.written = len(held.rows)
        _log_rows(rows)


def _before_commit(session):
    # SQLAlchemy runs this hook before its own last flush: flush here so that flush's rows are written too.
    session.flush()
    write_held(session)


def _after_transaction_end(session, transaction):
    # The outermost transaction is over (committed: the rows are written; rolled back or closed: they are void).
    # Not the place to forget a savepoint's mark: SQLAlchemy ends a transaction before after_soft_rollback runs.
    if transaction.parent is None:
        session.info.pop(HELD, None)


def _after_transaction_create(session, transaction):
    if transaction.nested:
        held = _held(session)
        held.marks[id(transaction)] = (len(held.rows), held.written)


def _after_rollback(session, previous):
    session.info.pop("kkmp_audit_pending", None)
    # A savepoint rolled back (see _Held). The outermost transaction's rows are dropped when it ends
    # (_after_transaction_end); a failed flush's own subtransaction held nothing (after_flush did not run).
    held = session.info.get(HELD)
    if previous.nested and held is not None:
        began, written = held.marks.pop(id(previous), (0, 0))
        del held.rows[began:]
        held.written = min(held.written, written)


def _before_audit_read(state):
    # A read of the audit log inside the transaction sees the rows held so far, as it would have before they were
    # held (the services do not read it, the tests and the audit screens after a change in the same session do).
    held = state.session.info.get(HELD)
    if held is not None and held.written < len(held.rows) and state.is_select \
            and any(m.class_ is AuditEvent for m in state.all_mappers):
        write_held(state.session)


def redact_payload(text):
    """An audit payload as shown: rows written before the masking above (a NIK with its region digits, a full
    birth date) are masked again on the way out, since the log itself is never rewritten."""
    if not text:
        return text or ""
    try:
        values = json.loads(text)
    except ValueError:
        return text
    if not isinstance(values, dict):
        return text
    for key, mask in MASKED_FIELDS.items():
        if values.get(key):
            values[key] = mask(values[key])
    return json.dumps(values, ensure_ascii=False, sort_keys=True)


def record_event(session, action, *, table_name=None, record_id=None, cooperative_id=None, region_code=None,
                 details=None, username=None):
    """Log an event that is not a row change (login, failed login, NIK reveal) in the current transaction."""
    user_id, actor, addr = _actor()
    log.info("audit %s %s#%s by %s", action, table_name, record_id, username or actor)
    write_held(session)  # the rows of earlier flushes first, so the log keeps the order things happened in
    session.execute(insert(AuditEvent.__table__), [{
        "occurred_at": utcnow(), "user_id": user_id, "username": username or actor, "action": action,
        "table_name": table_name, "record_id": None if record_id is None else str(record_id),
        "cooperative_id": cooperative_id, "region_code": region_code, "before": None,
        "after": _dump(details or {}), "remote_addr": addr}])


def install(session):
    if not event.contains(session, "before_flush", _before_flush):
        event.listen(session, "before_flush", _before_flush)
        event.listen(session, "after_flush", _after_flush)
        event.listen(session, "after_soft_rollback", _after_rollback)
        event.listen(session, "before_commit", _before_commit)
        event.listen(session, "after_transaction_create", _after_transaction_create)
        event.listen(session, "after_transaction_end", _after_transaction_end)
        event.listen(session, "do_orm_execute", _before_audit_read)


# PostgreSQL refuses UPDATE and DELETE on the audit table below the ORM too (installed by the migration).
PG_APPEND_ONLY_SQL = """
CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'audit_event is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_event_no_update BEFORE UPDATE OR DELETE ON audit_event
  FOR EACH ROW EXECUTE FUNCTION audit_event_append_only();
"""
SQLITE_APPEND_ONLY_SQL = [
    "CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event "
    "BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END",
    "CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event "
    "BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END",
]
