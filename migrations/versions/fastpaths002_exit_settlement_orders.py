"""fast paths: the exit settlement list's orders by index (issue 13)

Revision ID: fastpaths002
Revises: pupuk002

The exit settlement list (pelunasan anggota keluar) offers two orders, by settlement date and by amount paid out.
Each pages by keyset over (cooperative_id, column, id) within one cooperative and (column, id) across a city or
the country, as the big lists of fastpaths001; without them every page sorted all of a scope's settlements.
"""
from alembic import op

revision = "fastpaths002"
down_revision = "pupuk002"
branch_labels = None
depends_on = None

INDEXES = [
    ("ix_exit_settlement_coop_date_id", ["cooperative_id", "settle_date", "id"]),
    ("ix_exit_settlement_date_id", ["settle_date", "id"]),
    ("ix_exit_settlement_coop_paid_id", ["cooperative_id", "paid_out", "id"]),
    ("ix_exit_settlement_paid_id", ["paid_out", "id"]),
]


def upgrade():
    for name, columns in INDEXES:
        op.create_index(name, "exit_settlement", columns)


def downgrade():
    for name, _columns in INDEXES:
        op.drop_index(name, table_name="exit_settlement")
