"""Account balances kept per cooperative x account x month x business unit, at posting time.

Statements read these rows instead of re-adding every journal line of a period (design.md §3 "Reports read
balances, not lines"): a year's neraca saldo is twelve rows per account, whatever the number of lines.

* ``record_entry`` is called by the one posting service (``services.post_entry``) for every entry it writes:
  ordinary postings, reversals, opening balances, imports and the year-end close all pass through it, in the same
  transaction as the lines. Nothing else writes these tables.
* Each row is an atomic upsert (``INSERT .. ON CONFLICT DO UPDATE SET debit = debit + excluded.debit``): two
  clerks posting to the same account and month at once both land, on PostgreSQL (row lock on the conflicting
  row) and on SQLite (one writer at a time).
* Debit and credit stay apart, and the part posted by a year-end closing entry (``penutup``) is kept beside the
  total, because the PHU and the city view report a year "without its closing entry".
* Cash flows are classified when posted: for an entry that moves kas/bank, the net cash movement is shared among
  the entry's counter-lines on the other side, in proportion to their amounts (largest remainder to the cent).
  A credit purchase (Dr persediaan 1.000.000 / Cr kas 400.000 / Cr utang 600.000) is a payment of 400.000 for
  persediaan, not a payment of 1.000.000 and a receipt of 600.000.
* ``reconcile`` recomputes both from the lines and lists every difference (``flask kkmp reconcile``).

Business unit ``0`` stands for "no unit" (a NULL in a unique key would not conflict).
"""
from calendar import monthrange
from collections import defaultdict
from datetime import date
from decimal import Decimal

from sqlalchemy import Column, ForeignKey, Integer, Numeric, PrimaryKeyConstraint, func, select

from flask_appbuilder import Model

from app.core.upsert import upsert_rows

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
CASH_PREFIXES = ("111", "112")  # kas and bank (chart.py); their sub-accounts share the prefix


class AccountBalance(Model):
    """Sums of one account's lines in one month (and business unit). Not a tenant model: only the posting
    service writes it and the statements read it, both for a cooperative the caller was already allowed."""

    __tablename__ = "ledger_balance"

    cooperative_id = Column(Integer, ForeignKey("cooperative.id"), nullable=False)
    account_id = Column(Integer, ForeignKey("account.id", ondelete="RESTRICT"), nullable=False)
    year = Column(Integer, nullable=False)
    month = Column(Integer, nullable=False)
    unit_id = Column(Integer, nullable=False, default=0)
    debit = Column(Numeric(18, 2), nullable=False, default=ZERO)
    credit = Column(Numeric(18, 2), nullable=False, default=ZERO)
    closing_debit = Column(Numeric(18, 2), nullable=False, default=ZERO)   # of which by a penutup entry
    closing_credit = Column(Numeric(18, 2), nullable=False, default=ZERO)
    lines = Column(Integer, nullable=False, default=0)  # how many lines: the buku besar's page count

    __table_args__ = (PrimaryKeyConstraint("cooperative_id", "account_id", "year", "month", "unit_id",
                                           name="pk_ledger_balance"),)


class CashFlow(Model):
    """Cash received (``inflow``) or paid (``outflow``) against one counter-account in one month and unit."""

    __tablename__ = "ledger_cash_flow"

    cooperative_id = Column(Integer, ForeignKey("cooperative.id"), nullable=False)
    account_id = Column(Integer, ForeignKey("account.id", ondelete="RESTRICT"), nullable=False)
    year = Column(Integer, nullable=False)
    month = Column(Integer, nullable=False)
    unit_id = Column(Integer, nullable=False, default=0)
    inflow = Column(Numeric(18, 2), nullable=False, default=ZERO)
    outflow = Column(Numeric(18, 2), nullable=False, default=ZERO)

    __table_args__ = (PrimaryKeyConstraint("cooperative_id", "account_id", "year", "month", "unit_id",
                                           name="pk_ledger_cash_flow"),)


BALANCE_KEY = ["cooperative_id", "account_id", "year", "month", "unit_id"]




def is_cash_code(code):
    return code.startswith(CASH_PREFIXES)


def share(total, weights):
    """Split ``total`` (Decimal, cents) in proportion to ``weights``, exactly: largest remainder to the cent."""
    weights = [Decimal(w) for w in weights]
    base = sum(weights, ZERO)
    if base == 0 or total == 0:
        return [ZERO for _ in weights]
    cents = int((total / CENT).to_integral_value())
    raw = [Decimal(cents) * w / base for w in weights]
    parts = [int(r) for r in raw]  # towards zero
    rest = cents - sum(parts)
    order = sorted(range(len(raw)), key=lambda i: abs(raw[i] - parts[i]), reverse=True)
    step = 1 if rest > 0 else -1
    for i in order[:abs(rest)]:
        parts[i] += step
    return [(Decimal(p) * CENT).quantize(CENT) for p in parts]


def cash_flows_of(lines):
    """[(account_id, inflow, outflow)] for one entry's lines ``(account_id, code, debit, credit)``."""
    cash = sum((d - c for _, code, d, c in lines if is_cash_code(code)), ZERO)
    if cash == 0:
        return []
    # Receipt (cash up): the credit-side counter-lines brought it in; payment: the debit-side ones took it.
    counter = [(a, (c if cash > 0 else d)) for a, code, d, c in lines if not is_cash_code(code)]
    counter = [(a, w) for a, w in counter if w > 0]
    if not counter:
        return []
    amounts = share(abs(cash), [w for _, w in counter])
    merged = defaultdict(lambda: ZERO)
    for (account_id, _), amount in zip(counter, amounts):
        merged[account_id] += amount
    return [(a, amt, ZERO) if cash > 0 else (a, ZERO, amt) for a, amt in merged.items() if amt]


def record_entry(session, entry, lines, unit_id=None):
    """Add one posted entry to the balances and cash flows (same transaction; called by ``post_entry``).

    :param lines: ``[(account, debit, credit)]`` with Account objects.
    """
    day = entry.entry_date
    unit = unit_id or 0
    closing = entry.entry_type == "penutup"
    per_account = defaultdict(lambda: [ZERO, ZERO, 0])
    for account, debit, credit in lines:
        per_account[account.id][0] += debit
        per_account[account.id][1] += credit
        per_account[account.id][2] += 1
    # One multi-row upsert per table (a round trip each, however many accounts the entry touches), rows in account
    # order: PostgreSQL takes the row locks in VALUES order, so two postings upserting the same rows always lock
    # them in the same order and cannot deadlock.
    table = AccountBalance.__table__
    rows = [dict(cooperative_id=entry.cooperative_id, account_id=account_id, year=day.year, month=day.month,
                 unit_id=unit, debit=debit, credit=credit, closing_debit=debit if closing else ZERO,
                 closing_credit=credit if closing else ZERO, lines=count)
            for account_id, (debit, credit, count) in sorted(per_account.items())]
    if rows:
        upsert_rows(session, table, rows, BALANCE_KEY, {"debit": "add", "credit": "add", "closing_debit": "add",
                                                        "closing_credit": "add", "lines": "add"})
    flows = cash_flows_of([(a.id, a.code, d, c) for a, d, c in lines])
    table = CashFlow.__table__
    rows = [dict(cooperative_id=entry.cooperative_id, account_id=account_id, year=day.year, month=day.month,
                 unit_id=unit, inflow=inflow, outflow=outflow) for account_id, inflow, outflow in sorted(flows)]
    if rows:
        upsert_rows(session, table, rows, BALANCE_KEY, {"inflow": "add", "outflow": "add"})


# -- reading: month ranges ------------------------------------------------------------------------------------

def month_index(year, month):
    return year * 12 + (month - 1)


def first_month(day):
    """The first month a bucket starting at ``day`` covers; buckets start on the 1st (or are open-ended)."""
    if day is None:
        return None
    if day.day != 1:
        raise ValueError(f"a balance bucket must start on the 1st of a month, not {day}")
    return month_index(day.year, day.month)


def last_month(day):
    if day is None:
        return None
    if day.day != monthrange(day.year, day.month)[1]:
        raise ValueError(f"a balance bucket must end on the last day of a month, not {day}")
    return month_index(day.year, day.month)


def month_of(table):
    return table.c.year * 12 + (table.c.month - 1)


def month_end(index):
    year, month = divmod(index, 12)
    return date(year, month + 1, monthrange(year, month + 1)[1])


# -- trust ------------------------------------------------------------------------------------------------------

def _lines_by_key(session, cooperative_ids=None):
    from .models import JournalEntry, JournalLine

    unit = func.coalesce(JournalEntry.business_unit_id, 0)
    closing = JournalEntry.entry_type == "penutup"
    from sqlalchemy import case

    stmt = (select(JournalLine.cooperative_id, JournalLine.account_id, func.extract("year", JournalEntry.entry_date),
                   func.extract("month", JournalEntry.entry_date), unit, func.sum(JournalLine.debit),
                   func.sum(JournalLine.credit), func.sum(case((closing, JournalLine.debit), else_=0)),
                   func.sum(case((closing, JournalLine.credit), else_=0)), func.count())
            .join(JournalEntry, JournalEntry.id == JournalLine.entry_id)
            .group_by(JournalLine.cooperative_id, JournalLine.account_id,
                      func.extract("year", JournalEntry.entry_date), func.extract("month", JournalEntry.entry_date),
                      unit))
    if cooperative_ids is not None:
        stmt = stmt.where(JournalLine.cooperative_id.in_(list(cooperative_ids)))
    out = {}
    for coop, account, year, month, unit_id, d, c, cd, cc, n in session.execute(stmt):
        out[(coop, account, int(year), int(month), int(unit_id))] = tuple(
            Decimal(v or 0).quantize(CENT) for v in (d, c, cd, cc)) + (int(n),)
    return out


def _flows_from_lines(session, cooperative_ids=None):
    from app.ledger.models import Account, JournalEntry, JournalLine

    cash_entries = (select(JournalLine.entry_id).join(Account, Account.id == JournalLine.account_id)
                    .where(Account.code.like("111%") | Account.code.like("112%")))
    stmt = (select(JournalEntry.id, JournalEntry.cooperative_id, JournalEntry.entry_date,
                   func.coalesce(JournalEntry.business_unit_id, 0), JournalLine.account_id, Account.code,
                   JournalLine.debit, JournalLine.credit)
            .join(JournalLine, JournalLine.entry_id == JournalEntry.id)
            .join(Account, Account.id == JournalLine.account_id)
            .where(JournalEntry.id.in_(cash_entries)).order_by(JournalEntry.id, JournalLine.line_no))
    if cooperative_ids is not None:
        stmt = stmt.where(JournalEntry.cooperative_id.in_(list(cooperative_ids)))
    out = defaultdict(lambda: [ZERO, ZERO])
    current, lines, head = None, [], None

    def flush():
        if head is None:
            return
        coop, day, unit = head
        for account_id, inflow, outflow in cash_flows_of(lines):
            key = (coop, account_id, day.year, day.month, int(unit))
            out[key][0] += inflow
            out[key][1] += outflow

    for entry_id, coop, day, unit, account_id, code, debit, credit in session.execute(stmt):
        if entry_id != current:
            flush()
            current, lines, head = entry_id, [], (coop, day, unit)
        lines.append((account_id, code, Decimal(debit), Decimal(credit)))
    flush()
    return {k: (v[0].quantize(CENT), v[1].quantize(CENT)) for k, v in out.items() if v[0] or v[1]}


def reconcile(session, cooperative_ids=None):
    """Every difference between the kept balances / cash flows and what the journal lines say: a list of
    ``(table, key, kept, from lines)``; empty when the books agree."""
    problems = []
    kept = {}
    stmt = select(AccountBalance)
    if cooperative_ids is not None:
        stmt = stmt.where(AccountBalance.cooperative_id.in_(list(cooperative_ids)))
    for b in session.execute(stmt).scalars():
        values = tuple(Decimal(v).quantize(CENT) for v in (b.debit, b.credit, b.closing_debit,
                                                            b.closing_credit)) + (b.lines,)
        if any(values):
            kept[(b.cooperative_id, b.account_id, b.year, b.month, b.unit_id)] = values
    actual = _lines_by_key(session, cooperative_ids)
    for key in sorted(set(kept) | set(actual)):
        if kept.get(key, (ZERO,) * 4 + (0,)) != actual.get(key, (ZERO,) * 4 + (0,)):
            problems.append(("ledger_balance", key, kept.get(key), actual.get(key)))
    kept = {}
    stmt = select(CashFlow)
    if cooperative_ids is not None:
        stmt = stmt.where(CashFlow.cooperative_id.in_(list(cooperative_ids)))
    for f in session.execute(stmt).scalars():
        values = (Decimal(f.inflow).quantize(CENT), Decimal(f.outflow).quantize(CENT))
        if any(values):
            kept[(f.cooperative_id, f.account_id, f.year, f.month, f.unit_id)] = values
    actual = _flows_from_lines(session, cooperative_ids)
    for key in sorted(set(kept) | set(actual)):
        if kept.get(key, (ZERO,) * 2) != actual.get(key, (ZERO,) * 2):
            problems.append(("ledger_cash_flow", key, kept.get(key), actual.get(key)))
    return problems


def rebuild(session, cooperative_ids=None):
    """Write the balances and cash flows from the lines (the migration's backfill; never needed otherwise)."""
    for table in (AccountBalance.__table__, CashFlow.__table__):
        stmt = table.delete()
        if cooperative_ids is not None:
            stmt = stmt.where(table.c.cooperative_id.in_(list(cooperative_ids)))
        session.execute(stmt)
    for (coop, account, year, month, unit), (d, c, cd, cc, n) in _lines_by_key(session, cooperative_ids).items():
        session.execute(AccountBalance.__table__.insert().values(
            cooperative_id=coop, account_id=account, year=year, month=month, unit_id=unit, debit=d, credit=c,
            closing_debit=cd, closing_credit=cc, lines=n))
    for (coop, account, year, month, unit), (i, o) in _flows_from_lines(session, cooperative_ids).items():
        session.execute(CashFlow.__table__.insert().values(
            cooperative_id=coop, account_id=account, year=year, month=month, unit_id=unit, inflow=i, outflow=o))
