"""Demo rows for the inventory, called by app.demo.seed_demo() after the ledger, members and savings.

KKMP Lempake runs a sembako gerai and an LPG 3 kg pangkalan (HET Rp16.000 in Kota Samarinda, sub-pangkalan margin
Rp3.000); KKMP Cemorokandang sells sembako and non-subsidised fertiliser; Kebon Jeruk and its sibling a small
sembako gerai (the scope walk needs rows in each). Goods are bought on credit this month and sold today, through
the services, so stock, journals and balances agree. Kept small on purpose.
"""
from datetime import date
from decimal import Decimal as D

from sqlalchemy import select

from app.cooperatives.models import BusinessUnit
from app.core.dates import local_today

from . import services
from .models import Item, ItemHet, ItemPrice, Location, Supplier

SEMBAKO = [("Beras SPHP 5 kg", "bungkus", "8991001000011", D(58000), D(60000), D(62500), D(75), D(62500)),
           ("Minyak goreng MinyaKita 1 L", "botol", "8991001000028", D(14000), D(15200), D(15700), D(60), D(15700)),
           ("Gula pasir 1 kg", "bungkus", "8991001000035", D(15500), D(17000), D(18000), D(50), None)]
LPG = ("LPG 3 kg (isi ulang)", "tabung", "8991001000042", D(15000), D(18000), D(18000), D(100))
PUPUK = ("Pupuk NPK non-subsidi 25 kg", "sak", "8991001000059", D(185000), D(205000), D(215000), D(40))
PLACES = {"31.73.05.1001": "sembako", "31.73.05.1002": "sembako", "64.72.05.1003": "lpg", "35.73.03.1010": "pupuk"}


def _unit(session, coop, kind):
    return session.execute(select(BusinessUnit.id).where(BusinessUnit.cooperative_id == coop.id,
                                                         BusinessUnit.kind == kind)).scalar()


def _seed_one(session, coop, extra, actor):
    today = local_today(coop)
    month_start = today.replace(day=1)
    sembako_unit = _unit(session, coop, "sembako")
    gerai = Location(cooperative_id=coop.id, name=f"Gerai {coop.region.name.title()}", kind="gerai",
                     business_unit_id=sembako_unit)
    gudang = Location(cooperative_id=coop.id, name="Gudang koperasi", kind="gudang", business_unit_id=sembako_unit)
    bulog = Supplier(cooperative_id=coop.id, name="Agen RPK Bulog", kind="bulog", phone="0215550101")
    session.add_all([gerai, gudang, bulog])
    rows = list(SEMBAKO)
    items = []
    for name, unit, barcode, cost, member_price, public_price, qty, het in rows:
        item = Item(cooperative_id=coop.id, name=name, unit=unit, barcode=barcode, category="sembako",
                    business_unit_id=sembako_unit, min_stock=D(10))
        items.append((item, cost, member_price, public_price, qty, het))
    if extra == "lpg":
        name, unit, barcode, cost, member_price, public_price, qty = LPG
        item = Item(cooperative_id=coop.id, name=name, unit=unit, barcode=barcode, category="lpg_3kg",
                    business_unit_id=_unit(session, coop, "lpg"), min_stock=D(20))
        items.append((item, cost, member_price, public_price, qty, None))
        supplier_lpg = Supplier(cooperative_id=coop.id, name="Agen LPG PT Samarinda Gas", kind="agen_lpg")
        session.add(supplier_lpg)
    if extra == "pupuk":
        name, unit, barcode, cost, member_price, public_price, qty = PUPUK
        item = Item(cooperative_id=coop.id, name=name, unit=unit, barcode=barcode, category="pupuk_non_subsidi",
                    business_unit_id=_unit(session, coop, "pupuk"), min_stock=D(5))
        items.append((item, cost, member_price, public_price, qty, None))
    session.add_all([i[0] for i in items])
    session.flush()
    province = coop.region_code[:2]
    for item, cost, member_price, public_price, qty, het in items:
        session.add(ItemPrice(cooperative_id=coop.id, item_id=item.id, valid_from=month_start,
                              member_price=member_price, public_price=public_price))
        if het is not None:
            session.add(ItemHet(cooperative_id=coop.id, item_id=item.id, region_code=province,
                                valid_from=date(2025, 1, 1), het=het, margin=D(0),
                                legal_basis="HET beras SPHP / MinyaKita (Bapanas, Kemendag)"))
        if item.category == "lpg_3kg":
            session.add(ItemHet(cooperative_id=coop.id, item_id=item.id, region_code=coop.city_code,
                                valid_from=date(2025, 1, 1), het=D(16000), margin=D(3000),
                                legal_basis="HET LPG 3 kg Kota Samarinda; tambahan sub-pangkalan Rp3.000"))
    session.flush()
    lines = [{"item_id": i.id, "quantity": q, "unit_cost": c} for i, c, _m, _p, q, _h in items]
    receipt = services.do_receive_goods(session, location=gerai, lines=lines, receipt_date=month_start, payment="kredit",
                              supplier=bulog, supplier_invoice=f"FAK-{coop.id:03d}-01",
                              idempotency_key=f"demo-{coop.id}-receipt", acting_user=actor, today=today)
    first = items[0][0]
    services.do_sell(session, location=gerai, lines=[{"item_id": first.id, "quantity": 2},
                                                     {"item_id": items[1][0].id, "quantity": 3}],
                     paid=D(200000), idempotency_key=f"demo-{coop.id}-sale-1", acting_user=actor, today=today)
    if extra == "lpg":
        services.do_sell(session, location=gerai, lines=[{"item_id": items[-1][0].id, "quantity": 2}],
                         paid=D(36000), buyer_nik="6472054507900003", buyer_segment="rumah_tangga",
                         idempotency_key=f"demo-{coop.id}-sale-lpg", acting_user=actor, today=today)
    # Part of the credit receipt paid; the gerai counted today (every count agrees with the books), waiting for
    # the Pengurus's approval (an approved count would fix today's stock and refuse today's sales after it).
    services.do_pay_supplier(session, receipt=receipt, amount=D(100000), payment_date=today,
                             idempotency_key=f"demo-{coop.id}-pay-1", acting_user=actor, today=today)
    count = services.do_open_count(session, location=gerai, count_date=today, acting_user=actor, today=today)
    session.flush()
    services.do_enter_counts(session, count=count, acting_user=actor,
                             counts={line.id: line.book_quantity for line in count.lines})


def seed(session, coops_by_code):
    from app.members.services import SYSTEM_ACTOR as actor

    for code, extra in PLACES.items():
        coop = coops_by_code.get(code)
        if coop is not None:
            _seed_one(session, coop, extra, actor)
