"""Atomic upserts, the same statement on PostgreSQL and SQLite (both speak INSERT .. ON CONFLICT).

Used for the gapless per-cooperative-per-year counters (journal numbers, receipt numbers) and the ledger's kept
balances: a conflicting row is updated in the same statement, so concurrent writers never lose an increment.
"""
from sqlalchemy.dialects import postgresql, sqlite


def upsert(session, table):
    """``INSERT`` for the session's database, with ``on_conflict_do_update`` / ``on_conflict_do_nothing``."""
    return (postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert)(table)


def next_number(session, table, cooperative_id, year):
    """Take the next number of a (cooperative, year) counter table with a ``last_number`` column, gaplessly: the
    counter row is created or incremented in one statement and rolls back with the caller's transaction."""
    stmt = upsert(session, table).values(cooperative_id=cooperative_id, year=year, last_number=1)
    stmt = stmt.on_conflict_do_update(index_elements=["cooperative_id", "year"],
                                      set_={"last_number": table.c.last_number + 1}).returning(table.c.last_number)
    return session.execute(stmt).scalar_one()
