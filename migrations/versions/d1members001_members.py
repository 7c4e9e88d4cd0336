"""members: member register, status history, national NIK registry, member-number counter, imported files

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
    op.create_table(
        "member",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cooperative_id", sa.Integer(), nullable=False),
        sa.Column("member_seq", sa.Integer(), nullable=True),
        sa.Column("member_number", sa.String(length=12), nullable=True),
        sa.Column("nik", sa.String(length=16), nullable=False),
        sa.Column("nik_hmac", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("sex", sa.String(length=1), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=False),
        sa.Column("address", sa.String(length=255), nullable=False),
        sa.Column("rt", sa.String(length=3), nullable=False),
        sa.Column("rw", sa.String(length=3), nullable=False),
        sa.Column("domicile_code", sa.String(length=13), nullable=False),
        sa.Column("phone", sa.String(length=20), nullable=True),
        sa.Column("occupation", sa.String(length=80), nullable=True),
        sa.Column("join_date", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=14), nullable=False),
        sa.Column("approved_on", sa.Date(), nullable=True),
        sa.Column("active_since", sa.Date(), nullable=True),
        sa.Column("ended_on", sa.Date(), nullable=True),
        sa.Column("end_note", sa.String(length=255), nullable=True),
        sa.Column("created_at", sa.DateTime(), server_default=sa.text("CURRENT_TIMESTAMP"), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint("sex IN ('L','P')", name="ck_member_sex"),
        sa.CheckConstraint("status IN ('permohonan','disetujui','aktif','keluar','meninggal','diberhentikan',"
                           "'ditolak')", name="ck_member_status"),
        sa.ForeignKeyConstraint(["cooperative_id"], ["cooperative.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("cooperative_id", "member_seq", name="uq_member_coop_seq"),
    )
    with op.batch_alter_table("member", schema=None) as batch_op:
        batch_op.create_index("ix_member_cooperative_id", ["cooperative_id"], unique=False)
        batch_op.create_index("ix_member_nik_hmac", ["nik_hmac"], unique=False)
        batch_op.create_index("ix_member_coop_name", ["cooperative_id", "name"], unique=False)
        batch_op.create_index("ix_member_coop_number", ["cooperative_id", "member_number"], unique=False)
        batch_op.create_index("ix_member_coop_status_sex", ["cooperative_id", "status", "sex"], unique=False)

    op.create_table(
        "member_status_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cooperative_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("from_status", sa.String(length=14), nullable=True),
        sa.Column("to_status", sa.String(length=14), nullable=False),
        sa.Column("on_date", sa.Date(), nullable=False),
        sa.Column("note", sa.String(length=255), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("username", sa.String(length=100), nullable=True),
        sa.Column("recorded_at", sa.DateTime(), server_default=sa.text("CURRENT_TIMESTAMP"), nullable=False),
        sa.ForeignKeyConstraint(["cooperative_id"], ["cooperative.id"]),
        sa.ForeignKeyConstraint(["member_id"], ["member.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("member_status_event", schema=None) as batch_op:
        batch_op.create_index("ix_member_status_event_cooperative_id", ["cooperative_id"], unique=False)
        batch_op.create_index("ix_member_status_event_member_id", ["member_id"], unique=False)

    op.create_table(
        "nik_registry",
        sa.Column("nik_hmac", sa.String(length=64), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("cooperative_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), server_default=sa.text("CURRENT_TIMESTAMP"), nullable=False),
        sa.ForeignKeyConstraint(["cooperative_id"], ["cooperative.id"]),
        sa.ForeignKeyConstraint(["member_id"], ["member.id"]),
        sa.PrimaryKeyConstraint("nik_hmac"),
        sa.UniqueConstraint("member_id", name="uq_nik_registry_member_id"),
    )
    with op.batch_alter_table("nik_registry", schema=None) as batch_op:
        batch_op.create_index("ix_nik_registry_cooperative_id", ["cooperative_id"], unique=False)

    op.create_table(
        "member_counter",
        sa.Column("cooperative_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last_number", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["cooperative_id"], ["cooperative.id"]),
        sa.PrimaryKeyConstraint("cooperative_id"),
    )

    op.create_table(
        "member_import",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cooperative_id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=True),
        sa.Column("row_count", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=100), nullable=True),
        sa.Column("imported_at", sa.DateTime(), server_default=sa.text("CURRENT_TIMESTAMP"), nullable=False),
        sa.ForeignKeyConstraint(["cooperative_id"], ["cooperative.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("cooperative_id", "sha256", name="uq_member_import_coop_sha"),
    )
    with op.batch_alter_table("member_import", schema=None) as batch_op:
        batch_op.create_index("ix_member_import_cooperative_id", ["cooperative_id"], unique=False)


def downgrade():
    op.drop_table("member_import")
    op.drop_table("member_counter")
    op.drop_table("nik_registry")
    op.drop_table("member_status_event")
    op.drop_table("member")
