"""monthly review chain: monthly_report and its steps (issue 18)

Revision ID: oversight001
Revises: audit002
"""
from alembic import op
import sqlalchemy as sa

revision = "oversight001"
down_revision = "inventory001"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "monthly_report",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cooperative_id", sa.Integer(), sa.ForeignKey("cooperative.id"), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("month", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("submitted_at", sa.DateTime(), nullable=True),
        sa.Column("submitted_by", sa.String(length=100), nullable=True),
        sa.Column("lurah_at", sa.DateTime(), nullable=True),
        sa.Column("lurah_by", sa.String(length=100), nullable=True),
        sa.Column("camat_at", sa.DateTime(), nullable=True),
        sa.Column("camat_by", sa.String(length=100), nullable=True),
        sa.Column("sudin_at", sa.DateTime(), nullable=True),
        sa.Column("sudin_by", sa.String(length=100), nullable=True),
        sa.Column("last_comment", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("cooperative_id", "year", "month", name="uq_monthly_report_coop_month"),
        sa.CheckConstraint("month BETWEEN 1 AND 12", name="ck_monthly_report_month"),
        sa.CheckConstraint("status IN ('submitted','lurah_approved','camat_approved','approved','sent_back',"
                           "'reopened')", name="ck_monthly_report_status"),
    )
    op.create_index("ix_monthly_report_cooperative_id", "monthly_report", ["cooperative_id"])
    op.create_index("ix_monthly_report_status_coop", "monthly_report", ["status", "cooperative_id"])
    op.create_table(
        "monthly_report_step",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cooperative_id", sa.Integer(), sa.ForeignKey("cooperative.id"), nullable=False),
        sa.Column("report_id", sa.Integer(), sa.ForeignKey("monthly_report.id", ondelete="RESTRICT"),
                  nullable=False),
        sa.Column("action", sa.String(length=12), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=True),
        sa.Column("username", sa.String(length=100), nullable=True),
        sa.Column("full_name", sa.String(length=200), nullable=True),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("status_after", sa.String(length=16), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.CheckConstraint("action IN ('submit','approve','send_back','reset')",
                           name="ck_monthly_report_step_action"),
    )
    op.create_index("ix_monthly_report_step_cooperative_id", "monthly_report_step", ["cooperative_id"])
    op.create_index("ix_monthly_report_step_report_id", "monthly_report_step", ["report_id"])


def downgrade():
    op.drop_table("monthly_report_step")
    op.drop_table("monthly_report")
