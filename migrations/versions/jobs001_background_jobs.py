"""background jobs: one row per run (who, what, scope, status, progress, result or error) (issue 14)

Revision ID: jobs001
Revises: audit002
"""
from alembic import op
import sqlalchemy as sa

revision = "jobs001"
down_revision = "audit002"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "job",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("username", sa.String(length=100), nullable=True),
        sa.Column("cooperative_id", sa.Integer(), nullable=True),
        sa.Column("scope_label", sa.String(length=40), nullable=False),
        sa.Column("params", sa.Text(), nullable=True),
        sa.Column("dedupe_key", sa.String(length=80), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("progress_done", sa.Integer(), nullable=False),
        sa.Column("progress_total", sa.Integer(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=True),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("heartbeat_at", sa.DateTime(), nullable=True),
        sa.Column("result_path", sa.String(length=255), nullable=True),
        sa.Column("result_name", sa.String(length=120), nullable=True),
        sa.Column("result_summary", sa.Text(), nullable=True),
        sa.Column("error_message", sa.Text(), nullable=True),
        sa.Column("error_rows", sa.Text(), nullable=True),
        sa.CheckConstraint("status IN ('queued','running','done','failed')", name="ck_job_status"),
        sa.ForeignKeyConstraint(["cooperative_id"], ["cooperative.id"]),
        sa.ForeignKeyConstraint(["user_id"], ["ab_user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("dedupe_key"),
    )
    with op.batch_alter_table("job", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_job_user_id"), ["user_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_job_cooperative_id"), ["cooperative_id"], unique=False)


def downgrade():
    with op.batch_alter_table("job", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_job_cooperative_id"))
        batch_op.drop_index(batch_op.f("ix_job_user_id"))
    op.drop_table("job")
