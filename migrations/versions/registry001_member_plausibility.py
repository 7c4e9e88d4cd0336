"""registry: the member-age rule as data (cooperative.member_min_age, default 17) and the member's marital status

Revision ID: registry001
Revises: money001

A member is at least the cooperative's minimum age (17, the KTP age, unless its AD/ART says more) or married
(kawin, cerai hidup, cerai mati: as on the KTP). Existing members keep an unknown marital status (NULL).
"""
from alembic import op
import sqlalchemy as sa

revision = "registry001"
down_revision = "money001"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("cooperative", schema=None) as batch_op:
        batch_op.add_column(sa.Column("member_min_age", sa.Integer(), nullable=False, server_default="17"))
        batch_op.create_check_constraint("ck_cooperative_member_min_age", "member_min_age BETWEEN 17 AND 99")
    with op.batch_alter_table("member", schema=None) as batch_op:
        batch_op.add_column(sa.Column("marital_status", sa.String(length=12), nullable=True))
        batch_op.create_check_constraint(
            "ck_member_marital_status",
            "marital_status IS NULL OR marital_status IN ('belum_kawin','kawin','cerai_hidup','cerai_mati')")


def downgrade():
    with op.batch_alter_table("member", schema=None) as batch_op:
        batch_op.drop_constraint("ck_member_marital_status", type_="check")
        batch_op.drop_column("marital_status")
    with op.batch_alter_table("cooperative", schema=None) as batch_op:
        batch_op.drop_constraint("ck_cooperative_member_min_age", type_="check")
        batch_op.drop_column("member_min_age")
