"""Demo rows for subsidised fertiliser, called by app.demo.seed_demo() after the inventory.

KKMP Cemorokandang (Kedungkandang, Kota Malang) is a titik serah: a kiosk of its pupuk unit keeps Urea, NPK, ZA
and Organik bersubsidi bought from the distributor this month; one kelompok tani with its ketua and PPL; four
farmers (padi, jagung, tebu, cabai; each within 2 ha) with allocations for the current season as in the e-RDKK
(e.g. Urea 200 kg/ha x 58 % = 116 kg/ha); two redemptions today, one by a proxy. Through the services, so stock,
quota and journals agree.

Kebon Jeruk and its sibling Sukabumi Utara (Jakarta Barat) get a small urban one (a poktan of urban gardeners, one
farmer, Urea only), so that the scope walk has fertiliser rows in each of its three cooperatives.
"""
from decimal import Decimal as D

from sqlalchemy import select

from app.cooperatives.models import BusinessUnit
from app.core.dates import local_today

from . import services
from .models import Poktan, PupukItem, PupukType

CODE = "35.73.03.1010"
STOCK = {"urea": (D(2000), D(1650)), "npk": (D(1500), D(1700)), "za": (D(500), D(1250)), "organik": (D(800), D(600))}
FARMERS = [
    ("3573031507800003", "Sumarno", {"padi": "0,75"}, {"urea": D("87"), "npk": D("49.5"), "organik": D("30")}),
    ("3573035508850004", "Siti Aminah", {"jagung": "0,5", "cabai": "0,25"}, {"urea": D("118.5"), "npk": D("52.5")}),
    ("3573030101700005", "Slamet Riyadi", {"tebu": "1,5"}, {"za": D("300"), "npk": D("150")}),
    ("3573034202900006", "Wartini", {"padi": "0,4"}, {"urea": D("46.4"), "npk": D("26.4")}),
]


URBAN = {"31.73.05.1001": ("3173051507800011", "Darsono"), "31.73.05.1002": ("3173055508850012", "Sri Rahayu")}


def seed(session, coops_by_code):
    coop = coops_by_code.get(CODE)
    if coop is not None:
        _seed_malang(session, coop)
    for code, (nik, name) in URBAN.items():
        if coops_by_code.get(code) is not None:
            _seed_urban(session, coops_by_code[code], nik, name)


def _kiosk(session, coop, unit, name, stock, invoice):
    from app.inventory import services as inventory
    from app.inventory.models import Item, Location, Supplier
    from app.members.services import SYSTEM_ACTOR as actor

    today = local_today(coop)
    kiosk = Location(cooperative_id=coop.id, name=name, kind="gerai", business_unit_id=unit.id)
    distributor = Supplier(cooperative_id=coop.id, name="CV Tani Makmur (distributor resmi)", kind="distributor")
    session.add_all([kiosk, distributor])
    session.flush()
    lines = []
    for t in session.execute(select(PupukType).where(PupukType.code.in_(list(stock)))).scalars():
        item = Item(cooperative_id=coop.id, name=f"{t.name} bersubsidi", unit="kg", category="pupuk_non_subsidi",
                    business_unit_id=unit.id, min_stock=D(100))
        session.add(item)
        session.flush()
        session.add(PupukItem(cooperative_id=coop.id, pupuk_type_id=t.id, item_id=item.id))
        qty, cost = stock[t.code]
        lines.append({"item_id": item.id, "quantity": qty, "unit_cost": cost})
    session.flush()
    inventory.do_receive_goods(session, location=kiosk, lines=lines, receipt_date=today.replace(day=1),
                               payment="kredit", supplier=distributor, supplier_invoice=invoice,
                               idempotency_key=f"demo-{coop.id}-pupuk-receipt", acting_user=actor, today=today)
    return kiosk


def _seed_urban(session, coop, nik, name):
    from app.members.services import SYSTEM_ACTOR as actor

    unit = BusinessUnit(cooperative_id=coop.id, kind="pupuk", status="beroperasi", notes="Titik serah pupuk "
                        "untuk kebun pangan perkotaan")
    session.add(unit)
    session.flush()
    kiosk = _kiosk(session, coop, unit, "Kios pupuk kota", {"urea": (D(100), D(1650))}, f"DO-{coop.id:03d}-PUPUK")
    poktan = Poktan(cooperative_id=coop.id, name="Poktan Kebun Kota", ketua="Bu Marni", ppl_name="PPL Jakarta Barat",
                    region_code=coop.region_code)
    session.add(poktan)
    session.flush()
    today = local_today(coop)
    year, season = services.season_of(today)
    farmer = services.do_register_farmer(session, coop=coop, nik=nik, name=name, lands={"cabai": "0,1"},
                                         poktan=poktan, acting_user=actor, day=today)
    services.do_set_allocation(session, farmer=farmer, pupuk_type="urea", year=year, season=season, kg=D("25"),
                               acting_user=actor)
    services.do_redeem(session, location=kiosk, farmer_id=farmer.id, pupuk_type="urea", kg=5,
                       idempotency_key=f"demo-{coop.id}-tebus-1", acting_user=actor, redemption_date=today,
                       today=today)


def _seed_malang(session, coop):
    from app.members.services import SYSTEM_ACTOR as actor

    unit = session.execute(select(BusinessUnit).where(BusinessUnit.cooperative_id == coop.id,
                                                      BusinessUnit.kind == "pupuk")).scalar()
    if unit is None or unit.status != "beroperasi":
        return
    today = local_today(coop)
    kiosk = _kiosk(session, coop, unit, "Kios pupuk Cemorokandang", STOCK, f"DO-{coop.id:03d}-PUPUK")
    poktan = Poktan(cooperative_id=coop.id, name="Poktan Sumber Makmur", ketua="Pak Karyadi",
                    ppl_name="Ir. Endah Wulandari (PPL Kedungkandang)", region_code=CODE)
    session.add(poktan)
    session.flush()
    year, season = services.season_of(today)
    farmers = []
    for nik, name, lands, allocations in FARMERS:
        farmer = services.do_register_farmer(session, coop=coop, nik=nik, name=name, lands=lands, poktan=poktan,
                                             acting_user=actor, day=today)
        for code, kg in allocations.items():
            services.do_set_allocation(session, farmer=farmer, pupuk_type=code, year=year, season=season, kg=kg,
                                       acting_user=actor)
        farmers.append(farmer)
    services.do_redeem(session, location=kiosk, farmer_id=farmers[0].id, pupuk_type="urea", kg=50,
                       idempotency_key=f"demo-{coop.id}-tebus-1", acting_user=actor, redemption_date=today,
                       today=today)
    services.do_redeem(session, location=kiosk, farmer_id=farmers[2].id, pupuk_type="za", kg=100,
                       proxy_nik="3573030303750007", proxy_relation="anak", proxy_name="Agus Riyadi",
                       idempotency_key=f"demo-{coop.id}-tebus-2", acting_user=actor, redemption_date=today,
                       today=today)
