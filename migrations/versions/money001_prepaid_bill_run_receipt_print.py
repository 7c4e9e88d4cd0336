"""savings: prepaid wajib on the balance, the monthly bill-run marker, the receipt print count (SALINAN)

Revision ID: money001
Revises: auth001_session_epoch
"""
from alembic import op
import sqlalchemy as sa

revision = "money001"
down_revision = "auth001_session_epoch"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("savings_balance", schema=None) as batch_op:
        batch_op.add_column(sa.Column("prepaid", sa.Numeric(precision=18, scale=2), nullable=False, server_default="0"))
        batch_op.create_check_constraint("ck_savings_balance_prepaid", "prepaid >= 0 AND prepaid <= balance")
    op.create_table(
        "wajib_bill_run",
        sa.Column("cooperative_id", sa.Integer(), sa.ForeignKey("cooperative.id"), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("month", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), server_default=sa.text("CURRENT_TIMESTAMP"), nullable=False),
        sa.PrimaryKeyConstraint("cooperative_id", "year", "month"),
    )
    op.create_table(
        "savings_receipt_print",
        sa.Column("transaction_id", sa.Integer(), sa.ForeignKey("savings_transaction.id"), nullable=False),
        sa.Column("print_count", sa.Integer(), nullable=False),
        sa.Column("first_printed_at", sa.DateTime(), nullable=False),
        sa.Column("last_printed_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("transaction_id"),
    )


def downgrade():
    op.drop_table("savings_receipt_print")
    op.drop_table("wajib_bill_run")
    with op.batch_alter_table("savings_balance", schema=None) as batch_op:
        batch_op.drop_constraint("ck_savings_balance_prepaid", type_="check")
        batch_op.drop_column("prepaid")
