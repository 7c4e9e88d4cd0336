"""ledger: chart of accounts, journals, periods

Revision ID: c1ledger0001
Revises: ab87807fafd3
"""
from alembic import op
import sqlalchemy as sa

revision = "c1ledger0001"
down_revision = "ab87807fafd3"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
