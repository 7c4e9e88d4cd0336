"""Where jasa usaha comes from: each member's transactions with the cooperative in the fiscal year.

The kiosks (inventory sales per member) and, later, loans (interest paid) live in other domains; they register a
provider here instead of this package importing them. A provider is ``fn(session, cooperative_id, year, start,
end) -> {member_id: Decimal amount}``; the amounts of every registered provider are added per member.

The ledger itself books revenue per account, not per member (``journal_line`` has no member), so without a
provider there is no per-member basis: the jasa usaha part then stays undistributed and goes to cadangan, and the
worksheet says so.
"""
from decimal import Decimal

_PROVIDERS = {}


def register_member_transactions(name, provider):
    """Register (or replace) the provider called ``name`` (e.g. "Penjualan gerai")."""
    _PROVIDERS[str(name)] = provider


def unregister_member_transactions(name):
    _PROVIDERS.pop(str(name), None)


def registered_providers():
    return dict(_PROVIDERS)


def member_transactions(session, cooperative_id, year, start, end):
    """({member_id: total}, [names of the providers that returned something])."""
    totals, used = {}, []
    for name, provider in sorted(_PROVIDERS.items()):
        rows = provider(session, cooperative_id, year, start, end) or {}
        added = False
        for member_id, amount in rows.items():
            if isinstance(amount, float):
                raise TypeError("member transaction amounts must be Decimal")
            amount = Decimal(amount)
            if amount < 0:
                raise ValueError("member transaction amounts cannot be negative")
            if amount:
                totals[int(member_id)] = totals.get(int(member_id), Decimal("0")) + amount
                added = True
        if added:
            used.append(name)
    return totals, used


GERAI_PROVIDER = "Penjualan gerai"


def gerai_sales(session, cooperative_id, year, start, end):
    """Each member's purchases at the cooperative's gerai in the fiscal year (inventory sales with a member, not
    voided), summed in SQL. Returns {} when the inventory tables hold nothing for the year."""
    from sqlalchemy import func, select

    from app.inventory.models import Sale

    rows = session.execute(select(Sale.member_id, func.sum(Sale.total)).where(
        Sale.cooperative_id == cooperative_id, Sale.member_id.isnot(None), Sale.voided_at.is_(None),
        Sale.sale_date >= start, Sale.sale_date <= end).group_by(Sale.member_id)).all()
    return {member_id: Decimal(total) for member_id, total in rows if total}


register_member_transactions(GERAI_PROVIDER, gerai_sales)
