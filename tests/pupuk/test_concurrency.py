"""Many kiosks at once on real PostgreSQL: 16 clerks redeeming for one farmer at two kiosks of two cooperatives
never take more than the allocation, and a reversal at the same moment gives back exactly what it took."""
import os
import threading
from decimal import Decimal as D

import pytest
from sqlalchemy import func, select

from app.core.scope import system_scope

pytestmark = [pytest.mark.postgres,
              pytest.mark.skipif(not os.environ.get("DATABASE_URL", "").startswith("postgresql"),
                                 reason="needs DATABASE_URL=postgresql://...")]
N = 16
CEMORO, LEMPAKE = "35.73.03.1010", "64.72.05.1003"


def _arrange(app, nik, allocation):
    from app.cooperatives.models import Cooperative
    from app.extensions import db
    from app.inventory.models import Location
    from app.pupuk import services

    from .conftest import SEKRETARIS, Kiosk

    with app.app_context(), system_scope():
        session = db.session
        home = session.scalar(select(Cooperative).where(Cooperative.region_code == CEMORO))
        other = session.scalar(select(Cooperative).where(Cooperative.region_code == LEMPAKE))
        kiosk_home = session.scalar(select(Location).where(Location.cooperative_id == home.id,
                                                           Location.name == "Kios pupuk Cemorokandang"))
        kiosk_other = session.scalar(select(Location).where(Location.cooperative_id == other.id,
                                                            Location.name == "Kios pupuk uji"))
        if kiosk_other is None:
            kiosk_other = Kiosk(session, other).kiosk
        from app.core.dates import local_today

        farmer = services.do_register_farmer(session, coop=home, nik=nik, name="Petani rebutan",
                                             lands={"padi": "1"}, acting_user=SEKRETARIS)
        year, season = services.season_of(local_today(home))
        services.do_set_allocation(session, farmer=farmer, pupuk_type="urea", year=year, season=season,
                                   kg=allocation, acting_user=SEKRETARIS)
        session.commit()
        ids = (farmer.id, farmer.nik_hmac, kiosk_home.id, kiosk_other.id, year, season)
        db.session.remove()
    return ids


def _race(app, farmer_id, kiosks, kg):
    from app.extensions import db
    from app.pupuk import services

    from .conftest import PETUGAS

    barrier = threading.Barrier(N)
    outcomes = []

    def worker(i):
        with app.app_context(), system_scope():
            session = db.session
            try:
                barrier.wait(timeout=30)
                services.do_redeem(session, location=kiosks[i % 2], farmer_id=farmer_id, pupuk_type="urea", kg=kg,
                                   idempotency_key=f"race-{farmer_id}-{i}", acting_user=PETUGAS)
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
        t.join(90)
    return outcomes


def test_sixteen_clerks_at_two_kiosks_of_two_cooperatives_never_pass_one_farmers_allocation(app):
    from app.extensions import db
    from app.pupuk.models import PupukQuota, PupukRedemption

    farmer_id, digest, home, other, year, season = _arrange(app, "3573010303750007", D(100))
    outcomes = _race(app, farmer_id, (home, other), 15)
    assert outcomes.count("ok") == 6, outcomes  # 6 x 15 = 90 of 100; a seventh would pass the allocation
    assert all(o == "ok" or "sisa kuota" in o for o in outcomes), outcomes
    with app.app_context(), system_scope():
        session = db.session
        redeemed = session.scalar(select(PupukQuota.redeemed_kg).where(PupukQuota.nik_hmac == digest,
                                                                       PupukQuota.year == year,
                                                                       PupukQuota.season == season))
        total = session.scalar(select(func.sum(PupukRedemption.kg)).where(PupukRedemption.farmer_id == farmer_id))
        coops = session.scalar(select(func.count(func.distinct(PupukRedemption.cooperative_id)))
                               .where(PupukRedemption.farmer_id == farmer_id))
        assert redeemed == total == D("90") and coops == 2
        db.session.remove()


def test_a_het_set_while_a_redemption_is_being_priced_waits_for_it_and_counts_its_date(app, monkeypatch):
    """A clerk's redemption has read the HET of today and not yet committed; an Admin sets a new HET of the type
    from today at that moment. The Admin waits (the redemption holds its type), then finds today's redemption
    at the old price and refuses: never a new HET in force on a day already sold at the old one."""
    import time

    from app.core.dates import local_today
    from app.extensions import db
    from app.inventory.models import Location
    from app.pupuk import services
    from app.pupuk.services import redeem

    from .conftest import PETUGAS, Board

    farmer_id, _digest, home, _other, _year, _season = _arrange(app, "3573015709880012", D(50))
    priced, release = threading.Event(), threading.Event()
    real_het_on = redeem.het_on

    def het_on_then_pause(session, pupuk_type, day):
        row = real_het_on(session, pupuk_type, day)
        priced.set()
        release.wait(15)
        return row

    monkeypatch.setattr(redeem, "het_on", het_on_then_pause)
    outcome = {}

    def clerk():
        with app.app_context(), system_scope():
            try:
                services.do_redeem(db.session, location=home, farmer_id=farmer_id, pupuk_type="urea", kg=5,
                                   idempotency_key=f"het-race-{farmer_id}", acting_user=PETUGAS)
                db.session.commit()
            finally:
                db.session.remove()

    def admin():
        with app.app_context(), system_scope():
            try:
                services.do_set_het(db.session, pupuk_type="urea", valid_from=outcome["day"],
                                    het_per_kg="1.700", legal_basis="Kepmentan uji", acting_user=Board("Admin"))
                outcome["admin"] = "written"
            except Exception as e:  # noqa: BLE001 - the refusal is the expected outcome
                outcome["admin"] = str(e)
            finally:
                db.session.rollback()
                db.session.remove()

    with app.app_context(), system_scope():
        outcome["day"] = local_today(db.session.get(Location, home).cooperative)  # the clerk's date
        db.session.remove()
    a = threading.Thread(target=clerk)
    a.start()
    assert priced.wait(15)
    b = threading.Thread(target=admin)
    b.start()
    time.sleep(1.5)
    waited = b.is_alive()
    release.set()
    a.join(30)
    b.join(30)
    assert waited, outcome  # the Admin did not pass the redemption being priced
    assert outcome["admin"].startswith("Sudah ada penebusan Urea pada"), outcome
