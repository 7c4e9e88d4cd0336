"""ledger: imported workbooks (saldo awal, buku kas), SHA-256 unique per cooperative

Revision ID: f2ledgerimp01
Revises: e1savings001
"""
from alembic import op
import sqlalchemy as sa

revision = "f2ledgerimp01"
# NOTE for the integrator: if f1ledgeridx01 (also on e1savings001) lands, chain this one after it.
down_revision = "e1savings001"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "ledger_import",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cooperative_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=True),
        sa.Column("row_count", sa.Integer(), nullable=False),
        sa.Column("entry_count", sa.Integer(), nullable=False),
        sa.Column("first_date", sa.Date(), nullable=True),
        sa.Column("last_date", sa.Date(), nullable=True),
        sa.Column("username", sa.String(length=100), nullable=True),
        sa.Column("imported_at", sa.DateTime(), server_default=sa.text("CURRENT_TIMESTAMP"), nullable=False),
        sa.ForeignKeyConstraint(["cooperative_id"], ["cooperative.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("cooperative_id", "sha256", name="uq_ledger_import_coop_sha"),
        sa.CheckConstraint("kind IN ('saldo_awal','buku_kas')", name="ck_ledger_import_kind"),
    )
    with op.batch_alter_table("ledger_import", schema=None) as batch_op:
        batch_op.create_index("ix_ledger_import_cooperative_id", ["cooperative_id"], unique=False)


def downgrade():
    op.drop_table("ledger_import")
