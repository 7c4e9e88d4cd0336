"""security log: refused cross-cooperative reads and writes, CSRF failures, rate-limit hits (issue 9.5)

Revision ID: audit002
Revises: audit001

Append-only like the audit log: a trigger refuses DELETE, TRUNCATE and any UPDATE but the aggregate row's count.
"""
from alembic import op
import sqlalchemy as sa

from app.core.db_guards import Guard, install, uninstall

revision = "audit002"
down_revision = "audit001"
branch_labels = None
depends_on = None

GUARD = Guard("security_event", "security_event is append-only", mutable=("count",))


def upgrade():
    op.create_table(
        "security_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("occurred_at", sa.DateTime(), nullable=False),
        sa.Column("minute", sa.DateTime(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("actor_key", sa.String(length=120), nullable=False),
        sa.Column("slot", sa.Integer(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("username", sa.String(length=100), nullable=True),
        sa.Column("remote_addr", sa.String(length=45), nullable=True),
        sa.Column("actor_region_code", sa.String(length=13), nullable=True),
        sa.Column("actor_cooperative_id", sa.Integer(), nullable=True),
        sa.Column("cooperative_id", sa.Integer(), nullable=True),
        sa.Column("table_name", sa.String(length=60), nullable=True),
        sa.Column("record_id", sa.String(length=40), nullable=True),
        sa.Column("method", sa.String(length=10), nullable=True),
        sa.Column("path", sa.String(length=255), nullable=True),
        sa.Column("details", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("kind", "actor_key", "minute", "slot", name="uq_security_event_bucket_slot"),
    )
    with op.batch_alter_table("security_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_security_event_occurred_at"), ["occurred_at"], unique=False)
        batch_op.create_index("ix_security_event_minute", ["minute"], unique=False)
        batch_op.create_index(batch_op.f("ix_security_event_actor_region_code"), ["actor_region_code"],
                              unique=False)
        batch_op.create_index(batch_op.f("ix_security_event_actor_cooperative_id"), ["actor_cooperative_id"],
                              unique=False)
        batch_op.create_index(batch_op.f("ix_security_event_cooperative_id"), ["cooperative_id"], unique=False)
    install(op, GUARD)


def downgrade():
    uninstall(op, GUARD)
    op.drop_table("security_event")
