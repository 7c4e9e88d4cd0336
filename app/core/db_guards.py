"""Database triggers that keep posted records as they were posted, below the ORM (issue 9.7).

The ORM and the services never rewrite a posted money record; these triggers make the database say the same to
anyone with a SQL prompt: a row of a guarded table cannot be deleted, its columns cannot be changed except the
few the application legitimately fills in later, and on PostgreSQL the table cannot be emptied with ``TRUNCATE``
(row triggers do not fire on TRUNCATE, so it gets a statement-level trigger of its own).

A table is guarded in one line of its migration::

    db_guards.install(op, Guard("sale", "posted sales are immutable", set_once=("journal_entry_id",)))

``set_once`` columns may go from NULL to a value once (a journal number filled in after the insert, the moment a
transaction was reversed), never back and never to another value; ``mutable`` columns may change freely (version
counters, running totals such as a bill's paid amount); every other column present when the migration runs is
frozen. The trigger names derive from the table, so ``uninstall`` needs only the guard.

No ``%`` and no ``:name`` in the SQL text: the statements go through the DBAPI's pyformat and SQLAlchemy's
``text()``.
"""
from dataclasses import dataclass

import sqlalchemy as sa

PG_FUNCTION = """
CREATE OR REPLACE FUNCTION kkmp_refuse_change() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION USING MESSAGE = TG_ARGV[0], ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql
"""


@dataclass(frozen=True)
class Guard:
    table: str
    message: str
    set_once: tuple = ()
    mutable: tuple = ()
    # The table's rows are already protected by triggers of its own (journals, the audit log): add TRUNCATE only.
    truncate_only: bool = False


def _literal(text):
    return "'" + text.replace("'", "''") + "'"


def _frozen(guard, columns):
    return [c for c in columns if c not in guard.set_once and c not in guard.mutable]


def _changed_condition(guard, columns, differs):
    """SQL that is true when an UPDATE changes a frozen column or rewrites a set-once column already set."""
    parts = [f"OLD.{c} {differs} NEW.{c}" for c in _frozen(guard, columns)]
    parts += [f"(OLD.{c} IS NOT NULL AND OLD.{c} {differs} NEW.{c})" for c in guard.set_once]
    return " OR ".join(parts)


def statements(guard, dialect, columns):
    """CREATE statements for ``guard`` on ``dialect`` ("postgresql" or "sqlite"), given the table's columns."""
    t, msg = guard.table, _literal(guard.message)
    if dialect == "postgresql":
        out = [PG_FUNCTION,
               f"CREATE TRIGGER {t}_guard_truncate BEFORE TRUNCATE ON {t} "
               f"FOR EACH STATEMENT EXECUTE FUNCTION kkmp_refuse_change({msg})"]
        if guard.truncate_only:
            return out
        return out + [
            f"CREATE TRIGGER {t}_guard_delete BEFORE DELETE ON {t} "
            f"FOR EACH ROW EXECUTE FUNCTION kkmp_refuse_change({msg})",
            f"CREATE TRIGGER {t}_guard_update BEFORE UPDATE ON {t} FOR EACH ROW "
            f"WHEN ({_changed_condition(guard, columns, 'IS DISTINCT FROM')}) "
            f"EXECUTE FUNCTION kkmp_refuse_change({msg})",
        ]
    if guard.truncate_only:  # SQLite has no TRUNCATE: its DELETE without WHERE fires the row triggers
        return []
    raise_ = f"SELECT RAISE(ABORT, {msg})"
    return [
        f"CREATE TRIGGER {t}_guard_delete BEFORE DELETE ON {t} BEGIN {raise_}; END",
        f"CREATE TRIGGER {t}_guard_update BEFORE UPDATE ON {t} "
        f"WHEN {_changed_condition(guard, columns, 'IS NOT')} BEGIN {raise_}; END",
    ]


def drop_statements(guard, dialect):
    t = guard.table
    names = [f"{t}_guard_truncate"] if dialect == "postgresql" else []
    if not guard.truncate_only:
        names += [f"{t}_guard_delete", f"{t}_guard_update"]
    if dialect == "postgresql":
        return [f"DROP TRIGGER IF EXISTS {n} ON {t}" for n in names]
    return [f"DROP TRIGGER IF EXISTS {n}" for n in names]


def install(op, *guards):
    """Create the triggers of ``guards`` (from a migration: ``op`` is Alembic's)."""
    bind = op.get_bind()
    inspector = sa.inspect(bind)
    for guard in guards:
        columns = [c["name"] for c in inspector.get_columns(guard.table)]
        unknown = set(guard.set_once + guard.mutable) - set(columns)
        if unknown:
            raise ValueError(f"{guard.table} has no column(s) {sorted(unknown)}")
        for statement in statements(guard, bind.dialect.name, columns):
            op.execute(statement)


def uninstall(op, *guards):
    dialect = op.get_bind().dialect.name
    for guard in guards:
        for statement in drop_statements(guard, dialect):
            op.execute(statement)
