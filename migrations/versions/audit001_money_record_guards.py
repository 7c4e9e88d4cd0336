"""posted money records immutable below the ORM; TRUNCATE refused on the append-only tables (issue 9.7)

Revision ID: audit001
Revises: registry001

Savings transactions, exit settlements and wajib bills get the journals' protection: no DELETE, no UPDATE of the
columns that say what was posted (amount, date, member, kind, receipt), only the columns the application fills in
later (the journal entry once, the reversal time once, a bill's paid amount, version counters). On PostgreSQL
every one of them, and the journals, journal lines and the audit log, refuse TRUNCATE.

SQLite drops a table's triggers when a batch migration rebuilds the table: a later migration that alters one of
these tables in batch mode must install its guard again (tests/test_db_guards.py checks them at head).
"""
from alembic import op

from app.core.db_guards import Guard, install, uninstall

revision = "audit001"
down_revision = "registry001"
branch_labels = None
depends_on = None

GUARDS = (
    Guard("savings_transaction", "posted savings transactions are immutable - post a correction (koreksi)",
          set_once=("journal_entry_id", "reversed_at"), mutable=("version",)),
    Guard("exit_settlement", "exit settlements are immutable once posted",
          set_once=("journal_entry_id",), mutable=("version",)),
    Guard("wajib_bill", "a wajib bill keeps its member, month and amount - only its payments change",
          mutable=("paid_amount", "version")),
    Guard("journal_entry", "posted journal entries are immutable", truncate_only=True),
    Guard("journal_line", "posted journal entries are immutable", truncate_only=True),
    Guard("audit_event", "audit_event is append-only", truncate_only=True),
)


def upgrade():
    install(op, *GUARDS)


def downgrade():
    uninstall(op, *reversed(GUARDS))
