"""Every order and search a list offers is fast: it reads an index, in a handful of statements.

Generated from `appbuilder.baseviews` (every list view and every API, also those of modules registered later), as
every demo role: the plain list, each offered order both ways and its next keyset page, each offered search filter
(FAB's `_flt_` arguments, the API's `filters`), the list's URL filters (cooperative, member) and a view's own list
arguments (`list_args`, the audit log's form). Each request must answer without a server error in at most
MAX_STATEMENTS SQL statements.

On PostgreSQL every statement a request sends to a big table (app/core/interface.BIG_TABLES) is EXPLAINed with
`enable_seqscan` and `enable_sort` off. Why off: the test database holds a few dozen rows per table, where a
sequential scan and a sort are the planner's right choice and say nothing about five million rows. With both
priced out, the planner still falls back to them where no index can answer, so a Seq Scan of a big table, a Sort
over all of its matching rows, or a whole-index walk that no LIMIT stops means the list has no index for that
order or search. A filter is checked once more on its own: its column must appear in an index condition of a
plan (over the whole country and within one cooperative), unless the column holds a handful of values (a CHECK
"IN" list or a boolean), where walking the order's index finds a page at once.
"""
import datetime
import json
import re

import prison
import pytest
from flask_appbuilder import ModelRestApi, ModelView
from sqlalchemy import Boolean, Date, DateTime, Numeric, event, select, text

from app.core.interface import BIG_TABLES
from app.extensions import db
from tests.conftest import Session, api_token

MAX_STATEMENTS = 8
USERS = ["admin", "sudin.jakbar", "camat.kebonjeruk", "lurah.kebonjeruk", "pengurus.kebonjeruk",
         "sekretaris.kebonjeruk"]
OWN_REGION = "31.73.05.1001"
ON_POSTGRES = pytest.mark.postgres


def list_views(app):
    return [v for v in app.appbuilder.baseviews if isinstance(v, ModelView)]


def list_apis(app):
    return [v for v in app.appbuilder.baseviews
            if isinstance(v, ModelRestApi) and "get_list" in (v.include_route_methods or {"get_list"})]


def table_of(view):
    return getattr(view.datamodel.obj, "__tablename__", None)


def sample_value(view, column, own):
    """A value a user could type into the filter of ``column`` (its type decides the form)."""
    col = view.datamodel.obj.__table__.columns.get(column)
    if column.endswith("cooperative_id"):
        return str(own["coop"])
    if column == "member_id":
        return str(own["member"])
    if col is None:
        return "1"
    if isinstance(col.type, (Date, DateTime)):
        return own["today"].strftime("%d/%m/%Y")
    if isinstance(col.type, Boolean):
        return "y"
    if isinstance(col.type, Numeric):
        return "10000"
    if col.type.python_type is int:
        return str(own["today"].year)
    # three letters at least: a trigram index cannot help with fewer (nor would a person search so)
    return {"receipt_number": "KW-", "member_number": "A-", "number": "JU-"}.get(column, "sit")


def api_value(view, column, own):
    value = sample_value(view, column, own)
    col = view.datamodel.obj.__table__.columns.get(column)
    if col is not None and isinstance(col.type, (Date, DateTime)):
        return own["today"].isoformat()
    if col is not None and isinstance(col.type, Boolean):
        return True
    return value


def view_urls(view, own):
    """(label, url, filter) for every path the list screen offers."""
    name = type(view).__name__
    base = f"{view.route_base}/list/"
    yield "list", base, None
    for column in view.order_columns or []:
        for direction in ("asc", "desc"):
            url = f"{base}?_oc_{name}={column}&_od_{name}={direction}"
            yield f"order {column} {direction}", url, None
            yield f"order {column} {direction} next page", f"{url}&after={own['max_id'](view)}", None
    for column, filters in view._filters.get_search_filters().items():
        for i, flt in enumerate(filters):
            value = sample_value(view, column, own)
            yield (f"filter {column} {flt.arg_name}", f"{base}?_flt_{i}_{column}={value}", (flt, column, value))
    for arg, column in (getattr(view, "url_filters", None) or {}).items():
        yield f"url filter {arg}", f"{base}?{arg}={sample_value(view, column, own)}", None
    for arg, kind in (getattr(view, "list_args", None) or {}).items():
        value = {"username": "sekretaris.kebonjeruk", "cooperative": str(own["coop"]),
                 "date": own["today"].strftime("%d/%m/%Y")}.get(kind, "update")
        yield f"list arg {arg}", f"{base}?{arg}={value}", None


def api_urls(view, own):
    base = f"/api/v1/{view.resource_name}/"

    def q(**kw):
        return f"{base}?q={prison.dumps(dict(page=0, page_size=25, **kw))}"

    yield "list", q(), None
    for column in view.order_columns or []:
        for direction in ("asc", "desc"):
            yield f"order {column} {direction}", q(order_column=column, order_direction=direction), None
    for column, filters in view._filters.get_search_filters().items():
        for flt in filters:
            value = api_value(view, column, own)
            yield (f"filter {column} {flt.arg_name}",
                   q(filters=[{"col": column, "opr": flt.arg_name, "value": value}]), (flt, column, value))


class Recorder:
    """The SQL statements the app sends while recording (all connections of the app's engine)."""

    def __init__(self, engine):
        self.engine = engine
        self.statements = []
        self.on = False
        event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, conn, cursor, statement, parameters, context, executemany):
        if self.on:
            self.statements.append((statement, parameters))

    def close(self):
        event.remove(self.engine, "before_cursor_execute", self._seen)


def _own(app, sysdb):
    from app.cooperatives.models import Cooperative
    from app.core.dates import local_today
    from app.members.models import Member

    coop = sysdb.scalar(select(Cooperative).where(Cooperative.region_code == OWN_REGION))
    member = sysdb.scalar(select(Member.id).where(Member.cooperative_id == coop.id).order_by(Member.id))

    def max_id(view):
        pk = getattr(view.datamodel.obj, view.datamodel.get_pk_name())
        return sysdb.scalar(select(pk).order_by(pk.desc()).limit(1)) or 1

    with app.app_context():
        today = local_today(coop)
    return {"coop": coop.id, "member": member, "today": today, "max_id": max_id}


# -- reading plans --------------------------------------------------------------------------------------------

def _children(node):
    return [c for c in node.get("Plans", []) if c.get("Parent Relationship") not in ("InitPlan", "SubPlan")]


def _subplans(node):
    for c in node.get("Plans", []):
        yield c
        yield from _subplans(c)


def _scans_big(node):
    return node.get("Relation Name") in BIG_TABLES


def _unbounded_big(node):
    """Does ``node`` produce rows of a big table with nothing (a LIMIT) to stop the reading early?"""
    kind = node["Node Type"]
    if kind == "Limit":
        return False
    if _scans_big(node):
        return True
    children = _children(node)
    if kind == "Nested Loop":  # the inner side is looked up once per outer row
        children = children[:1]
    return any(_unbounded_big(c) for c in children)


def _has_limit(node):
    return node["Node Type"] == "Limit" or any(_has_limit(c) for c in node.get("Plans", []))


def plan_problems(plan, bounded=False):
    """What in an EXPLAIN (FORMAT JSON) tree would read a whole big table (see the module's docstring)."""
    problems = []
    kind = plan["Node Type"]
    if kind == "Limit":
        bounded = True
    if kind in ("Nested Loop", "Hash Join", "Merge Join") and any(
            _has_limit(c) and not _unbounded_big(c) for c in _children(plan)):
        # A join with a page of ids a LIMIT chose (the rows of a keyset page): at scale it is driven from those
        # few ids; with sorting priced out the planner may walk an index for the other side instead of sorting
        # 26 rows, which is an artefact of the settings, not of the list.
        bounded = True
    if re.search(r"\bid = ANY \(", plan.get("Filter", "") + plan.get("Index Cond", "")):
        bounded = True  # the rows of a page's ids, given as a list (the same artefact as above)
    if _scans_big(plan):
        # Under a LIMIT a scan stops early; the filters whose matches are rare are checked for their own index
        # by test_each_big_list_filter_is_answered_by_an_index, so what is left here are columns of a few values.
        if kind == "Seq Scan" and not bounded:
            problems.append(f"Seq Scan on {plan['Relation Name']}")
        elif kind in ("Index Scan", "Index Only Scan") and not plan.get("Index Cond") and not bounded:
            problems.append(f"whole index {plan.get('Index Name')} of {plan['Relation Name']} read")
    if kind == "Sort" and any(_unbounded_big(c) for c in _children(plan)):
        problems.append(f"Sort of every matching row ({plan.get('Sort Key')})")
    for child in plan.get("Plans", []):
        sub = child.get("Parent Relationship") in ("InitPlan", "SubPlan")
        problems += plan_problems(child, bounded=bounded and not sub)
    return problems


def explain(conn, statement, parameters, sort_off=True):
    conn.execute(text("SET LOCAL enable_seqscan = off"))
    if sort_off:
        conn.execute(text("SET LOCAL enable_sort = off"))
    cursor = conn.connection.cursor()
    cursor.execute("EXPLAIN (FORMAT JSON) " + statement, parameters)
    out = cursor.fetchone()[0]
    cursor.close()
    return (out if isinstance(out, list) else json.loads(out))[0]["Plan"]


def touches_big(statement):
    return statement.lstrip().upper().startswith(("SELECT", "WITH")) and any(
        re.search(rf"\b{t}\b", statement) for t in BIG_TABLES)


def index_conditions(plan):
    conds = []
    for node in [plan, *_subplans(plan)]:
        for key in ("Index Cond", "Recheck Cond"):
            if node.get(key):
                conds.append(node[key])
    return conds


def trigram_indexed(model, column):
    """A text-search column (kkmp_text_search) whose search key has a trigram GIN index."""
    if column not in getattr(model, "kkmp_text_search", ()):
        return False
    return any(ix.dialect_options["postgresql"].get("using") == "gin"
               and set(ix.columns.keys()) & {column, f"{column}_key"} for ix in model.__table__.indexes)


def coarse(model, column):
    """A column of a handful of values: a boolean, or one a CHECK constraint holds to an IN list."""
    col = model.__table__.columns.get(column)
    if col is None or isinstance(col.type, Boolean):
        return True
    for constraint in model.__table__.constraints:
        sqltext = str(getattr(constraint, "sqltext", ""))
        if re.search(rf"\b{column}\s+IN\s*\(", sqltext):
            return True
    return False


# -- the walk -------------------------------------------------------------------------------------------------

def walk(app, sysdb, username, paths_of, get):
    own = _own(app, sysdb)
    problems, walked = [], 0
    with app.app_context():
        recorder = Recorder(db.engine)
    postgres = app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql")
    try:
        for view in paths_of(app):
            for label, url, _flt in (view_urls(view, own) if isinstance(view, ModelView) else api_urls(view, own)):
                recorder.statements = []
                recorder.on = True
                where = f"{username} {type(view).__name__} {label}: {url}"
                try:
                    response = get(url)
                except Exception as e:  # the test client re-raises what would be a 500
                    problems.append(f"{where}: {type(e).__name__}: {e}")
                    continue
                finally:
                    recorder.on = False
                if response.status_code >= 500:
                    problems.append(f"{where}: answered {response.status_code}")
                    continue
                if response.status_code != 200:
                    continue  # not this role's list (403, or a redirect to the login)
                walked += 1
                # FAB's own security screens (users, roles, permissions: a few hundred rows, Admin and Sudin only)
                # load each row's roles and permissions one by one; they are exempt from the statement count.
                budget = getattr(view, "list_statement_budget", MAX_STATEMENTS)
                if len(recorder.statements) > budget and not table_of(view).startswith("ab_"):
                    problems.append(f"{where}: {len(recorder.statements)} SQL statements")
                if postgres and table_of(view) in BIG_TABLES:
                    with app.app_context():
                        with db.engine.connect() as conn:
                            for statement, parameters in recorder.statements:
                                if not touches_big(statement):
                                    continue
                                with conn.begin():
                                    plan = explain(conn, statement, parameters)
                                for p in plan_problems(plan):
                                    problems.append(f"{where}: {p}\n    {statement[:300]}")
    finally:
        recorder.close()
    return problems, walked


@pytest.mark.parametrize("username", USERS)
def test_every_list_order_and_search_reads_an_index_in_few_statements(app, sysdb, username):
    """Every list screen, each offered order (both ways, and the next page), each offered search filter and URL
    filter, as this role: no server error, at most eight SQL statements, and on PostgreSQL no plan that reads a
    whole big table."""
    s = Session(app, username)
    problems, walked = walk(app, sysdb, username, list_views, s.get)
    assert walked >= 5, f"{username} saw only {walked} list pages"
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("username", USERS)
def test_every_api_list_order_and_search_reads_an_index_in_few_statements(app, sysdb, client, username):
    """The same for every API list (`GET /api/v1/<resource>/?q=...`): each offered order and filter."""
    headers = api_token(client, username)
    c = app.test_client()
    problems, walked = walk(app, sysdb, username, list_apis, lambda url: c.get(url, headers=headers))
    assert walked >= 3, f"{username} read only {walked} API lists"
    assert not problems, "\n".join(problems)


def test_big_lists_offer_no_search_an_index_cannot_answer(app):
    """On the big tables the search forms offer only equal / greater / smaller, "starts with" on the codes with a
    pattern index, and "contains" only on the member name (trigram index): never "not equal", "not contains" or
    a "contains" on free text, which would read every row for a rare value."""
    seen = 0
    for view in list_views(app) + list_apis(app):
        if table_of(view) not in BIG_TABLES:
            continue
        model = view.datamodel.obj
        for column, filters in view._filters.get_search_filters().items():
            for flt in filters:
                seen += 1
                kind = flt.arg_name
                assert kind in ("eq", "gt", "lt", "sw", "ct", "ew"), (type(view).__name__, column, kind)
                if kind == "sw":
                    assert column in getattr(model, "kkmp_prefix_search", ()) + getattr(
                        model, "kkmp_text_search", ()), (type(view).__name__, column)
                if kind in ("ct", "ew"):
                    assert column in getattr(model, "kkmp_text_search", ()), (type(view).__name__, column)
    assert seen >= 10


def test_an_order_not_offered_is_ignored(app, sysdb):
    """A list sorted by a column it does not offer (typed into the URL) shows its default order instead of
    sorting a big table by an unindexed column."""
    s = Session(app, "admin")
    default = s.get("/simpanan/transaksi/list/").get_data(as_text=True)
    sneaky = s.get("/simpanan/transaksi/list/?_oc_SavingsTransactionView=note&_od_SavingsTransactionView=asc")

    def ids(html):
        return re.findall(r'/simpanan/transaksi/show/(\d+)"', html)

    assert sneaky.status_code == 200
    assert ids(sneaky.get_data(as_text=True)) == ids(default) and ids(default)


@ON_POSTGRES
def test_each_big_list_filter_is_answered_by_an_index(app, sysdb):
    """Each offered filter of a big list, on its own over the whole country: the filtered column is in an index
    condition (not a filter applied to rows read for another reason). Within one cooperative an index leading
    with cooperative_id holds the column (or the column has its trigram index): the test database's few rows
    make every cooperative_id index look as cheap as any to the planner, so there the index itself is checked."""
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        pytest.skip("PostgreSQL plans")
    from sqlalchemy.dialects import postgresql
    from sqlalchemy.orm import Session as OrmSession

    own = _own(app, sysdb)
    problems = []
    with app.app_context():
        for view in list_views(app) + list_apis(app):
            model = view.datamodel.obj
            if table_of(view) not in BIG_TABLES:
                continue
            for column, filters in view._filters.get_search_filters().items():
                if coarse(model, column):
                    continue
                for flt in filters:
                    value = sample_value(view, column, own)
                    with app.test_request_context():
                        pk = getattr(model, view.datamodel.get_pk_name())
                        base = OrmSession(db.engine).query(pk)
                        sql = str(flt.apply(base, value).statement.compile(
                            dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}))
                        with db.engine.connect() as conn, conn.begin():
                            plan = explain(conn, sql, None, sort_off=False)
                        conds = " ".join(index_conditions(plan))
                        # The member name rides in the (name, id) index too, which a tiny table walks whole rather
                        # than ask the trigram index: the trigram index itself is checked for that column.
                        if not re.search(rf"\b{column}", conds) and not trigram_indexed(model, column):
                            problems.append(f"{type(view).__name__} {column} {flt.arg_name} everywhere: {sql}")
                    scoped = [ix for ix in model.__table__.indexes
                              if (ix.columns.keys()[:1] == ["cooperative_id"] and column in ix.columns.keys()[1:])
                              or ix.columns.keys()[:1] == [column]]  # a column that narrows on its own (a member)
                    if not scoped and column not in getattr(model, "kkmp_text_search", ()):
                        problems.append(f"{type(view).__name__} {column}: no (cooperative_id, {column}) index")
    assert not problems, "\n".join(problems)
