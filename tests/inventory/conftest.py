"""Inventory tests: a rolled-back unit of work in system scope with fresh cooperatives whose catalogue is made
here (items, a gerai, prices); HTTP tests use the demo cooperatives and the demo Petugas."""
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from app.core.scope import system_scope
from app.extensions import db
from tests.savings.conftest import Board, make_member  # noqa: F401  (one acting-user stand-in, one member maker)

D = Decimal
FRESH_CODES = ["31.74.04.1001", "31.74.04.1002", "31.74.04.1003", "31.74.04.1004", "33.74.03.1001",
               "33.74.03.1002"]
PETUGAS = Board("Petugas")
PENGURUS = Board("Pengurus")
LURAH = Board("Lurah")


@pytest.fixture()
def uow(app):
    with app.app_context(), system_scope():
        session = db.session
        try:
            yield session
        finally:
            session.rollback()
            db.session.remove()


def fresh_coop(session):
    from app.cooperatives.models import Cooperative
    from app.cooperatives.services import create_cooperative

    for code in FRESH_CODES:
        if session.scalar(select(Cooperative.id).where(Cooperative.region_code == code)) is None:
            return create_cooperative(code, session=session, musyawarah_date=date(2025, 5, 31))
    raise RuntimeError("no free kelurahan for a test cooperative")


@pytest.fixture()
def coop(uow):
    return fresh_coop(uow)


def today_of(coop, back=0):
    from app.core.dates import local_today

    return local_today(coop) - timedelta(days=back)


class Shop:
    """A cooperative's gerai with items priced from 40 days back."""

    def __init__(self, session, coop):
        from app.inventory.models import Location

        self.session, self.coop = session, coop
        self.gerai = Location(cooperative_id=coop.id, name="Gerai uji", kind="gerai")
        session.add(self.gerai)
        session.flush()

    def item(self, name, member_price, public_price, unit="pcs", category="sembako", barcode=None, active=True):
        from app.inventory.models import Item, ItemPrice

        item = Item(cooperative_id=self.coop.id, name=name, unit=unit, category=category, barcode=barcode,
                    active=active)
        self.session.add(item)
        self.session.flush()
        self.session.add(ItemPrice(cooperative_id=self.coop.id, item_id=item.id, valid_from=today_of(self.coop, 40),
                                   member_price=D(member_price), public_price=D(public_price)))
        self.session.flush()
        return item

    def het(self, item, het, margin=0, region=None, valid_from=None, valid_to=None):
        from app.inventory.models import ItemHet

        row = ItemHet(cooperative_id=self.coop.id, item_id=item.id, region_code=region or self.coop.region_code[:2],
                      valid_from=valid_from or today_of(self.coop, 40), valid_to=valid_to, het=D(het),
                      margin=D(margin))
        self.session.add(row)
        self.session.flush()
        return row

    def receive(self, item, qty, cost, back=0, payment="kredit", key=None):
        from app.inventory import services
        from app.inventory.models import Supplier

        supplier = self.session.scalar(select(Supplier).where(Supplier.cooperative_id == self.coop.id))
        if supplier is None:
            supplier = Supplier(cooperative_id=self.coop.id, name="Agen uji", kind="distributor")
            self.session.add(supplier)
            self.session.flush()
        return services.do_receive_goods(self.session, location=self.gerai, supplier=supplier, payment=payment,
                                         lines=[{"item_id": item.id, "quantity": qty, "unit_cost": cost}],
                                         receipt_date=today_of(self.coop, back),
                                         idempotency_key=key or f"r-{item.id}-{qty}-{cost}-{back}",
                                         acting_user=PETUGAS)

    def sell(self, lines, paid, back=0, key=None, member=None, **kw):
        from app.inventory import services

        return services.do_sell(self.session, location=self.gerai, member=member,
                                lines=[{"item_id": i.id, "quantity": q} for i, q in lines], paid=paid,
                                sale_date=today_of(self.coop, back), idempotency_key=key or next(_keys),
                                acting_user=PETUGAS, **kw)


_keys = (f"uji-{n}" for n in range(10 ** 9))


@pytest.fixture()
def shop(uow, coop):
    return Shop(uow, coop)


def balance(session, item, location):
    from app.inventory.models import StockBalance

    session.flush()
    row = session.scalar(select(StockBalance).where(StockBalance.item_id == item.id,
                                                    StockBalance.location_id == location.id))
    return (row.quantity, row.value, row.avg_cost) if row is not None else (D(0), D(0), D(0))


def entry_lines(session, entry_id):
    """{account code: (debit, credit)} of one journal entry."""
    from app.ledger.models import Account, JournalLine

    rows = session.execute(select(Account.code, JournalLine.debit, JournalLine.credit)
                           .join(Account, Account.id == JournalLine.account_id)
                           .where(JournalLine.entry_id == entry_id)).all()
    out = {}
    for code, debit, credit in rows:
        d, c = out.get(code, (D(0), D(0)))
        out[code] = (d + debit, c + credit)
    return out
