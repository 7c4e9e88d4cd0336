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


def upgrade():
    pass


def downgrade():
    pass
