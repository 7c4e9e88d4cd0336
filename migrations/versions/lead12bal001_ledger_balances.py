"""ledger: balances per cooperative x account x month x business unit, and cash flows classified at posting

Revision ID: lead12bal001
Revises: h1members002

Builds both tables from the journal lines already posted, so that `flask kkmp reconcile` passes right after the
upgrade. The cash-flow rule is written out here as it stood at this revision (a migration must not import app
code that may change later): an entry's net kas/bank movement is shared among its counter-lines on the other
side in proportion to their amounts, largest remainder to the cent (app/ledger/balances.py).
"""
from collections import defaultdict
from datetime import date
from decimal import Decimal

from alembic import op
import sqlalchemy as sa

revision = "lead12bal001"
down_revision = "h1members002"
branch_labels = None
depends_on = None

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def _tables():
    money = sa.Numeric(18, 2)
    for name, amounts in (("ledger_balance", ("debit", "credit", "closing_debit", "closing_credit")),
                          ("ledger_cash_flow", ("inflow", "outflow"))):
        op.create_table(
            name,
            sa.Column("cooperative_id", sa.Integer(), nullable=False),
            sa.Column("account_id", sa.Integer(), nullable=False),
            sa.Column("year", sa.Integer(), nullable=False),
            sa.Column("month", sa.Integer(), nullable=False),
            sa.Column("unit_id", sa.Integer(), nullable=False),
            *[sa.Column(a, money, nullable=False) for a in amounts],
            *([sa.Column("lines", sa.Integer(), nullable=False)] if name == "ledger_balance" else []),
            sa.ForeignKeyConstraint(["cooperative_id"], ["cooperative.id"]),
            sa.ForeignKeyConstraint(["account_id"], ["account.id"], ondelete="RESTRICT"),
            sa.PrimaryKeyConstraint("cooperative_id", "account_id", "year", "month", "unit_id",
                                    name=f"pk_{name}"),
        )


def _share(total, weights):
    base = sum(weights, ZERO)
    cents = int((total / CENT).to_integral_value())
    raw = [Decimal(cents) * w / base for w in weights]
    parts = [int(r) for r in raw]
    rest = cents - sum(parts)
    for i in sorted(range(len(raw)), key=lambda i: abs(raw[i] - parts[i]), reverse=True)[:abs(rest)]:
        parts[i] += 1 if rest > 0 else -1
    return [(Decimal(p) * CENT).quantize(CENT) for p in parts]


def _backfill():
    bind = op.get_bind()
    rows = bind.execute(sa.text(
        "SELECT e.id, e.cooperative_id, e.entry_date, COALESCE(e.business_unit_id, 0), e.entry_type, "
        "l.account_id, a.code, l.debit, l.credit FROM journal_line l JOIN journal_entry e ON e.id = l.entry_id "
        "JOIN account a ON a.id = l.account_id ORDER BY e.id, l.line_no"))
    balances = defaultdict(lambda: [ZERO, ZERO, ZERO, ZERO, 0])
    flows = defaultdict(lambda: [ZERO, ZERO])
    entry, lines = None, []

    def close(entry, lines):
        if entry is None:
            return
        coop, day, unit, kind = entry
        if isinstance(day, str):  # SQLite hands back text through a plain text() query
            day = date.fromisoformat(day[:10])
        for account_id, code, d, c in lines:
            b = balances[(coop, account_id, day.year, day.month, unit)]
            b[0] += d
            b[1] += c
            b[4] += 1
            if kind == "penutup":
                b[2] += d
                b[3] += c
        cash = sum((d - c for _, code, d, c in lines if code.startswith(("111", "112"))), ZERO)
        if cash == 0:
            return
        counter = [(a, c if cash > 0 else d) for a, code, d, c in lines if not code.startswith(("111", "112"))]
        counter = [(a, w) for a, w in counter if w > 0]
        if not counter:
            return
        for (account_id, _), amount in zip(counter, _share(abs(cash), [w for _, w in counter])):
            flows[(coop, account_id, day.year, day.month, unit)][0 if cash > 0 else 1] += amount

    for entry_id, coop, day, unit, kind, account_id, code, debit, credit in rows:
        if entry is None or entry_id != entry[0]:
            close(entry and entry[1:], lines)
            entry, lines = (entry_id, coop, day, int(unit), kind), []
        lines.append((account_id, code, Decimal(debit), Decimal(credit)))
    close(entry and entry[1:], lines)

    def typed(name):
        return sa.column(name, sa.Integer() if name in keys + ("lines",) else sa.Numeric(18, 2))

    keys = ("cooperative_id", "account_id", "year", "month", "unit_id")
    balance_table = sa.table("ledger_balance", *[typed(c) for c in keys + (
        "debit", "credit", "closing_debit", "closing_credit", "lines")])
    flow_table = sa.table("ledger_cash_flow", *[typed(c) for c in keys + ("inflow", "outflow")])
    if balances:
        op.bulk_insert(balance_table, [dict(zip(keys, k), debit=v[0], credit=v[1], closing_debit=v[2],
                                            closing_credit=v[3], lines=v[4]) for k, v in balances.items()])
    if flows:
        op.bulk_insert(flow_table, [dict(zip(keys, k), inflow=v[0], outflow=v[1]) for k, v in flows.items()
                                    if v[0] or v[1]])


def upgrade():
    _tables()
    _backfill()


def downgrade():
    op.drop_table("ledger_cash_flow")
    op.drop_table("ledger_balance")
