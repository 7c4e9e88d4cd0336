"""Fertiliser tests: a rolled-back unit of work in system scope with fresh cooperatives whose pupuk unit, kiosk,
stock items and farmers are made here; HTTP tests use the demo cooperative Cemorokandang and its demo users."""
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from tests.inventory.conftest import PENGURUS, PETUGAS, fresh_coop, today_of, uow  # noqa: F401
from tests.savings.conftest import Board

D = Decimal
SEKRETARIS = Board("Sekretaris")
# Valid NIKs (stdnum: region, birth date, serial) of Kota Malang 35.73.
NIKS = ["3573011507800003", "3573015508850004", "3573010101700005", "3573014202900006", "3573010303750007",
        "3573015004820008"]


class Kiosk:
    """A cooperative with an operating pupuk unit, a kiosk, one stock item per type (received 30 days back)."""

    def __init__(self, session, coop, stock=D(1000), cost=D(1500)):
        from app.cooperatives.models import BusinessUnit
        from app.inventory import services as inv
        from app.inventory.models import Item, Location, Supplier
        from app.pupuk.models import PupukItem, PupukType

        self.session, self.coop = session, coop
        unit = session.scalar(select(BusinessUnit).where(BusinessUnit.cooperative_id == coop.id,
                                                         BusinessUnit.kind == "pupuk"))
        if unit is None:
            unit = BusinessUnit(cooperative_id=coop.id, kind="pupuk")
            session.add(unit)
        unit.status = "beroperasi"
        self.kiosk = Location(cooperative_id=coop.id, name="Kios pupuk uji", kind="gerai", business_unit_id=None)
        session.add(self.kiosk)
        supplier = Supplier(cooperative_id=coop.id, name="Distributor uji", kind="distributor")
        session.add(supplier)
        session.flush()
        self.items = {}
        for t in session.scalars(select(PupukType).order_by(PupukType.id)):
            item = Item(cooperative_id=coop.id, name=f"{t.name} bersubsidi", unit="kg", category="pupuk_non_subsidi")
            session.add(item)
            session.flush()
            session.add(PupukItem(cooperative_id=coop.id, pupuk_type_id=t.id, item_id=item.id))
            self.items[t.code] = item
        session.flush()
        if stock:
            inv.do_receive_goods(session, location=self.kiosk, supplier=supplier, payment="kredit",
                                 lines=[{"item_id": i.id, "quantity": stock, "unit_cost": cost}
                                        for i in self.items.values()],
                                 receipt_date=today_of(coop, 30), idempotency_key=f"pupuk-{coop.id}",
                                 acting_user=PENGURUS)

    def farmer(self, nik=NIKS[0], name="Sumarno", lands=None, **kw):
        from app.pupuk import services

        return services.do_register_farmer(self.session, coop=self.coop, nik=nik, name=name,
                                           lands=lands or {"padi": "0,5"}, acting_user=SEKRETARIS, **kw)

    def allocate(self, farmer, code, kg, day=None):
        from app.pupuk import services

        year, season = services.season_of(day or today_of(self.coop))
        return services.do_set_allocation(self.session, farmer=farmer, pupuk_type=code, year=year, season=season,
                                          kg=kg, acting_user=SEKRETARIS)

    def redeem(self, farmer, code, kg, key=None, back=0, **kw):
        from app.pupuk import services

        return services.do_redeem(self.session, location=self.kiosk, farmer_id=farmer.id, pupuk_type=code, kg=kg,
                                  redemption_date=today_of(self.coop, back), idempotency_key=key or next(_keys),
                                  acting_user=PETUGAS, **kw)


_keys = (f"tebus-{n}" for n in range(10 ** 9))


def rdkk_file(rows):
    """An e-RDKK workbook as a cooperative uploads it: the template's header row, then ``rows``."""
    import io

    from openpyxl import Workbook

    from app.pupuk.services.rdkk import COLUMNS

    wb = Workbook()
    ws = wb.active
    ws.title = "e-RDKK"
    ws.append([h for _k, h in COLUMNS])
    for r in rows:
        ws.append(r)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def same_season_back(coop, back):
    """``back`` days ago, or today when that falls in an earlier season (tests of a dated HET stay valid)."""
    from app.pupuk.services import season_of

    day = today_of(coop, back)
    return back if season_of(day) == season_of(today_of(coop)) else 0


@pytest.fixture()
def coop(uow):
    return fresh_coop(uow)


@pytest.fixture()
def kiosk(uow, coop):
    return Kiosk(uow, coop)


__all__ = ["timedelta"]
