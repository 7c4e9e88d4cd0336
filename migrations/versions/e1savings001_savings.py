"""savings: products, bills, transactions, receipts

Revision ID: e1savings001
Revises: d1members001
"""
from alembic import op
import sqlalchemy as sa

revision = "e1savings001"
down_revision = "d1members001"
branch_labels = None
depends_on = None

MONEY = sa.Numeric(precision=18, scale=2)


def _coop():
    return sa.Column("cooperative_id", sa.Integer(), sa.ForeignKey("cooperative.id"), nullable=False)


def _version():
    return sa.Column("version", sa.Integer(), nullable=False, server_default="1")


def upgrade():
    op.create_table(
        "savings_product",
        sa.Column("id", sa.Integer(), primary_key=True),
        _coop(),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("name", sa.String(80), nullable=False),
        sa.Column("amount", MONEY, nullable=True),
        sa.Column("instalments", sa.Integer(), nullable=False, server_default="1"),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.Column("decision_ref", sa.String(80), nullable=True),
        _version(),
        sa.UniqueConstraint("cooperative_id", "kind", name="uq_savings_product_coop_kind"),
        sa.CheckConstraint("kind IN ('pokok','wajib','sukarela')", name="ck_savings_product_kind"),
        sa.CheckConstraint("amount IS NULL OR amount > 0", name="ck_savings_product_amount"),
        sa.CheckConstraint("instalments >= 1 AND instalments <= 12", name="ck_savings_product_instalments"),
    )
    op.create_index("ix_savings_product_cooperative_id", "savings_product", ["cooperative_id"])

    op.create_table(
        "wajib_rate",
        sa.Column("id", sa.Integer(), primary_key=True),
        _coop(),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("amount", MONEY, nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.Column("decision_ref", sa.String(80), nullable=True),
        _version(),
        sa.UniqueConstraint("cooperative_id", "valid_from", name="uq_wajib_rate_coop_from"),
        sa.CheckConstraint("amount > 0", name="ck_wajib_rate_amount"),
    )
    op.create_index("ix_wajib_rate_cooperative_id", "wajib_rate", ["cooperative_id"])

    op.create_table(
        "wajib_bill",
        sa.Column("id", sa.Integer(), primary_key=True),
        _coop(),
        sa.Column("member_id", sa.Integer(), sa.ForeignKey("member.id"), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("month", sa.Integer(), nullable=False),
        sa.Column("amount", MONEY, nullable=False),
        sa.Column("paid_amount", MONEY, nullable=False, server_default="0"),
        sa.Column("created_at", sa.DateTime(), nullable=False, server_default=sa.text("CURRENT_TIMESTAMP")),
        _version(),
        sa.UniqueConstraint("member_id", "year", "month", name="uq_wajib_bill_member_month"),
        sa.CheckConstraint("amount > 0", name="ck_wajib_bill_amount"),
        sa.CheckConstraint("paid_amount >= 0 AND paid_amount <= amount", name="ck_wajib_bill_paid"),
        sa.CheckConstraint("month >= 1 AND month <= 12", name="ck_wajib_bill_month"),
    )
    op.create_index("ix_wajib_bill_cooperative_id", "wajib_bill", ["cooperative_id"])
    op.create_index("ix_wajib_bill_coop_period", "wajib_bill", ["cooperative_id", "year", "month"])

    op.create_table(
        "savings_balance",
        sa.Column("id", sa.Integer(), primary_key=True),
        _coop(),
        sa.Column("member_id", sa.Integer(), sa.ForeignKey("member.id"), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("balance", MONEY, nullable=False, server_default="0"),
        sa.UniqueConstraint("member_id", "kind", name="uq_savings_balance_member_kind"),
        sa.CheckConstraint("balance >= 0", name="ck_savings_balance_not_negative"),
        sa.CheckConstraint("kind IN ('pokok','wajib','sukarela')", name="ck_savings_balance_kind"),
    )
    op.create_index("ix_savings_balance_cooperative_id", "savings_balance", ["cooperative_id"])

    op.create_table(
        "savings_receipt_counter",
        sa.Column("cooperative_id", sa.Integer(), sa.ForeignKey("cooperative.id"), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("last_number", sa.Integer(), nullable=False, server_default="0"),
        sa.PrimaryKeyConstraint("cooperative_id", "year"),
    )

    op.create_table(
        "exit_settlement",
        sa.Column("id", sa.Integer(), primary_key=True),
        _coop(),
        sa.Column("member_id", sa.Integer(), sa.ForeignKey("member.id"), nullable=False, unique=True),
        sa.Column("settle_date", sa.Date(), nullable=False),
        sa.Column("pokok", MONEY, nullable=False),
        sa.Column("wajib", MONEY, nullable=False),
        sa.Column("loss_share", MONEY, nullable=False, server_default="0"),
        sa.Column("paid_out", MONEY, nullable=False),
        sa.Column("journal_entry_id", sa.Integer(), sa.ForeignKey("journal_entry.id"), nullable=True),
        sa.Column("note", sa.String(255), nullable=True),
        sa.Column("created_by", sa.String(100), nullable=True),
        _version(),
        sa.CheckConstraint("loss_share >= 0 AND paid_out >= 0", name="ck_exit_settlement_amounts"),
    )
    op.create_index("ix_exit_settlement_cooperative_id", "exit_settlement", ["cooperative_id"])

    op.create_table(
        "savings_transaction",
        sa.Column("id", sa.Integer(), primary_key=True),
        _coop(),
        sa.Column("member_id", sa.Integer(), sa.ForeignKey("member.id"), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("direction", sa.String(6), nullable=False),
        sa.Column("amount", MONEY, nullable=False),
        sa.Column("tx_date", sa.Date(), nullable=False),
        sa.Column("receipt_year", sa.Integer(), nullable=False),
        sa.Column("receipt_seq", sa.Integer(), nullable=False),
        sa.Column("receipt_number", sa.String(20), nullable=False),
        sa.Column("idempotency_key", sa.String(64), nullable=False),
        sa.Column("journal_entry_id", sa.Integer(), sa.ForeignKey("journal_entry.id"), nullable=True),
        sa.Column("settlement_id", sa.Integer(), sa.ForeignKey("exit_settlement.id"), nullable=True),
        sa.Column("note", sa.String(255), nullable=True),
        sa.Column("created_by", sa.String(100), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False, server_default=sa.text("CURRENT_TIMESTAMP")),
        _version(),
        sa.UniqueConstraint("cooperative_id", "idempotency_key", name="uq_savings_tx_coop_idem"),
        sa.UniqueConstraint("cooperative_id", "receipt_year", "receipt_seq", name="uq_savings_tx_coop_receipt"),
        sa.CheckConstraint("amount > 0", name="ck_savings_tx_amount"),
        sa.CheckConstraint("kind IN ('pokok','wajib','sukarela')", name="ck_savings_tx_kind"),
        sa.CheckConstraint("direction IN ('setor','tarik')", name="ck_savings_tx_direction"),
    )
    op.create_index("ix_savings_transaction_cooperative_id", "savings_transaction", ["cooperative_id"])
    op.create_index("ix_savings_tx_coop_date", "savings_transaction", ["cooperative_id", "tx_date"])
    op.create_index("ix_savings_tx_member", "savings_transaction", ["member_id", "tx_date"])

    op.create_table(
        "savings_import",
        sa.Column("id", sa.Integer(), primary_key=True),
        _coop(),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("filename", sa.String(255), nullable=True),
        sa.Column("row_count", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(100), nullable=True),
        sa.Column("imported_at", sa.DateTime(), nullable=False, server_default=sa.text("CURRENT_TIMESTAMP")),
        sa.UniqueConstraint("cooperative_id", "sha256", name="uq_savings_import_coop_sha"),
    )
    op.create_index("ix_savings_import_cooperative_id", "savings_import", ["cooperative_id"])


def downgrade():
    for table in ("savings_import", "savings_transaction", "exit_settlement", "savings_receipt_counter",
                  "savings_balance", "wajib_bill", "wajib_rate", "savings_product"):
        op.drop_table(table)
