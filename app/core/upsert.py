"""Atomic upserts, the same statement on PostgreSQL and SQLite (both speak INSERT .. ON CONFLICT).

Used for the gapless per-cooperative-per-year counters (journal numbers, receipt numbers) and the ledger's kept
balances: a conflicting row is updated in the same statement, so concurrent writers never lose an increment.

``upsert_rows`` writes the statement as SQL text, built once per shape (table, columns, number of rows, conflict
target, update): SQLAlchemy's dialect ``insert().on_conflict_do_update()`` has no cache key, so it was compiled
afresh at every execution, six times in a kiosk sale; a text statement is compiled once per database and reused.
The bound values keep their column types (Decimal on SQLite goes through the same conversion as an ORM insert).
"""
from functools import lru_cache

from sqlalchemy import bindparam, text
from sqlalchemy.dialects import postgresql, sqlite

# What a conflicting row's column becomes: ``add`` the proposed value, ``increment`` by one, ``keep`` (the row is
# only locked and returned).
UPDATES = {"add": "{t}.{c} + excluded.{c}", "increment": "{t}.{c} + 1", "keep": "{t}.{c}"}


def upsert(session, table):
    """``INSERT`` for the session's database, with ``on_conflict_do_update`` / ``on_conflict_do_nothing``."""
    return (postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert)(table)


@lru_cache(maxsize=256)
def _statement(dialect, table, columns, n_rows, conflict, update, returning):
    quote = dialect.identifier_preparer.quote
    name = quote(table.name)
    values = ", ".join("(" + ", ".join(f":r{i}_{c}" for c in columns) + ")" for i in range(n_rows))
    sql = (f"INSERT INTO {name} ({', '.join(quote(c) for c in columns)}) VALUES {values} "
           f"ON CONFLICT ({', '.join(quote(c) for c in conflict)}) ")
    if update:
        sql += "DO UPDATE SET " + ", ".join(f"{quote(c)} = " + UPDATES[how].format(t=name, c=quote(c))
                                            for c, how in update)
    else:
        sql += "DO NOTHING"
    if returning:
        sql += " RETURNING " + ", ".join(quote(c) for c in returning)
    stmt = text(sql).bindparams(*[bindparam(f"r{i}_{c}", type_=table.c[c].type)
                                  for i in range(n_rows) for c in columns])
    return stmt.columns(*[table.c[c] for c in returning]) if returning else stmt


def upsert_statement(session, table, rows, conflict, update=None, returning=None):
    """(statement, parameters) of ``INSERT INTO table VALUES rows ON CONFLICT (conflict) DO UPDATE SET update``
    (``DO NOTHING`` without ``update``) ``RETURNING returning``.

    :param rows: dicts with the same keys, in the order the rows are proposed (PostgreSQL locks in that order).
    :param update: ``{column: "add" | "increment" | "keep"}``.
    :param returning: column names; the statement then reads as a typed SELECT (``select(M).from_statement``).
    """
    columns = tuple(rows[0])
    if any(tuple(row) != columns for row in rows):
        raise ValueError("upsert rows must name the same columns in the same order")
    stmt = _statement(session.get_bind().dialect, table, columns, len(rows), tuple(conflict),
                      tuple((update or {}).items()), tuple(returning or ()))
    return stmt, {f"r{i}_{c}": row[c] for i, row in enumerate(rows) for c in columns}


def upsert_rows(session, table, rows, conflict, update=None, returning=None):
    """Execute ``upsert_statement``; returns the result (its rows when ``returning`` names columns)."""
    stmt, params = upsert_statement(session, table, rows, conflict, update, returning)
    return session.execute(stmt, params)


def next_number(session, table, cooperative_id, year):
    """Take the next number of a (cooperative, year) counter table with a ``last_number`` column, gaplessly: the
    counter row is created or incremented in one statement and rolls back with the caller's transaction."""
    return upsert_rows(session, table, [{"cooperative_id": cooperative_id, "year": year, "last_number": 1}],
                       ("cooperative_id", "year"), {"last_number": "increment"}, ("last_number",)).scalar_one()


@lru_cache(maxsize=64)
def _number_and_id_statement(dialect, table, id_table):
    quote = dialect.identifier_preparer.quote
    name = quote(table.name)
    sql = (f"INSERT INTO {name} (cooperative_id, year, last_number) VALUES (:cooperative_id, :year, 1) "
           f"ON CONFLICT (cooperative_id, year) DO UPDATE SET last_number = {name}.last_number + 1 "
           f"RETURNING last_number, nextval(pg_get_serial_sequence('{id_table.name}', 'id'))")
    return text(sql).bindparams(bindparam("cooperative_id", type_=table.c.cooperative_id.type),
                                bindparam("year", type_=table.c.year.type))


def next_number_and_id(session, table, cooperative_id, year, id_table):
    """(the counter's next number as ``next_number``, an id reserved for the document's row in ``id_table``).

    On PostgreSQL the id comes from the table's own sequence in the counter's statement, so a document can post
    its journal (which names the document's id) before its row is inserted, and insert the row once, complete,
    in the flush that writes its lines and movements: no INSERT-then-UPDATE and one flush fewer. SQLite has no
    sequence to ask: the id is None there and the caller flushes the row first to learn it."""
    dialect = session.get_bind().dialect
    if dialect.name != "postgresql":
        return next_number(session, table, cooperative_id, year), None
    stmt = _number_and_id_statement(dialect, table, id_table)
    return tuple(session.execute(stmt, {"cooperative_id": cooperative_id, "year": year}).one())
