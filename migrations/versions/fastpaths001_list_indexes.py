"""fast paths: an index for every order and search the big lists offer (issue 13)

Revision ID: fastpaths001
Revises: audit002

Each offered order of a big list pages by keyset over (column, id): within one cooperative through
(cooperative_id, column, id), across a city or the country through (column, id). Newest-first lists read
(cooperative_id, id). "Starts with" on a code (receipt, member and journal numbers, a Sudin's region prefix) is a
LIKE prefix, which only a pattern index answers on PostgreSQL under a non-C collation (C.UTF-8 is not C to the
planner); SQLite gets no pattern indexes (its LIKE is case-insensitive and never uses a plain index anyway).
The (cooperative_id, date) indexes become (cooperative_id, date, id): a superset for every earlier use.
"""
from alembic import op

revision = "fastpaths001"
down_revision = "oversight001"
branch_labels = None
depends_on = None

# (name, table, columns)
PLAIN = [
    ("ix_member_coop_name_id", "member", ["cooperative_id", "name", "id"]),
    ("ix_member_coop_join_id", "member", ["cooperative_id", "join_date", "id"]),
    ("ix_member_join_id", "member", ["join_date", "id"]),
    ("ix_savings_tx_coop_id", "savings_transaction", ["cooperative_id", "id"]),
    ("ix_savings_tx_coop_date_id", "savings_transaction", ["cooperative_id", "tx_date", "id"]),
    ("ix_savings_tx_date_id", "savings_transaction", ["tx_date", "id"]),
    ("ix_savings_tx_coop_amount_id", "savings_transaction", ["cooperative_id", "amount", "id"]),
    ("ix_savings_tx_amount_id", "savings_transaction", ["amount", "id"]),
    ("ix_savings_tx_member_id", "savings_transaction", ["member_id", "id"]),
    ("ix_wajib_bill_coop_id", "wajib_bill", ["cooperative_id", "id"]),
    ("ix_wajib_bill_member_id", "wajib_bill", ["member_id", "id"]),
    ("ix_journal_entry_coop_id", "journal_entry", ["cooperative_id", "id"]),
    ("ix_journal_entry_coop_date_id", "journal_entry", ["cooperative_id", "entry_date", "id"]),
    ("ix_journal_entry_date_id", "journal_entry", ["entry_date", "id"]),
    ("ix_journal_entry_number_id", "journal_entry", ["number", "id"]),
    ("ix_journal_line_coop_id", "journal_line", ["cooperative_id", "id"]),
    ("ix_audit_event_coop_id", "audit_event", ["cooperative_id", "id"]),
    ("ix_audit_event_username_id", "audit_event", ["username", "id"]),
    ("ix_audit_event_occurred", "audit_event", ["occurred_at"]),
]

# PostgreSQL only: (name, table, leading columns, pattern column)
PATTERN = [
    ("ix_member_coop_number_pat", "member", ["cooperative_id"], "member_number"),
    ("ix_member_number_pat", "member", [], "member_number"),
    ("ix_savings_tx_coop_receipt_pat", "savings_transaction", ["cooperative_id"], "receipt_number"),
    ("ix_savings_tx_receipt_pat", "savings_transaction", [], "receipt_number"),
    ("ix_journal_entry_coop_number_pat", "journal_entry", ["cooperative_id"], "number"),
    ("ix_journal_entry_number_pat", "journal_entry", [], "number"),
    ("ix_audit_event_region_pat", "audit_event", [], "region_code"),
]

# Superseded by the (…, id) versions above.
REPLACED = [
    ("ix_member_coop_name", "member", ["cooperative_id", "name"]),
    ("ix_savings_tx_coop_date", "savings_transaction", ["cooperative_id", "tx_date"]),
    ("ix_journal_entry_coop_date", "journal_entry", ["cooperative_id", "entry_date"]),
]


def upgrade():
    bind = op.get_bind()
    for name, table, columns in PLAIN:
        op.create_index(name, table, columns)
    if bind.dialect.name == "postgresql":
        for name, table, leading, column in PATTERN:
            cols = ", ".join(leading + [f"{column} varchar_pattern_ops"])
            op.execute(f"CREATE INDEX {name} ON {table} ({cols})")
    for name, table, _columns in REPLACED:
        op.drop_index(name, table_name=table)


def downgrade():
    bind = op.get_bind()
    for name, table, columns in REPLACED:
        op.create_index(name, table, columns)
    if bind.dialect.name == "postgresql":
        for name, _table, _leading, _column in PATTERN:
            op.execute(f"DROP INDEX IF EXISTS {name}")
    for name, table, _columns in reversed(PLAIN):
        op.drop_index(name, table_name=table)
