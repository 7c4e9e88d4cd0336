"""ledger: chart of accounts, purpose mapping, journals (immutable, gapless numbers), periods, year close

Revision ID: c1ledger0001
Revises: ab87807fafd3
"""
from alembic import op
import sqlalchemy as sa

from app.ledger import triggers
from app.ledger.chart import NORMAL_BALANCE, TEMPLATE

revision = "c1ledger0001"
down_revision = "ab87807fafd3"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('account',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=6), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('normal_balance', sa.String(length=1), nullable=False),
    sa.Column('is_header', sa.Boolean(), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('member_flag', sa.String(length=12), nullable=True),
    sa.Column('is_system', sa.Boolean(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('cooperative_id', sa.Integer(), nullable=False),
    sa.CheckConstraint("kind IN ('aset','kewajiban','ekuitas','pendapatan','hpp','beban')", name='ck_account_kind'),
    sa.CheckConstraint("member_flag IS NULL OR member_flag IN ('anggota','non_anggota')", name='ck_account_member_flag'),
    sa.CheckConstraint("normal_balance IN ('D','K')", name='ck_account_normal_balance'),
    sa.CheckConstraint('length(code) = 6', name='ck_account_code_length'),
    sa.ForeignKeyConstraint(['cooperative_id'], ['cooperative.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('cooperative_id', 'code', name='uq_account_coop_code')
    )
    with op.batch_alter_table('account', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_account_cooperative_id'), ['cooperative_id'], unique=False)

    op.create_table('account_purpose',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('purpose', sa.String(length=40), nullable=False),
    sa.Column('account_code', sa.String(length=6), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('cooperative_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['cooperative_id'], ['cooperative.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('cooperative_id', 'purpose', name='uq_account_purpose_coop_purpose')
    )
    with op.batch_alter_table('account_purpose', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_account_purpose_cooperative_id'), ['cooperative_id'], unique=False)

    op.create_table('journal_counter',
    sa.Column('cooperative_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('last_number', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['cooperative_id'], ['cooperative.id'], ),
    sa.PrimaryKeyConstraint('cooperative_id', 'year')
    )
    op.create_table('ledger_period',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('month', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.Column('closed_by', sa.String(length=100), nullable=True),
    sa.Column('reopened_at', sa.DateTime(), nullable=True),
    sa.Column('reopened_by', sa.String(length=100), nullable=True),
    sa.Column('reopen_reason', sa.Text(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('cooperative_id', sa.Integer(), nullable=False),
    sa.CheckConstraint("status IN ('open','closed')", name='ck_ledger_period_status'),
    sa.CheckConstraint('month BETWEEN 1 AND 12', name='ck_ledger_period_month'),
    sa.ForeignKeyConstraint(['cooperative_id'], ['cooperative.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('cooperative_id', 'year', 'month', name='uq_ledger_period_coop_year_month')
    )
    with op.batch_alter_table('ledger_period', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ledger_period_cooperative_id'), ['cooperative_id'], unique=False)

    op.create_table('journal_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=20), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('entry_date', sa.Date(), nullable=False),
    sa.Column('description', sa.String(length=255), nullable=False),
    sa.Column('reference', sa.String(length=60), nullable=True),
    sa.Column('business_unit_id', sa.Integer(), nullable=True),
    sa.Column('source_type', sa.String(length=40), nullable=True),
    sa.Column('source_id', sa.String(length=40), nullable=True),
    sa.Column('reverses_id', sa.Integer(), nullable=True),
    sa.Column('entry_type', sa.String(length=10), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('posted_at', sa.DateTime(), nullable=False),
    sa.Column('posted_by_id', sa.Integer(), nullable=True),
    sa.Column('posted_by', sa.String(length=100), nullable=True),
    sa.Column('total', sa.Numeric(precision=18, scale=2), nullable=False),
    sa.Column('cooperative_id', sa.Integer(), nullable=False),
    sa.CheckConstraint("entry_type IN ('umum','pembalik','penutup','pembuka')", name='ck_journal_entry_type'),
    sa.CheckConstraint("status IN ('posted')", name='ck_journal_entry_status'),
    sa.CheckConstraint('total > 0', name='ck_journal_entry_total'),
    sa.ForeignKeyConstraint(['business_unit_id'], ['business_unit.id'], ),
    sa.ForeignKeyConstraint(['cooperative_id'], ['cooperative.id'], ),
    sa.ForeignKeyConstraint(['reverses_id'], ['journal_entry.id'], ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('cooperative_id', 'number', name='uq_journal_entry_coop_number'),
    sa.UniqueConstraint('cooperative_id', 'year', 'seq', name='uq_journal_entry_coop_year_seq'),
    sa.UniqueConstraint('reverses_id')
    )
    with op.batch_alter_table('journal_entry', schema=None) as batch_op:
        batch_op.create_index('ix_journal_entry_coop_date', ['cooperative_id', 'entry_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_journal_entry_cooperative_id'), ['cooperative_id'], unique=False)
        batch_op.create_index('ix_journal_entry_source', ['cooperative_id', 'source_type', 'source_id'], unique=False)

    op.create_table('journal_line',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('line_no', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('debit', sa.Numeric(precision=18, scale=2), nullable=False),
    sa.Column('credit', sa.Numeric(precision=18, scale=2), nullable=False),
    sa.Column('memo', sa.String(length=255), nullable=True),
    sa.Column('cooperative_id', sa.Integer(), nullable=False),
    sa.CheckConstraint('(debit > 0 AND credit = 0) OR (credit > 0 AND debit = 0)', name='ck_journal_line_one_side'),
    sa.CheckConstraint('debit >= 0 AND credit >= 0', name='ck_journal_line_not_negative'),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['cooperative_id'], ['cooperative.id'], ),
    sa.ForeignKeyConstraint(['entry_id'], ['journal_entry.id'], ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('journal_line', schema=None) as batch_op:
        batch_op.create_index('ix_journal_line_coop_account', ['cooperative_id', 'account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_journal_line_cooperative_id'), ['cooperative_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_journal_line_entry_id'), ['entry_id'], unique=False)

    op.create_table('ledger_year',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('shu', sa.Numeric(precision=18, scale=2), nullable=False),
    sa.Column('closed_at', sa.DateTime(), nullable=False),
    sa.Column('closed_by', sa.String(length=100), nullable=True),
    sa.Column('closing_entry_id', sa.Integer(), nullable=True),
    sa.Column('transfer_entry_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('cooperative_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['closing_entry_id'], ['journal_entry.id'], ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['cooperative_id'], ['cooperative.id'], ),
    sa.ForeignKeyConstraint(['transfer_entry_id'], ['journal_entry.id'], ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('cooperative_id', 'year', name='uq_ledger_year_coop_year')
    )
    with op.batch_alter_table('ledger_year', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ledger_year_cooperative_id'), ['cooperative_id'], unique=False)

    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        for statement in triggers.PG_SQL:
            op.execute(statement)
    else:
        for statement in triggers.SQLITE_SQL:
            op.execute(statement)

    # Cooperatives registered before the ledger existed get the KKMP template chart.
    account = sa.table("account", *[sa.column(c) for c in ("cooperative_id", "code", "name", "kind",
                                                            "normal_balance", "is_header", "is_active",
                                                            "member_flag", "is_system", "version")])
    for (coop_id,) in bind.execute(sa.text("SELECT id FROM cooperative ORDER BY id")).all():
        rows = [dict(cooperative_id=coop_id, code=code, name=name, kind=kind, normal_balance=NORMAL_BALANCE[kind],
                     is_header=header, is_active=True, member_flag=flag, is_system=True, version=1)
                for code, name, kind, header, flag in TEMPLATE]
        op.bulk_insert(account, rows)


def downgrade():
    bind = op.get_bind()
    for statement in (triggers.PG_DROP if bind.dialect.name == "postgresql" else triggers.SQLITE_DROP):
        op.execute(statement)

    with op.batch_alter_table('ledger_year', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ledger_year_cooperative_id'))

    op.drop_table('ledger_year')
    with op.batch_alter_table('journal_line', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_journal_line_entry_id'))
        batch_op.drop_index(batch_op.f('ix_journal_line_cooperative_id'))
        batch_op.drop_index('ix_journal_line_coop_account')

    op.drop_table('journal_line')
    with op.batch_alter_table('journal_entry', schema=None) as batch_op:
        batch_op.drop_index('ix_journal_entry_source')
        batch_op.drop_index(batch_op.f('ix_journal_entry_cooperative_id'))
        batch_op.drop_index('ix_journal_entry_coop_date')

    op.drop_table('journal_entry')
    with op.batch_alter_table('ledger_period', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ledger_period_cooperative_id'))

    op.drop_table('ledger_period')
    op.drop_table('journal_counter')
    with op.batch_alter_table('account_purpose', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_account_purpose_cooperative_id'))

    op.drop_table('account_purpose')
    with op.batch_alter_table('account', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_account_cooperative_id'))

    op.drop_table('account')
