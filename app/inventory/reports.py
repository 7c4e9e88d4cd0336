"""Inventory report queries (issue 15 §8), one aggregate each over indexed columns; the screens and the streamed
exports in views_reports.py page them by keyset. Also the member-purchase provider of SHU jasa usaha and the
home-page figures (registered from ``register``)."""
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import and_, func, select

from .models import Item, Location, Sale, SaleLine, StockBalance

ZERO = Decimal("0.00")


def member_purchases(session, cooperative_id, year, start, end):
    """{member_id: total bought at the cooperative's kiosks from ``start`` to ``end``}: member sales only, voided
    sales excluded (SHU jasa usaha, app.shu.services.providers)."""
    rows = session.execute(select(Sale.member_id, func.sum(Sale.total)).where(
        Sale.cooperative_id == cooperative_id, Sale.member_id.is_not(None), Sale.voided_at.is_(None),
        Sale.sale_date >= start, Sale.sale_date <= end).group_by(Sale.member_id)).all()
    return {member_id: Decimal(total).quantize(Decimal("0.01")) for member_id, total in rows}


def below_minimum(scope_where=True):
    """Items whose stock over all locations of their cooperative is below the item's minimum, with a restock
    suggestion (up to twice the minimum): select of (item id, name, cooperative id, on hand, minimum, suggestion)."""
    on_hand = (select(StockBalance.item_id, func.sum(StockBalance.quantity).label("qty"))
               .group_by(StockBalance.item_id).subquery())
    qty = func.coalesce(on_hand.c.qty, 0)
    return (select(Item.id, Item.name, Item.cooperative_id, qty.label("on_hand"), Item.min_stock,
                   (Item.min_stock * 2 - qty).label("suggestion"))
            .outerjoin(on_hand, on_hand.c.item_id == Item.id)
            .where(Item.active.is_(True), Item.min_stock > 0, qty < Item.min_stock, scope_where))


def sales_recap(start, end, weekly=False):
    """Sales per gerai and day (or ISO week start) from ``start`` to ``end``, voids excluded: select of (day,
    location id, location name, cooperative id, sales, total)."""
    return (select(Sale.sale_date, Location.id, Location.name, Location.cooperative_id, func.count(Sale.id),
                   func.sum(Sale.total))
            .join(Location, Location.id == Sale.location_id)
            .where(Sale.sale_date >= start, Sale.sale_date <= end, Sale.voided_at.is_(None))
            .group_by(Sale.sale_date, Location.id, Location.name, Location.cooperative_id)
            .order_by(Sale.sale_date.desc(), Location.name))


def week_rows(rows):
    """Fold daily recap rows into weeks (Monday first): [(monday, location id, name, coop id, sales, total)]."""
    out = {}
    for day, loc_id, name, coop_id, count, total in rows:
        monday = day - timedelta(days=day.weekday())
        key = (monday, loc_id)
        prev = out.get(key, (monday, loc_id, name, coop_id, 0, ZERO))
        out[key] = (monday, loc_id, name, coop_id, prev[4] + count, prev[5] + Decimal(total))
    return sorted(out.values(), key=lambda r: (r[0], r[2]), reverse=True)


def gross_margin(start, end):
    """Per item from ``start`` to ``end`` (voids excluded): select of (item id, name, cooperative id, quantity,
    revenue, cost, margin)."""
    revenue, cost = func.sum(SaleLine.amount), func.sum(SaleLine.cost)
    return (select(Item.id, Item.name, Item.cooperative_id, func.sum(SaleLine.quantity), revenue, cost,
                   (revenue - cost).label("margin"))
            .join(SaleLine, SaleLine.item_id == Item.id).join(Sale, Sale.id == SaleLine.sale_id)
            .where(Sale.sale_date >= start, Sale.sale_date <= end, Sale.voided_at.is_(None))
            .group_by(Item.id, Item.name, Item.cooperative_id).order_by(Item.name))


def sales_per_member(start, end):
    """Per member from ``start`` to ``end``: select of (member id, member number, name, cooperative id, sales,
    total), voids excluded."""
    from app.members.models import Member

    return (select(Member.id, Member.member_number, Member.name, Member.cooperative_id, func.count(Sale.id),
                   func.sum(Sale.total))
            .join(Sale, and_(Sale.member_id == Member.id, Sale.voided_at.is_(None)))
            .where(Sale.sale_date >= start, Sale.sale_date <= end)
            .group_by(Member.id, Member.member_number, Member.name, Member.cooperative_id)
            .order_by(Member.member_number))


# -- home-page figures (app.oversight.home registry) -----------------------------------------------------------------

def _figures(hs):
    """Today's sales, items below minimum and batches expiring within 30 days: one statement for the three."""
    from .models import StockMovement

    sales = (select(func.coalesce(func.sum(Sale.total), 0)).where(
        hs.where(Sale.cooperative_id), Sale.sale_date == hs.today, Sale.voided_at.is_(None)).scalar_subquery())
    below = select(func.count()).select_from(below_minimum(hs.where(Item.cooperative_id)).subquery()) \
        .scalar_subquery()
    remaining = func.sum(StockMovement.quantity_in - StockMovement.quantity_out)
    batches = (select(StockMovement.item_id).where(hs.where(StockMovement.cooperative_id),
                                                   StockMovement.expiry.is_not(None),
                                                   StockMovement.expiry <= hs.today + timedelta(days=30))
               .group_by(StockMovement.location_id, StockMovement.item_id, StockMovement.batch,
                         StockMovement.expiry).having(remaining > 0).subquery())
    expiring = select(func.count()).select_from(batches).scalar_subquery()
    row = hs.session.execute(select(sales, below, expiring)).one()
    return {"sales": Decimal(row[0]).quantize(Decimal("0.01")), "below": int(row[1]), "expiring": int(row[2])}


def _figure(key):
    return lambda hs: hs.once("inventory", _figures)[key]


def _sales_today_rows(hs):
    from app.cooperatives.models import Cooperative

    return (select(Location.name, Cooperative.name).join(Sale, Sale.location_id == Location.id)
            .join(Cooperative, Cooperative.id == Location.cooperative_id)
            .where(hs.where(Sale.cooperative_id), Sale.sale_date == hs.today, Sale.voided_at.is_(None))
            .group_by(Location.name, Cooperative.name).order_by(Location.name))


def register_home_figures():
    from flask_babel import lazy_gettext as _l

    from app.oversight.home import AREA_ROLES, COOP_ROLES, register_figure

    # The three kiosk figures cost one statement together, within the home page's budget of 12
    # (tests/oversight/test_home.py): the Pengurus and the Sekretaris, the Petugas, and the area roles.
    shop = tuple(COOP_ROLES) + ("Petugas",)
    register_figure("inv_sales_today", _l("Penjualan gerai hari ini (rupiah)"), _figure("sales"), shop,
                    link="/persediaan/laporan/rekap-penjualan", rows=_sales_today_rows, kind="money", group="today")
    register_figure("inv_below_minimum", _l("Barang di bawah stok minimum"), _figure("below"),
                    shop + AREA_ROLES, link="/persediaan/laporan/stok-minimum", group="today")
    register_figure("inv_expiring", _l("Batch kedaluwarsa dalam 30 hari"), _figure("expiring"), shop + AREA_ROLES,
                    link="/persediaan/stok/kedaluwarsa", group="today")
