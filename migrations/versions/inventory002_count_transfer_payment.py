"""inventory: stock counts (opname), transfers between locations, supplier payments (issue 15 §2, §6, §7)

Revision ID: inventory002
Revises: fastpaths001

A stock movement may now be a count difference (opname) or one side of a transfer (pindah_keluar /
pindah_masuk): the kind column widens and its CHECK takes the new kinds. On SQLite that recreates the table, so
its guard triggers are dropped first and installed again after. Supplier payments are money records: the
database refuses to rewrite or delete them (the journal is filled in once).
"""
from alembic import op
import sqlalchemy as sa

from app.core.db_guards import Guard, install, uninstall

revision = "inventory002"
down_revision = "fastpaths001"
branch_labels = None
depends_on = None

MOVEMENT_GUARD = Guard("inv_stock_movement", "stock movements are immutable - post a reversing movement",
                       set_once=("journal_entry_id",))
PAYMENT_GUARD = Guard("inv_supplier_payment", "supplier payments are immutable once posted",
                      set_once=("journal_entry_id",), mutable=("version",))
NEW_KINDS = "kind IN ('terima','jual','batal_jual','opname','pindah_keluar','pindah_masuk')"
OLD_KINDS = "kind IN ('terima','jual','batal_jual')"


def _kinds(check, length):
    uninstall(op, MOVEMENT_GUARD)
    with op.batch_alter_table("inv_stock_movement", recreate="auto") as batch_op:
        batch_op.drop_constraint("ck_inv_movement_kind", type_="check")
        batch_op.alter_column("kind", existing_type=sa.String(length=12 if length == 14 else 14),
                              type_=sa.String(length=length), existing_nullable=False)
        batch_op.create_check_constraint("ck_inv_movement_kind", check)
    install(op, MOVEMENT_GUARD)


def upgrade():
    _kinds(NEW_KINDS, 14)
    op.create_table(
        "inv_stock_count",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("location_id", sa.Integer(), nullable=False),
        sa.Column("count_date", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("note", sa.String(length=255), nullable=True),
        sa.Column("journal_entry_id", sa.Integer(), nullable=True),
        sa.Column("created_by", sa.String(length=100), nullable=True),
        sa.Column("approved_by", sa.String(length=100), nullable=True),
        sa.Column("approved_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("cooperative_id", sa.Integer(), nullable=False),
        sa.CheckConstraint("status IN ('dibuka','dihitung','disetujui')", name="ck_inv_stock_count_status"),
        sa.ForeignKeyConstraint(["cooperative_id"], ["cooperative.id"]),
        sa.ForeignKeyConstraint(["journal_entry_id"], ["journal_entry.id"]),
        sa.ForeignKeyConstraint(["location_id"], ["inv_location.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("inv_stock_count", schema=None) as batch_op:
        batch_op.create_index("ix_inv_stock_count_location_date", ["location_id", "status", "count_date"],
                              unique=False)
        batch_op.create_index(batch_op.f("ix_inv_stock_count_cooperative_id"), ["cooperative_id"], unique=False)
    op.create_table(
        "inv_stock_count_line",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("count_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("book_quantity", sa.Numeric(precision=14, scale=3), nullable=False),
        sa.Column("first_count", sa.Numeric(precision=14, scale=3), nullable=True),
        sa.Column("second_count", sa.Numeric(precision=14, scale=3), nullable=True),
        sa.Column("difference", sa.Numeric(precision=14, scale=3), nullable=True),
        sa.Column("value", sa.Numeric(precision=18, scale=2), nullable=True),
        sa.Column("cooperative_id", sa.Integer(), nullable=False),
        sa.CheckConstraint("book_quantity >= 0 AND (first_count IS NULL OR first_count >= 0) "
                           "AND (second_count IS NULL OR second_count >= 0)", name="ck_inv_stock_count_line_qty"),
        sa.ForeignKeyConstraint(["cooperative_id"], ["cooperative.id"]),
        sa.ForeignKeyConstraint(["count_id"], ["inv_stock_count.id"]),
        sa.ForeignKeyConstraint(["item_id"], ["inv_item.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("count_id", "item_id", name="uq_inv_stock_count_line_item"),
    )
    with op.batch_alter_table("inv_stock_count_line", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_inv_stock_count_line_cooperative_id"), ["cooperative_id"],
                              unique=False)
        batch_op.create_index(batch_op.f("ix_inv_stock_count_line_count_id"), ["count_id"], unique=False)
    op.create_table(
        "inv_supplier_payment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("receipt_id", sa.Integer(), nullable=False),
        sa.Column("payment_date", sa.Date(), nullable=False),
        sa.Column("amount", sa.Numeric(precision=18, scale=2), nullable=False),
        sa.Column("method", sa.String(length=10), nullable=False),
        sa.Column("idempotency_key", sa.String(length=64), nullable=False),
        sa.Column("journal_entry_id", sa.Integer(), nullable=True),
        sa.Column("created_by", sa.String(length=100), nullable=True),
        sa.Column("created_at", sa.DateTime(), server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("cooperative_id", sa.Integer(), nullable=False),
        sa.CheckConstraint("amount > 0", name="ck_inv_supplier_payment_amount"),
        sa.CheckConstraint("method IN ('tunai','qris','transfer')", name="ck_inv_supplier_payment_method"),
        sa.ForeignKeyConstraint(["cooperative_id"], ["cooperative.id"]),
        sa.ForeignKeyConstraint(["journal_entry_id"], ["journal_entry.id"]),
        sa.ForeignKeyConstraint(["receipt_id"], ["inv_goods_receipt.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("cooperative_id", "idempotency_key", name="uq_inv_supplier_payment_idem"),
    )
    with op.batch_alter_table("inv_supplier_payment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_inv_supplier_payment_cooperative_id"), ["cooperative_id"],
                              unique=False)
        batch_op.create_index(batch_op.f("ix_inv_supplier_payment_receipt_id"), ["receipt_id"], unique=False)
    install(op, PAYMENT_GUARD)


def downgrade():
    uninstall(op, PAYMENT_GUARD)
    op.drop_table("inv_supplier_payment")
    op.drop_table("inv_stock_count_line")
    op.drop_table("inv_stock_count")
    _kinds(OLD_KINDS, 12)
