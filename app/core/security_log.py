"""The security log: attempts the app refused (issue 9.5), so that probing leaves a trace.

What is recorded (``kind``):

* ``scope_read``: a page or API item answered 404 for a record that exists but belongs to a cooperative outside
  the user's area (a plain missing id is not recorded: that is a typo, not an attempt);
* ``scope_write``: a write the scope layer refused (``TenantScopeError``), whatever screen or API sent it;
* ``csrf``: a form posted without a valid CSRF token;
* ``rate_limit``: a request refused with 429 (login attempts on the form and the API).

Other code records its own refusals with :func:`record_security_event`.

Rows are written on a connection of their own, in a transaction of their own, after the view has answered: the
refused request rolls back (or never wrote), the trace stays. The log cannot be flooded: per kind and per user
(or client address, when nobody is logged in) at most ``KKMP_SECURITY_LOG_PER_MINUTE`` rows a minute; further
attempts in that minute only increase the ``count`` of one aggregate row. A database trigger keeps the rows as
written (only that count moves).
"""
import json
import logging

from flask import current_app, g, has_request_context, request
from flask_appbuilder import Model
from flask_wtf.csrf import CSRFError, CSRFProtect
from sqlalchemy import Column, DateTime, Index, Integer, String, Text, UniqueConstraint, func, select

log = logging.getLogger("kkmp.security")

DEFAULT_PER_MINUTE = 10
KINDS = ("scope_read", "scope_write", "csrf", "rate_limit")
_PENDING = "_kkmp_security_events"


class SecurityEvent(Model):
    __tablename__ = "security_event"

    id = Column(Integer, primary_key=True)
    occurred_at = Column(DateTime, nullable=False, index=True)  # UTC, naive; of the first attempt of an aggregate
    minute = Column(DateTime, nullable=False)  # occurred_at to the minute: the flood-control bucket
    kind = Column(String(20), nullable=False)
    actor_key = Column(String(120), nullable=False)  # "user:<id>" or "addr:<ip>"
    slot = Column(Integer, nullable=False)  # 1..cap: one attempt each; 0: the aggregate of the rest
    count = Column(Integer, nullable=False, default=1)
    user_id = Column(Integer, nullable=True)
    username = Column(String(100), nullable=True)
    remote_addr = Column(String(45), nullable=True)
    # Who tried: the actor's own area, so that a Sudin sees the attempts of the users of their city.
    actor_region_code = Column(String(13), nullable=True, index=True)
    actor_cooperative_id = Column(Integer, nullable=True, index=True)
    # What was tried on (a refused read or write): the record and its cooperative.
    cooperative_id = Column(Integer, nullable=True, index=True)
    table_name = Column(String(60), nullable=True)
    record_id = Column(String(40), nullable=True)
    method = Column(String(10), nullable=True)
    path = Column(String(255), nullable=True)
    details = Column(Text, nullable=True)

    __table_args__ = (
        UniqueConstraint("kind", "actor_key", "minute", "slot", name="uq_security_event_bucket_slot"),
        Index("ix_security_event_minute", "minute"),
    )

    # What the security log screen and its export show (app/core/audit_present.py).
    @property
    def when_local(self):
        return _presented(self, "when")

    @property
    def actor_name(self):
        return _presented(self, "who")

    @property
    def kind_label(self):
        return _presented(self, "kind")

    @property
    def record_label(self):
        return _presented(self, "record")


def _presented(row, key):
    from .audit_present import presented_security

    return presented_security(row, key)


def _utcnow():
    from .audit import utcnow

    return utcnow()


def _current_user():
    from .scope import _current_user as scope_user  # the same user the scope layer judged

    try:
        return scope_user()
    except Exception:  # the user could not be loaded: count the attempt by address
        return None


def _request_row(kind, details):
    """The row for one attempt, from the request and the logged-in user (read now, while they are at hand)."""
    details = dict(details)
    row = {"kind": kind, "occurred_at": _utcnow(), "count": 1,
           "table_name": details.pop("table_name", None), "record_id": details.pop("record_id", None),
           "cooperative_id": details.pop("cooperative_id", None), "username": details.pop("username", None),
           "user_id": None, "remote_addr": None, "method": None, "path": None,
           "actor_region_code": None, "actor_cooperative_id": None}
    if row["record_id"] is not None:
        row["record_id"] = str(row["record_id"])[:40]
    if has_request_context():
        row.update(remote_addr=request.remote_addr, method=request.method, path=request.path[:255])
        user = _current_user()
        if user is not None:
            row.update(user_id=user.id, username=user.username,
                       actor_region_code=getattr(user, "scope_region_code", None),
                       actor_cooperative_id=getattr(user, "scope_cooperative_id", None))
    if row["username"]:
        row["username"] = str(row["username"])[:100]
    row["details"] = json.dumps(details, ensure_ascii=False, default=str, sort_keys=True) if details else None
    return row


def record_security_event(kind, **details):
    """Record a refused attempt. ``table_name``, ``record_id``, ``cooperative_id`` and ``username`` (the name an
    anonymous login attempt used) go to their own columns, anything else into ``details``.

    Inside a request the row is written when the response is ready (after the view rolled its work back);
    outside one, at once. Never raises: a failing security log must not turn a refusal into a crash.
    """
    row = _request_row(kind, details)
    if has_request_context():
        pending = g.setdefault(_PENDING, [])
        key = (kind, row["table_name"], row["record_id"], row["path"])
        if all(k != key for k, _ in pending):  # one refusal seen twice in a request (pre-check, then flush) is one
            pending.append((key, row))
        return
    _write_rows([row])


def _actor_of_username(conn, row):
    """An anonymous attempt (a login rate limit) naming a real user counts for that user and their area."""
    user_table = current_app.appbuilder.sm.user_model.__table__
    found = conn.execute(select(user_table.c.id, user_table.c.scope_region_code, user_table.c.scope_cooperative_id)
                         .where(user_table.c.username == row["username"])).first()
    if found is not None:
        row.update(actor_region_code=found.scope_region_code, actor_cooperative_id=found.scope_cooperative_id)


def _insert(conn):
    table = SecurityEvent.__table__
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return table, insert(table)


BUCKET = ["kind", "actor_key", "minute", "slot"]


def _write_one(conn, row, cap):
    table, insert = _insert(conn)
    row = dict(row, minute=row["occurred_at"].replace(second=0, microsecond=0))
    row["actor_key"] = f"user:{row['user_id']}" if row["user_id"] else f"addr:{row['remote_addr'] or '?'}"
    if row["user_id"] is None and row["username"]:
        _actor_of_username(conn, row)
    used = conn.execute(select(func.count()).select_from(table).where(
        table.c.kind == row["kind"], table.c.actor_key == row["actor_key"], table.c.minute == row["minute"],
        table.c.slot > 0)).scalar()
    if used < cap:
        # Two attempts racing for the same slot: the loser is counted in the aggregate below.
        result = conn.execute(insert.values(**row, slot=used + 1).on_conflict_do_nothing(index_elements=BUCKET))
        if result.rowcount == 1:
            return
    conn.execute(insert.values(**row, slot=0).on_conflict_do_update(
        index_elements=BUCKET, set_={"count": table.c.count + 1}))


def _write_rows(rows):
    from app.extensions import db

    try:
        cap = int(current_app.config.get("KKMP_SECURITY_LOG_PER_MINUTE", DEFAULT_PER_MINUTE))
        with db.engine.begin() as conn:
            for row in rows:
                _write_one(conn, row, cap)
                log.warning("security %s by %s from %s on %s#%s", row["kind"], row["username"], row["remote_addr"],
                            row["table_name"], row["record_id"])
    except Exception:  # the refusal itself stands; say loudly that its trace is missing
        log.exception("security log write failed for %d event(s)", len(rows))


# -- refused reads: a 404 for a record that exists outside the user's area ---------------------------------------

def _view_of(appbuilder, blueprint):
    views = current_app.extensions.setdefault("kkmp_views_by_endpoint", {})
    if not views:
        views.update({v.endpoint: v for v in appbuilder.baseviews if getattr(v, "endpoint", None)})
    return views.get(blueprint)


def _refused_read(response):
    """If this 404 hid an existing record of another cooperative, note it (a missing id is left alone)."""
    from .scope import current_scope, owner_of

    if response.status_code != 404 or not request.view_args or not request.blueprint:
        return
    view = _view_of(current_app.appbuilder, request.blueprint)
    datamodel = getattr(view, "datamodel", None)
    if datamodel is None:
        return
    # ``pk`` names the view's own model; a view may name others: ``scope_view_args = {"member_id": Member}``.
    args = dict(getattr(view, "scope_view_args", None) or {})
    args.setdefault("pk", datamodel.obj)
    for name, model in args.items():
        if name not in request.view_args:
            continue
        owner = owner_of(model, request.view_args[name])
        if owner is None:
            continue
        scope = current_scope()
        if not scope.all and owner not in scope.read_ids:
            # A POST/PUT/DELETE on a record of another cooperative is a refused write, whichever layer said 404.
            kind = "scope_read" if request.method in ("GET", "HEAD", "OPTIONS") else "scope_write"
            record_security_event(kind, table_name=model.__tablename__, record_id=request.view_args[name],
                                  cooperative_id=owner)


def install(app):
    """Write what a request noted once its answer is ready; note refused reads; record CSRF failures."""

    @app.after_request
    def _write_security_events(response):
        try:
            _refused_read(response)
        except Exception:
            log.exception("could not check a 404 for a refused read")
        pending = g.pop(_PENDING, None)
        if pending:
            _write_rows([row for _key, row in pending])
        return response


class RecordingCSRFProtect(CSRFProtect):
    """Flask-WTF's CSRF protection; a refused token is recorded, then refused exactly as before (400)."""

    def protect(self):
        try:
            return super().protect()
        except CSRFError as e:
            record_security_event("csrf", reason=str(e.description))
            raise
