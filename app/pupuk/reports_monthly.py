"""The monthly report to the distributor (kkmp-domain.md §3): per cooperative as titik serah and per month, for each
subsidised type: opening stock, received, redeemed, other movements, closing stock, and the farmers served. From the
inventory module's stock movements (kg) of the cooperative's pupuk items and its redemptions; scoped by the
session's tenant filter (the reader's cooperatives)."""
import calendar
from datetime import date
from decimal import Decimal

from sqlalchemy import case, func, select

from app.inventory.models import StockMovement

from .models import PupukItem, PupukRedemption, PupukType

ZERO = Decimal("0")


def monthly_distributor_report(session, coop_id, year, month):
    """{"rows": [{pupuk_type, opening_kg, received_kg, redeemed_kg, other_kg, closing_kg}], "farmers_served": n}"""
    start = date(year, month, 1)
    end = date(year, month, calendar.monthrange(year, month)[1])
    m = StockMovement.__table__
    net = m.c.quantity_in - m.c.quantity_out
    stmt = (select(PupukType.id, PupukType.name,
                   func.sum(case((m.c.movement_date < start, net), else_=0)).label("opening"),
                   func.sum(case(((m.c.movement_date >= start) & (m.c.kind == "terima"), m.c.quantity_in),
                                 else_=0)).label("received"),
                   func.sum(case(((m.c.movement_date >= start) & m.c.kind.in_(("jual", "batal_jual")),
                                  m.c.quantity_out - m.c.quantity_in), else_=0)).label("redeemed"),
                   func.sum(case((m.c.movement_date >= start, net), else_=0)).label("month_net"))
            .select_from(m).join(PupukItem, PupukItem.item_id == m.c.item_id)
            .join(PupukType, PupukType.id == PupukItem.pupuk_type_id)
            .where(m.c.cooperative_id == coop_id, PupukItem.cooperative_id == coop_id, m.c.movement_date <= end)
            .group_by(PupukType.id, PupukType.name).order_by(PupukType.id))
    rows = []
    for r in session.execute(stmt).all():
        opening, received, redeemed = Decimal(r.opening or 0), Decimal(r.received or 0), Decimal(r.redeemed or 0)
        closing = opening + Decimal(r.month_net or 0)
        rows.append({"pupuk_type": r.name, "opening_kg": opening, "received_kg": received, "redeemed_kg": redeemed,
                     "other_kg": closing - opening - received + redeemed, "closing_kg": closing})
    served = session.scalar(select(func.count(func.distinct(PupukRedemption.farmer_id))).where(
        PupukRedemption.cooperative_id == coop_id, PupukRedemption.reversed_at.is_(None),
        PupukRedemption.redemption_date >= start, PupukRedemption.redemption_date <= end)) or 0
    return {"rows": rows, "farmers_served": served}
