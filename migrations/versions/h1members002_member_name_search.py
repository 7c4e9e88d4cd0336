"""members: name_key for fast name search, and the (name, id) index for keyset pages of the whole register

Revision ID: h1members002
Revises: g1savrev001

On PostgreSQL also a trigram index on name_key (pg_trgm), so a rare name is found without reading the register,
and a larger statistics sample on it, so the planner knows a common name from a rare one. Where the pg_trgm
extension cannot be created (no privilege), the migration goes on without that index: searches stay correct,
only rare-name searches are slower.
"""
import logging

from alembic import op
import sqlalchemy as sa

revision = "h1members002"
down_revision = "g1savrev001"
branch_labels = None
depends_on = None

log = logging.getLogger("alembic.runtime.migration")


def _name_key(name):
    # Same rule as app.members.models.name_key_of (a migration must not import app code that may change later).
    return " ".join((name or "").casefold().split())


def upgrade():
    bind = op.get_bind()
    with op.batch_alter_table("member", schema=None) as batch_op:
        batch_op.add_column(sa.Column("name_key", sa.String(length=120), nullable=False, server_default=""))
    member = sa.table("member", sa.column("id", sa.Integer), sa.column("name", sa.String),
                      sa.column("name_key", sa.String))
    if bind.dialect.name == "postgresql":  # one statement for a big register; same result for ordinary names
        op.execute(r"UPDATE member SET name_key = lower(regexp_replace(btrim(name), '\s+', ' ', 'g'))")
    else:
        rows = bind.execute(sa.select(member.c.id, member.c.name)).all()
        for row_id, name in rows:
            bind.execute(member.update().where(member.c.id == row_id).values(name_key=_name_key(name)))
    if bind.dialect.name == "postgresql":
        op.create_index("ix_member_name_id", "member", ["name", "id"],
                        postgresql_include=["name_key", "cooperative_id", "status"])
        op.execute("ALTER TABLE member ALTER COLUMN name_key SET STATISTICS 1000")
        try:
            with bind.begin_nested():
                bind.execute(sa.text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
            op.execute("CREATE INDEX ix_member_name_key_trgm ON member USING gin (name_key gin_trgm_ops)")
        except sa.exc.DBAPIError as e:  # e.g. no privilege to create the extension
            log.warning("pg_trgm unavailable, member name search goes without a trigram index: %s", e.orig)
    else:
        op.create_index("ix_member_name_id", "member", ["name", "id"])


def downgrade():
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_member_name_key_trgm")
    op.drop_index("ix_member_name_id", table_name="member")
    with op.batch_alter_table("member", schema=None) as batch_op:
        batch_op.drop_column("name_key")
