"""Cooperative scope, enforced once at the SQLAlchemy session (design.md §3, scope-notes.md).

Two listeners on ``db.session`` do the work for every path FAB or our code can take:

* ``do_orm_execute`` adds ``with_loader_criteria`` to every ORM statement touching a tenant table or
  ``Cooperative``: SELECTs see only the user's readable cooperatives; ORM bulk UPDATE/DELETE only the writable ones,
  and a bulk statement that sets ``cooperative_id`` outside the write scope is refused.
* ``before_flush`` refuses any insert, update or delete of a row whose old or new cooperative lies outside the
  user's write scope (read through the relationship: the FK column is stale until flush).

Anonymous users and code outside a request see nothing and write nothing; CLI jobs and migrations run inside
``system_scope()``. Views and APIs only turn refusals into messages and status codes (``app.core.scoped_views``).
"""
import contextvars
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache

from flask import current_app, g, has_request_context
from sqlalchemy import event, inspect, select
from sqlalchemy.orm import with_loader_criteria
from sqlalchemy.orm.util import identity_key

from .tenancy import TenantMixin

UNSCOPED = "kkmp_unscoped"

_system = contextvars.ContextVar("kkmp_system_scope", default=False)
_disabled = contextvars.ContextVar("kkmp_scope_disabled", default=False)


class TenantScopeError(PermissionError):
    """A write would touch a cooperative outside the user's write scope. Deliberately not a SQLAlchemyError.

    Every refusal is noted in the security log (written after the request, outside its rolled-back transaction).
    """

    def __init__(self, message, *, table_name=None, record_id=None, cooperative_id=None):
        super().__init__(message)
        from .security_log import record_security_event

        record_security_event("scope_write", table_name=table_name, record_id=record_id,
                              cooperative_id=cooperative_id, refusal=message)


class RelatedNotFound(LookupError):
    """A submitted reference names a record the user cannot see (or that does not exist)."""


@dataclass(frozen=True)
class Scope:
    all: bool = False
    read_ids: frozenset = field(default_factory=frozenset)
    write_ids: frozenset = field(default_factory=frozenset)
    # Region prefix inside which this user may register new cooperatives (Sudin), None otherwise.
    create_region: str = None
    label: str = "deny"
    # A region's cooperatives as ((id, name), ...) in name order, read with the ids (the same statement): the
    # cooperative filter above the lists of a Lurah, Camat or Sudin needs no statement of its own. None otherwise.
    names: tuple = field(default=None, compare=False)


DENY = Scope()
ALL = Scope(all=True, label="all")


def unscoped():
    """Execution options for a deliberate unscoped statement (uniqueness checks, scope lookups).

    Use only for scalar columns: an entity loaded this way would sit in the identity map where a later
    ``session.get`` could hand it out without a query (scope-notes.md G5).
    """
    return {UNSCOPED: True}


@contextmanager
def system_scope():
    """Run CLI jobs, seeding and migrations with full access."""
    token = _system.set(True)
    try:
        yield
    finally:
        _system.reset(token)


@contextmanager
def scope_disabled():
    """Switch the scope layer off (only for the negative test proving the suite catches leaks)."""
    token = _disabled.set(True)
    try:
        yield
    finally:
        _disabled.reset(token)


# -- resolving the current user's scope --------------------------------------------------------------------

def _current_user():
    user = getattr(g, "user", None)
    if user is not None and getattr(user, "is_authenticated", False) and not getattr(user, "is_anonymous", False):
        return user
    if "_login_user" not in g:
        # flask-login loads the user lazily; FAB's actions query before any permission check (scope-notes G2).
        if g.get("_kkmp_loading_user"):
            return None
        g._kkmp_loading_user = True
        try:
            from flask_login import current_user
            current_user._get_current_object()
        finally:
            g._kkmp_loading_user = False
    user = g.get("_login_user")
    if user is None or getattr(user, "is_anonymous", True):
        return None
    return user


def scope_for_user(user, session):
    """Compute a user's scope: Admin sees everything; everyone else their region or their cooperative."""
    from app.cooperatives.models import Cooperative
    from app.security.roles import READ_ONLY_ROLES, WRITING_COOP_ROLES

    role_names = {r.name for r in user.roles}
    if current_app.config["AUTH_ROLE_ADMIN"] in role_names:
        return ALL
    if not user.active:
        return DENY
    coop_id = user.scope_cooperative_id
    region = user.scope_region_code
    if coop_id is not None:
        ids = frozenset([coop_id])
        writes = ids if role_names & WRITING_COOP_ROLES else frozenset()
        return Scope(read_ids=ids, write_ids=writes, label=f"coop:{coop_id}")
    if region:
        level = region.count(".") + 1
        column = {1: Cooperative.province_code, 2: Cooperative.city_code, 3: Cooperative.district_code,
                  4: Cooperative.region_code}[level]
        names = tuple((r.id, r.name) for r in session.execute(
            select(Cooperative.id, Cooperative.name).where(column == region).order_by(Cooperative.name),
            execution_options=unscoped()))
        ids = frozenset(pk for pk, _name in names)
        if role_names & READ_ONLY_ROLES or not role_names & {"Sudin"}:
            return Scope(read_ids=ids, label=f"region:{region}", names=names)
        return Scope(read_ids=ids, write_ids=ids, create_region=region, label=f"region:{region}", names=names)
    return DENY


def current_scope(session=None):
    if _disabled.get() or _system.get():
        return ALL
    if not has_request_context():
        return DENY
    cached = g.get("_kkmp_scope")
    user = _current_user()
    if user is None:
        return DENY
    if cached is not None and cached[0] is user:
        return cached[1]
    from app.extensions import db

    session = session or db.session
    with session.no_autoflush:
        scope = scope_for_user(user, session)
    g._kkmp_scope = (user, scope)
    return scope


def reset_cached_scope():
    if has_request_context():
        g.pop("_kkmp_scope", None)


# -- the listeners ------------------------------------------------------------------------------------------

def _is_scoped_class(cls):
    from app.cooperatives.models import Cooperative

    return issubclass(cls, TenantMixin) or issubclass(cls, Cooperative)


def _is_scoped_mapper(mapper):
    return _is_scoped_class(mapper.class_)


def _owner_column(cls):
    """The column naming a row's cooperative: ``cooperative_id`` of a tenant row, ``id`` of a cooperative."""
    from app.cooperatives.models import Cooperative

    return cls.id if issubclass(cls, Cooperative) else cls.cooperative_id


@lru_cache(maxsize=256)
def _criteria(ids):
    """The loader criteria of one set of cooperative ids, built once per set (``ids`` is a frozenset).

    Every ORM statement of a request gets them (a redemption runs about 24): building two ``with_loader_criteria``
    with their lambdas each time was a tenth of the statement's Python. The options hold no request state, only the
    ids, so one object serves every request of the same scope."""
    from app.cooperatives.models import Cooperative

    ids = tuple(sorted(ids))
    return (
        with_loader_criteria(TenantMixin, lambda cls: cls.cooperative_id.in_(ids), include_aliases=True),
        with_loader_criteria(Cooperative, lambda cls: cls.id.in_(ids), include_aliases=True),
    )


def read_condition(model):
    """The scope as a plain WHERE condition on ``model`` (None for full scope, or a model that is not scoped).

    For statements built from a query as a CTE or subquery under a Core SELECT, where loader criteria do not
    reach: the big-list scan of app/core/paging.py says the scope in so many words.
    """
    if _disabled.get() or _system.get() or not _is_scoped_class(model):
        return None
    scope = current_scope()
    if scope.all:
        return None
    return _owner_column(model).in_(tuple(sorted(scope.read_ids)))


def _bulk_values_coop_ids(state):
    """cooperative_id values a bulk INSERT/UPDATE would write (scope-notes G9)."""
    ids = set()
    values = getattr(state.statement, "_values", None) or {}
    for key, value in values.items():
        name = getattr(key, "key", key)
        if name == "cooperative_id":
            ids.add(getattr(value, "value", value))
    params = state.parameters
    for row in params if isinstance(params, list) else [params or {}]:
        if "cooperative_id" in row:
            ids.add(row["cooperative_id"])
    return ids


def _do_orm_execute(state):
    if state.execution_options.get(UNSCOPED) or _disabled.get() or _system.get():
        return
    mappers = state.all_mappers
    if not mappers or not any(_is_scoped_mapper(m) for m in mappers):
        return
    if not (state.is_select or state.is_update or state.is_delete or state.is_insert):
        return
    scope = current_scope(state.session)
    if scope.all:
        return
    if state.is_insert or state.is_update:
        outside = {i for i in _bulk_values_coop_ids(state) if i not in scope.write_ids}
        if outside:
            raise TenantScopeError(f"Refused bulk write: cooperative(s) {sorted(outside)} outside your scope.",
                                   table_name=state.all_mappers[0].local_table.name,
                                   cooperative_id=sorted(outside, key=str)[0])
    if state.is_insert:
        return
    ids = scope.read_ids if state.is_select else scope.write_ids
    state.statement = state.statement.options(*_criteria(ids))


def _coop_of_target(session, target_cls, target_id):
    from app.cooperatives.models import Cooperative

    if target_id is None:
        return None
    if issubclass(target_cls, Cooperative):
        return target_id
    # A referenced row the session already holds (a sale's item and location, loaded by the service that writes
    # against them) answers from memory: a three-line sale flushes its lines and movements several times, and
    # asking the database each time cost a quarter of its statements. Its in-memory cooperative_id is the database's
    # or a pending change, and a pending change of a scoped row is itself checked (old and new owner) when flushed.
    held = session.identity_map.get(identity_key(target_cls, target_id))
    if held is not None and "cooperative_id" in inspect(held).dict:
        return held.cooperative_id
    return session.execute(select(target_cls.cooperative_id).where(target_cls.id == target_id),
                           execution_options=unscoped()).scalar()


def coops_touched(session, obj):
    """Every cooperative id a pending write of ``obj`` touches: old and new owner, and owners of its references."""
    from app.cooperatives.models import Cooperative

    insp = inspect(obj)
    touched = set()
    if isinstance(obj, Cooperative):
        if obj.id is not None:
            touched.add(obj.id)
        return touched
    hist = insp.attrs.cooperative_id.history
    touched.update(v for v in list(hist.added or ()) + list(hist.deleted or ()) + list(hist.unchanged or ()) if v is not None)
    for rel in insp.mapper.relationships:
        if rel.direction.name != "MANYTOONE" or not _is_scoped_mapper(rel.mapper):
            continue
        rhist = insp.attrs[rel.key].history
        for target in list(rhist.added or ()):
            if target is None:
                continue
            tinsp = inspect(target)
            if not tinsp.has_identity and not tinsp.pending:
                raise RelatedNotFound(f"{rel.key}: related record not found")
            coop = target.id if isinstance(target, Cooperative) else target.cooperative_id
            if coop is None and tinsp.has_identity:
                coop = _coop_of_target(session, rel.mapper.class_, tinsp.identity[0])
            touched.add(coop)
        # The FK column may hold a reference that was never loaded as an object.
        for local_col, _remote in rel.local_remote_pairs:
            fk_hist = insp.attrs[local_col.key].history if local_col.key in insp.attrs else None
            if fk_hist is None:
                continue
            for value in list(fk_hist.added or ()) + list(fk_hist.unchanged or ()):
                if value is not None:
                    touched.add(_coop_of_target(session, rel.mapper.class_, value))
    return touched


def check_write(session, obj, action):
    """Raise TenantScopeError if writing ``obj`` leaves the current user's write scope."""
    from app.cooperatives.models import Cooperative

    scope = current_scope(session)
    if scope.all:
        return
    name = type(obj).__name__
    if isinstance(obj, Cooperative) and action == "insert":
        code = obj.region.code if obj.region is not None else obj.region_code
        if scope.create_region and code and (code + ".").startswith(scope.create_region + "."):
            return
        raise TenantScopeError(f"Refused insert of {name}: outside your scope.", table_name=obj.__tablename__)
    touched = coops_touched(session, obj)
    outside = sorted(str(i) for i in touched if i not in scope.write_ids)
    if outside or (not touched and action == "insert"):
        raise TenantScopeError(f"Refused {action} of {name}: cooperative(s) {', '.join(outside) or '?'} "
                               f"outside your scope.", table_name=obj.__tablename__,
                               record_id=inspect(obj).identity[0] if inspect(obj).identity else None,
                               cooperative_id=int(outside[0]) if outside and outside[0].isdigit() else None)


def _before_flush(session, flush_context, instances):
    if _disabled.get() or _system.get():
        return
    for action, objs in (("insert", session.new), ("update", session.dirty), ("delete", session.deleted)):
        for obj in list(objs):
            if not _is_scoped_mapper(inspect(obj).mapper):
                continue
            if action == "update" and not session.is_modified(obj, include_collections=False):
                continue
            check_write(session, obj, action)


def install(session):
    """Attach the listeners to the scoped session (its sessionmaker's session class)."""
    if not event.contains(session, "do_orm_execute", _do_orm_execute):
        event.listen(session, "do_orm_execute", _do_orm_execute)
        event.listen(session, "before_flush", _before_flush)


def read_criteria():
    """Loader options restricting a statement to the current user's readable cooperatives (empty for full scope).

    For the rare statement the listener cannot see into: an ORM query wrapped as a subquery of a Core statement,
    like the ``SELECT count(*) FROM (...)`` FAB runs for every list page.
    """
    if _disabled.get() or _system.get():
        return ()
    scope = current_scope()
    return () if scope.all else _criteria(scope.read_ids)


def owner_of(model, pk):
    """The cooperative owning row ``pk`` of ``model``, read past the scope (None: no such row, or not scoped).

    For the security log, to tell a refused read of another cooperative's record from a plain missing id.
    """
    from app.extensions import db

    if not _is_scoped_class(model):
        return None
    pk_col = inspect(model).primary_key[0]
    try:
        value = pk_col.type.python_type(pk)
    except (TypeError, ValueError, NotImplementedError):
        return None
    with db.engine.connect() as conn:
        return conn.execute(select(_owner_column(model)).where(pk_col == value)).scalar()
