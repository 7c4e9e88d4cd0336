"""The inventory's part of ``flask kkmp reconcile``: per cooperative, the kept stock balances equal the sum of
their movements, and the stock valuation equals what the inventory posted to persediaan (its receipts, the cost of
its sales, and the reversals of voided sales). Journals other modules post to persediaan by hand (the ledger's
demo books, an opening balance) are not stock the inventory knows, so they are left out of this comparison."""
from decimal import Decimal

from sqlalchemy import case, func, select

from app.core.scope import unscoped

from ..models import StockBalance, StockMovement



def reconcile(session, cooperative_ids=None):
    """[(what, cooperative id, kept, computed)] for every difference; empty when everything agrees."""
    from app.ledger.models import Account, JournalEntry, JournalLine
    from app.ledger.services import account_codes

    from .common import STOCK_PURPOSES, STOCK_SOURCES

    problems = []
    kept_q = select(StockBalance.cooperative_id, StockBalance.item_id, StockBalance.location_id,
                    StockBalance.quantity, StockBalance.value)
    moved_q = select(StockMovement.item_id, StockMovement.location_id,
                     func.sum(StockMovement.quantity_in - StockMovement.quantity_out),
                     func.sum(case((StockMovement.quantity_in > 0, StockMovement.value), else_=-StockMovement.value))
                     ).group_by(StockMovement.item_id, StockMovement.location_id)
    if cooperative_ids:
        kept_q = kept_q.where(StockBalance.cooperative_id.in_(cooperative_ids))
        moved_q = moved_q.where(StockMovement.cooperative_id.in_(cooperative_ids))
    moved = {(i, l): (Decimal(q), Decimal(v)) for i, l, q, v in session.execute(moved_q, execution_options=unscoped())}
    valuation = {}
    for coop_id, item_id, location_id, qty, value in session.execute(kept_q, execution_options=unscoped()):
        computed = moved.get((item_id, location_id), (Decimal(0), Decimal(0)))
        if (Decimal(qty), Decimal(value)) != computed:
            problems.append(("stock_balance", coop_id, (qty, value), computed))
        valuation[coop_id] = valuation.get(coop_id, Decimal(0)) + Decimal(value)
    own = select(JournalEntry.id).where(JournalEntry.source_type.in_(STOCK_SOURCES))
    for coop_id, value in sorted(valuation.items()):
        codes = account_codes(session, coop_id, *STOCK_PURPOSES)
        posted = session.execute(
            select(func.coalesce(func.sum(JournalLine.debit - JournalLine.credit), 0))
            .join(JournalEntry, JournalEntry.id == JournalLine.entry_id)
            .join(Account, Account.id == JournalLine.account_id)
            .where(JournalLine.cooperative_id == coop_id, Account.code.in_(codes),
                   (JournalEntry.source_type.in_(STOCK_SOURCES)) | (JournalEntry.reverses_id.in_(own))),
            execution_options=unscoped()).scalar()
        if Decimal(posted) != value:
            problems.append(("persediaan", coop_id, value, Decimal(posted)))
    return problems
