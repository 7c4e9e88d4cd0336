"""Two counters at once on real PostgreSQL: exactly as many sales of the last units succeed as there are units,
and the LPG monthly cap holds for one NIK bought at many counters at the same moment."""
import os
import threading
from decimal import Decimal as D

import pytest
from sqlalchemy import func, select

from app.core.scope import system_scope

pytestmark = [pytest.mark.postgres,
              pytest.mark.skipif(not os.environ.get("DATABASE_URL", "").startswith("postgresql"),
                                 reason="needs DATABASE_URL=postgresql://...")]
N = 8


def _arrange(app, units, category="sembako", unit="pcs", name="Barang rebutan"):
    from app.cooperatives.models import Cooperative
    from app.core.dates import local_today
    from app.extensions import db
    from app.inventory import services
    from app.inventory.models import Item, ItemPrice, Location

    from .conftest import PETUGAS

    with app.app_context(), system_scope():
        session = db.session
        coop = session.scalar(select(Cooperative).where(Cooperative.region_code == "64.72.05.1003"))
        today = local_today(coop)
        location = session.scalar(select(Location).where(Location.cooperative_id == coop.id, Location.kind == "gerai"))
        item = Item(cooperative_id=coop.id, name=f"{name} {os.getpid()}-{threading.get_ident()}", unit=unit,
                    category=category)
        session.add(item)
        session.flush()
        session.add(ItemPrice(cooperative_id=coop.id, item_id=item.id, valid_from=today, member_price=D(15000),
                              public_price=D(15000)))
        session.flush()
        services.do_receive_goods(session, location=location, lines=[{"item_id": item.id, "quantity": units,
                                                                      "unit_cost": 10000}],
                                  receipt_date=today, payment="kredit", supplier=_supplier(session, coop.id),
                                  idempotency_key=f"race-{item.id}", acting_user=PETUGAS)
        session.commit()
        ids = (item.id, location.id, today)
        db.session.remove()
    return ids


def _supplier(session, coop_id):
    from app.inventory.models import Supplier

    return session.scalar(select(Supplier).where(Supplier.cooperative_id == coop_id))


def _race(app, item_id, location_id, quantity, **buyer):
    from app.extensions import db
    from app.inventory import services

    from .conftest import PETUGAS

    barrier = threading.Barrier(N)
    outcomes = []

    def worker(i):
        with app.app_context(), system_scope():
            session = db.session
            try:
                barrier.wait(timeout=30)
                services.do_sell(session, location=location_id, lines=[{"item_id": item_id, "quantity": quantity}],
                                 paid=D(1000000), idempotency_key=f"race-{item_id}-{i}", acting_user=PETUGAS,
                                 **buyer)
                session.commit()
                outcomes.append("ok")
            except Exception as e:  # noqa: BLE001 - a refusal is an expected outcome, anything else fails below
                session.rollback()
                outcomes.append(type(e).__name__ + ": " + str(e))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(N)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return outcomes


def test_counters_selling_the_last_units_at_once_sell_exactly_the_units_there_are(app):
    from app.extensions import db
    from app.inventory.models import StockBalance, StockMovement

    item_id, location_id, _today = _arrange(app, 3)
    outcomes = _race(app, item_id, location_id, 1)
    assert outcomes.count("ok") == 3, outcomes
    assert all(o == "ok" or o.startswith("StockShortage") for o in outcomes), outcomes
    with app.app_context(), system_scope():
        assert db.session.scalar(select(StockBalance.quantity).where(StockBalance.item_id == item_id)) == 0
        assert db.session.scalar(select(func.sum(StockMovement.quantity_out))
                                 .where(StockMovement.item_id == item_id)) == 3
        db.session.remove()


def test_the_lpg_cap_holds_when_one_nik_buys_at_many_counters_at_once(app, monkeypatch):
    monkeypatch.setitem(app.config, "LPG_MONTHLY_CAP", 5)
    item_id, location_id, _today = _arrange(app, 40, category="lpg_3kg", unit="tabung", name="LPG rebutan")
    outcomes = _race(app, item_id, location_id, 2, buyer_nik="6472054507900021", buyer_segment="rumah_tangga")
    assert outcomes.count("ok") == 2, outcomes  # 2 + 2 of 5; a third pair would pass the cap
    assert all(o == "ok" or "sudah membeli" in o for o in outcomes), outcomes
