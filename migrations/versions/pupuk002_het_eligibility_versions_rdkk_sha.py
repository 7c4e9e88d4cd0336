"""pupuk: HET and eligibility versions kept as they were; the e-RDKK import's file hash; the latest redemption of a
type by index

Revision ID: pupuk002
Revises: pupuk001

Admin adds new HET and eligibility versions (app/pupuk/services/rules.py) and never edits one: redemptions were
priced on the HET of their date and farmers registered under the eligibility of theirs, so the database refuses
to rewrite or delete either, as for redemptions. ``pupuk_import.sha256`` lets a retried import job see that its
earlier attempt already committed the file (NULL on earlier imports). A new HET starts after the type's latest
redemption in any cooperative: ``ix_pupuk_redemption_type_date`` finds it without reading the whole table.
"""
from alembic import op
import sqlalchemy as sa

from app.core.db_guards import Guard, install, uninstall

revision = "pupuk002"
down_revision = "pupuk001"
branch_labels = None
depends_on = None

GUARDS = (
    Guard("pupuk_het", "a HET version is immutable - add a new version from a later date"),
    Guard("pupuk_eligibility", "an eligibility version is immutable - add a new version from a later date"),
)


def upgrade():
    with op.batch_alter_table("pupuk_import", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sha256", sa.String(length=64), nullable=True))
        batch_op.create_index("ix_pupuk_import_coop_sha", ["cooperative_id", "sha256"], unique=False)
    # Not in a batch: on SQLite a batch that chose to copy the table would drop the redemption's guard triggers.
    op.create_index("ix_pupuk_redemption_type_date", "pupuk_redemption", ["pupuk_type_id", "redemption_date"],
                    unique=False)
    install(op, *GUARDS)


def downgrade():
    uninstall(op, *reversed(GUARDS))
    op.drop_index("ix_pupuk_redemption_type_date", table_name="pupuk_redemption")
    with op.batch_alter_table("pupuk_import", schema=None) as batch_op:
        batch_op.drop_index("ix_pupuk_import_coop_sha")
        batch_op.drop_column("sha256")
