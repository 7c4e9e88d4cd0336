"""savings: reversal (koreksi) of a transaction: reversal_of_id (UNIQUE: once only) and reversed_at

Revision ID: g1savrev001
Revises: f2ledgerimp01
"""
from alembic import op
import sqlalchemy as sa

revision = "g1savrev001"
down_revision = "f2ledgerimp01"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("savings_transaction", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reversal_of_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("reversed_at", sa.DateTime(), nullable=True))
        batch_op.create_foreign_key("fk_savings_tx_reversal_of", "savings_transaction", ["reversal_of_id"], ["id"])
        batch_op.create_index("uq_savings_tx_reversal_of", ["reversal_of_id"], unique=True)


def downgrade():
    with op.batch_alter_table("savings_transaction", schema=None) as batch_op:
        batch_op.drop_index("uq_savings_tx_reversal_of")
        batch_op.drop_constraint("fk_savings_tx_reversal_of", type_="foreignkey")
        batch_op.drop_column("reversed_at")
        batch_op.drop_column("reversal_of_id")
