"""The figures of a monthly report and of the home pages, from SQL aggregates on kept summaries.

* Books: the ledger's kept balances (``ledger_balance``: one row per cooperative, account, month and unit, written
  by the posting service), never the journal lines. The month's result leaves out the year-end closing entry.
* Savings: wajib bills of a month (index ``cooperative_id, year, month``) and transactions of a month (index
  ``cooperative_id, tx_date``); members by status and sex (index ``cooperative_id, status, sex``).

Every statement runs through the scoped session, or names the cooperatives it was given after the caller saw
them; none loads rows into Python to add them up.
"""
from calendar import monthrange
from datetime import date
from decimal import Decimal

from sqlalchemy import case, func, select

ZERO = Decimal("0.00")


def _month_index(year, month):
    return year * 12 + month - 1


def _dec(value):
    return Decimal(value or 0).quantize(Decimal("0.01"))


def books_of(session, coop_ids, year, month):
    """{'pendapatan', 'beban' (hpp + beban), 'shu', 'kas_bank', 'aset'} for the cooperatives together, for one
    month (result) and at its end (kas, bank, assets)."""
    from app.ledger.balances import AccountBalance
    from app.ledger.models import Account

    coop_ids = list(coop_ids)
    if not coop_ids:
        return {"pendapatan": ZERO, "beban": ZERO, "shu": ZERO, "kas_bank": ZERO, "aset": ZERO}
    b, a = AccountBalance.__table__, Account.__table__
    net_debit = (b.c.debit - b.c.closing_debit) - (b.c.credit - b.c.closing_credit)
    this_month = (b.c.year == year) & (b.c.month == month)
    upto = (b.c.year * 12 + b.c.month - 1) <= _month_index(year, month)
    cash = a.c.code.like("111%") | a.c.code.like("112%")
    row = session.execute(
        select(func.sum(case((this_month & (a.c.kind == "pendapatan"), -net_debit), else_=0)),
               func.sum(case((this_month & a.c.kind.in_(("hpp", "beban")), net_debit), else_=0)),
               func.sum(case((upto & cash, b.c.debit - b.c.credit), else_=0)),
               func.sum(case((upto & (a.c.kind == "aset"), b.c.debit - b.c.credit), else_=0)))
        .select_from(b.join(a, a.c.id == b.c.account_id))
        .where(b.c.cooperative_id.in_(coop_ids), b.c.year <= year)).one()
    revenue, costs = _dec(row[0]), _dec(row[1])
    return {"pendapatan": revenue, "beban": costs, "shu": revenue - costs, "kas_bank": _dec(row[2]),
            "aset": _dec(row[3])}


def savings_of(session, coop_ids, year, month):
    """Wajib billed and paid for the month, wajib arrears up to its end, and the month's deposits and
    withdrawals."""
    from app.savings.models import SavingsTransaction, WajibBill

    coop_ids = list(coop_ids)
    if not coop_ids:
        return {"wajib_billed": ZERO, "wajib_paid": ZERO, "arrears": ZERO, "deposits": ZERO, "withdrawals": ZERO}
    w = WajibBill.__table__
    this_month = (w.c.year == year) & (w.c.month == month)
    bills = session.execute(
        select(func.sum(case((this_month, w.c.amount), else_=0)),
               func.sum(case((this_month, w.c.paid_amount), else_=0)),
               func.sum(w.c.amount - w.c.paid_amount))
        .where(w.c.cooperative_id.in_(coop_ids), (w.c.year * 12 + w.c.month - 1) <= _month_index(year, month))
    ).one()
    t = SavingsTransaction.__table__
    start, end = date(year, month, 1), date(year, month, monthrange(year, month)[1])
    moves = session.execute(
        select(func.sum(case((t.c.direction == "setor", t.c.amount), else_=0)),
               func.sum(case((t.c.direction == "tarik", t.c.amount), else_=0)))
        .where(t.c.cooperative_id.in_(coop_ids), t.c.tx_date >= start, t.c.tx_date <= end)).one()
    return {"wajib_billed": _dec(bills[0]), "wajib_paid": _dec(bills[1]), "arrears": _dec(bills[2]),
            "deposits": _dec(moves[0]), "withdrawals": _dec(moves[1])}


def month_summary(session, coop_id, year, month):
    """What a reviewer reads on a monthly report."""
    return {"books": books_of(session, [coop_id], year, month), "savings": savings_of(session, [coop_id], year,
                                                                                       month)}
