"""members and savings

Revision ID: d1members001
Revises: c1ledger0001
"""
from alembic import op
import sqlalchemy as sa

revision = "d1members001"
down_revision = "c1ledger0001"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
