"""ab_user.auth_epoch: the session generation that logout, password resets and role changes raise

Revision ID: auth001_session_epoch
Revises: lead12bal001

Sessions and API tokens carry the generation they were issued under; once it changes they stop working
(app/security/sessions.py). Existing users start at 0; sessions issued before this revision carry no generation and
are refused, so everybody signs in once more after the upgrade.
"""
from alembic import op
import sqlalchemy as sa

revision = "auth001_session_epoch"
down_revision = "lead12bal001"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("ab_user", schema=None) as batch_op:
        batch_op.add_column(sa.Column("auth_epoch", sa.Integer(), nullable=False, server_default="0"))


def downgrade():
    with op.batch_alter_table("ab_user", schema=None) as batch_op:
        batch_op.drop_column("auth_epoch")
