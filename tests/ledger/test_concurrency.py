"""A posting racing a month close either commits before the close or is refused (PostgreSQL, real threads)."""
import os
import threading
import time
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from app.cooperatives.models import Cooperative
from app.core.scope import system_scope
from app.extensions import db
from app.ledger import services
from app.ledger.balances import reconcile
from app.ledger.guards import ClosedPeriodError
from app.ledger.models import JournalCounter, JournalEntry, Period

pytestmark = pytest.mark.postgres

# Months with no demo posting that no other test uses (Lempake).
# (month, delay before the close starts, stagger between the postings): all at once, interleaved, close last.
RACES = [(date(2026, 4, 15), 0.0, 0.0), (date(2026, 6, 15), 0.01, 0.002), (date(2026, 7, 15), 0.05, 0.0)]
CODE = "64.72.05.1003"
POSTERS = 10


@pytest.fixture()
def require_postgres():
    if not os.environ.get("DATABASE_URL", "").startswith("postgresql"):
        pytest.skip("needs PostgreSQL (DATABASE_URL)")


@pytest.mark.parametrize("RACE_MONTH,delay,stagger", RACES)
def test_postings_racing_a_month_close_commit_before_it_or_are_refused(app, require_postgres, RACE_MONTH, delay,
                                                                        stagger):
    with app.app_context(), system_scope():
        coop_id = db.session.scalar(select(Cooperative.id).where(Cooperative.region_code == CODE))
        db.session.remove()
    barrier = threading.Barrier(POSTERS + 1)
    outcomes, errors = [], []

    def poster(i):
        with app.app_context(), system_scope():
            session = db.session
            try:
                barrier.wait()
                time.sleep(i * stagger)
                services.post_entry(session, cooperative_id=coop_id, entry_date=RACE_MONTH,
                                    description=f"Penjualan paralel {i}",
                                    lines=[("kas", Decimal("1000.00"), 0),
                                           ("penjualan_sembako_non_anggota", 0, Decimal("1000.00"))])
                session.commit()
                outcomes.append("posted")
            except ClosedPeriodError:
                session.rollback()
                outcomes.append("refused")
            except Exception as e:  # pragma: no cover - reported below
                session.rollback()
                errors.append(repr(e))
            finally:
                db.session.remove()

    def closer():
        with app.app_context(), system_scope():
            session = db.session
            try:
                barrier.wait()
                time.sleep(delay)
                services.close_period(session, coop_id, RACE_MONTH.year, RACE_MONTH.month)
                session.commit()
            except Exception as e:  # pragma: no cover
                session.rollback()
                errors.append(repr(e))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=poster, args=(i,)) for i in range(POSTERS)] + [threading.Thread(target=closer)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == [] and len(outcomes) == POSTERS
    print(f"race: {outcomes.count('posted')} posted before the close, {outcomes.count('refused')} refused")

    with app.app_context(), system_scope():
        session = db.session
        period = session.scalar(select(Period).where(Period.cooperative_id == coop_id, Period.year == 2026,
                                                     Period.month == RACE_MONTH.month))
        assert period.status == "closed"
        entries = session.scalars(select(JournalEntry).where(
            JournalEntry.cooperative_id == coop_id, JournalEntry.entry_date >= RACE_MONTH.replace(day=1),
            JournalEntry.entry_date < date(2026, RACE_MONTH.month + 1, 1))).all()
        # Checked against the journal rows: every entry in the closed month was posted before the close.
        assert len(entries) == outcomes.count("posted")
        assert all(e.posted_at <= period.closed_at for e in entries)
        # Numbers stay gapless under the race.
        seqs = sorted(session.scalars(select(JournalEntry.seq).where(JournalEntry.cooperative_id == coop_id,
                                                                     JournalEntry.year == 2026)))
        assert seqs == list(range(1, len(seqs) + 1))
        assert session.scalar(select(JournalCounter.last_number).where(JournalCounter.cooperative_id == coop_id,
                                                                       JournalCounter.year == 2026)) == len(seqs)
        # The balances the statements read were upserted by every racing posting that committed, and only those.
        assert reconcile(session, [coop_id]) == []
        db.session.remove()


def test_concurrent_postings_get_distinct_gapless_numbers(app, require_postgres):
    with app.app_context(), system_scope():
        coop_id = db.session.scalar(select(Cooperative.id).where(Cooperative.region_code == CODE))
        db.session.remove()
    barrier = threading.Barrier(8)
    errors = []

    def poster(i):
        with app.app_context(), system_scope():
            try:
                barrier.wait()
                services.post_entry(db.session, cooperative_id=coop_id, entry_date=date(2026, 5, 2),
                                    description=f"paralel {i}", lines=[("kas", Decimal(1), 0),
                                                                      ("419000", 0, Decimal(1))])
                if i % 3 == 0:
                    raise RuntimeError("rolled back on purpose")
                db.session.commit()
            except RuntimeError:
                db.session.rollback()
            except Exception as e:  # pragma: no cover
                db.session.rollback()
                errors.append(repr(e))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=poster, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    with app.app_context(), system_scope():
        seqs = sorted(db.session.scalars(select(JournalEntry.seq).where(JournalEntry.cooperative_id == coop_id,
                                                                        JournalEntry.year == 2026)))
        assert seqs == list(range(1, len(seqs) + 1))
        assert reconcile(db.session, [coop_id]) == []
        db.session.remove()
