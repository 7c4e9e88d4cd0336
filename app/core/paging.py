"""List pages that stay fast however long the table: keyset navigation and a capped record count.

FAB pages with ``OFFSET page * size`` and counts every matching row on every page. On a register of 500,000
members both grow with the table: page 16,000 makes the database walk 400,000 rows, and the count walks them all.
A list reader does not need either. They page forward and back from where they are, jump to a letter of the
alphabet, or search; and "more than 10,000" says as much as "487,312".

So a list ordered by a non-null column pages by *keyset*: the next page is "the rows after the last one shown, in
this order", ``(name, id) > (<name of row 1234>, 1234)``, which an index on ``(name, id)`` answers by reading 26
entries wherever the page lies. The cursor in the URL is only the row id; the sort value is looked up inside the
same statement, under the same scope as the list, so a cursor naming a row the user cannot see yields an empty page.
"""
from dataclasses import dataclass, field

from sqlalchemy import String, func, literal, select, tuple_
from sqlalchemy.orm import aliased

from .scope import read_condition, read_criteria

COUNT_CAP = 10_000
SEARCH_COUNT_CAP = 200

# URL parameters of the keyset navigation (FAB ignores them; its own page_<View> still selects OFFSET paging).
AFTER, BEFORE, LAST, START = "after", "before", "last", "from"


@dataclass
class ListPage:
    items: list
    count: int                  # exact when not capped, else cap + 1
    capped: bool = False
    keyset: bool = False        # navigation below is meaningful
    has_prev: bool = False
    has_next: bool = False
    first_id: object = None
    last_id: object = None
    nav: dict = field(default_factory=dict)


def _int_arg(args, name):
    value = args.get(name)
    try:
        return int(value) if value not in (None, "") else None
    except ValueError:
        return None


def keyset_column(datamodel, order_column):
    """The mapped column a list may page by keyset on: a plain, non-null column of the model itself."""
    if not order_column or "." in order_column:
        return None
    col = datamodel.obj.__table__.columns.get(order_column)
    if col is None or col.nullable:
        return None
    return getattr(datamodel.obj, order_column)


def _order(col, pk, ascending):
    return (col.asc(), pk.asc()) if ascending else (col.desc(), pk.desc())


def _scoped(query):
    """``query`` with the scope as loader criteria: for a query that ends up inside a subquery, where the session
    listener cannot see it (Query.count() wraps its query in one too)."""
    options = read_criteria()
    return query.options(*options) if options else query


def _rows_of(datamodel, ids, order):
    """The full rows of the ids a narrow index gave, in the list's order."""
    pk = getattr(datamodel.obj, datamodel.get_pk_name())
    return datamodel.session.query(datamodel.obj).filter(pk.in_(ids)).order_by(*order).all()


def capped_count(datamodel, query, cap=COUNT_CAP, order_by=()):
    """``min(count, cap + 1)`` of ``query``: the database stops reading at cap + 1 rows.

    ``order_by``: for a search, the list's own order. It lets the planner count along the index the page is read
    from (a common name: the first matches within a few thousand index entries), and it still picks a search
    index and a sort where few rows match (a rare name). Without a search, no order: the count then goes through
    the scope column's index.
    """
    pk = getattr(datamodel.obj, datamodel.get_pk_name())
    n = _scoped(query.with_entities(pk).order_by(None).order_by(*order_by).limit(cap + 1)).count()
    return n, n > cap


def list_page(datamodel, query, order_column, order_direction, page_size, args, cap=COUNT_CAP, searching=False):
    """One page of ``query`` (already filtered) in keyset order, reading the cursor from ``args``.

    ``after=<id>``: the page after that row; ``before=<id>``: the page before it; ``last=1``: the last page;
    ``from=<text>``: the first page whose sort value is at or after ``text`` (text columns, ascending only).
    ``searching``: the list is filtered; its first page and count are then read in one scan (see below).
    """
    model = datamodel.obj
    col = keyset_column(datamodel, order_column)
    pk = getattr(model, datamodel.get_pk_name())
    ascending = order_direction != "desc"
    after, before = _int_arg(args, AFTER), _int_arg(args, BEFORE)
    last = args.get(LAST) == "1" and not (after or before)
    start = (args.get(START) or "").strip()[:40]
    if not isinstance(col.type, String) or not ascending or after or before or last:
        start = ""

    def boundary(row_id):
        # the sort value of the cursor row, read in the same statement and under the same scope
        other = aliased(model)
        value = select(getattr(other, order_column)).where(getattr(other, pk.key) == row_id).scalar_subquery()
        return tuple_(value, literal(row_id))

    forward = not (before or last)
    q = query
    condition = read_condition(model)  # the scope, written out: loader criteria do not reach into a CTE
    if condition is not None:
        q = q.filter(condition)
    if after:
        q = q.filter(tuple_(col, pk) > boundary(after) if ascending else tuple_(col, pk) < boundary(after))
    elif before:
        q = q.filter(tuple_(col, pk) < boundary(before) if ascending else tuple_(col, pk) > boundary(before))
    elif start:
        q = q.filter(col >= start)
    sql_ascending = ascending if forward else not ascending
    order = _order(col, pk, sql_ascending)
    if searching and not (after or before or last or start):
        # The first page of a search: its ids and the capped count in one statement, from one scan of at most
        # cap + 1 matches (the count is taken over the scan before the page is cut from it). Unfiltered lists
        # count apart, through the scope column's own index, which is cheaper than walking the sort index.
        # A CTE read twice is planned on its own (LIMIT cap + 1), not for the 26 rows of the page: so a rare name
        # is found through the search index and a common one along the (name, id) index.
        entities = (pk,) if col is pk else (pk, col)  # plain ORM columns: the scope criteria need the entity
        scan = q.with_entities(*entities).order_by(*order).limit(cap + 1)
        scan = scan.cte("kkmp_scan")
        kid, kcol = scan.c[pk.key], scan.c[col.key]
        head = (select(kid, select(func.count()).select_from(scan).scalar_subquery().label("n"))
                .order_by(*_order(kcol, kid, sql_ascending))
                .limit(page_size + 1))
        head = datamodel.session.execute(head).all()
        count = head[0].n if head else 0
        ids = [r[0] for r in head]
    else:
        count = None
        # The page's ids from the narrow (sort column, id) index, where a search condition on the sort column is
        # checked without touching the table.
        ids = _scoped(q.with_entities(pk).order_by(*order).limit(page_size + 1)).subquery().select()
    rows = _rows_of(datamodel, ids, order)
    if count is None:
        count = capped_count(datamodel, query, cap, order_by=_order(col, pk, ascending) if searching else ())[0]
    capped = count > cap
    more = len(rows) > page_size
    rows = rows[:page_size]
    if not forward:
        rows.reverse()

    page = ListPage(items=rows, count=count, capped=capped, keyset=True)
    if forward:
        page.has_next = more
        page.has_prev = bool(after or start)
    elif before:
        page.has_prev, page.has_next = more, True
    else:  # last page
        page.has_prev, page.has_next = more, False
    if rows:
        page.first_id = getattr(rows[0], pk.key)
        page.last_id = getattr(rows[-1], pk.key)
    page.nav = {
        "first": {},
        "prev": {BEFORE: page.first_id} if page.has_prev and rows else None,
        "next": {AFTER: page.last_id} if page.has_next and rows else None,
        "last": {LAST: "1"},
    }
    return page


def offset_page(datamodel, query, order_column, order_direction, page, page_size):
    """FAB's numbered page N, read the same two-step way: the ids from the narrow index (skipping N * size index
    entries is far cheaper than skipping as many table rows), then the rows of those ids."""
    model = datamodel.obj
    pk = getattr(model, datamodel.get_pk_name())
    col = keyset_column(datamodel, order_column)
    if col is None:  # ordered by a relation or a nullable column: FAB's own query
        return datamodel.apply_all(query, None, order_column, order_direction, page=page, page_size=page_size).all()
    order = _order(col, pk, order_direction != "desc")
    ids = _scoped(query.with_entities(pk).order_by(*order).offset((page or 0) * page_size).limit(page_size))
    return _rows_of(datamodel, ids.subquery().select(), order)


def without_cursor(args, view_name):
    """The request's arguments minus any cursor or FAB page number, for building navigation links."""
    drop = {AFTER, BEFORE, LAST, START, f"page_{view_name}"}
    return {k: v for k, v in args.items() if k not in drop}
