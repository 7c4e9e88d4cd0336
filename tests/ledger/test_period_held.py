"""A posting holds its month's period row FOR SHARE until commit, and what it read under that lock is not asked
again in the same transaction (app/ledger/guards.py, ``locked_period_status``): a kiosk sale checks its date, posts
its journal and flushes it with one read of the month. The knowledge must end exactly when the lock can end: a
close or reopen of the month in the same transaction, a savepoint rolled back."""
import os
from datetime import date
from decimal import Decimal as D

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session as PlainSession

from app.core.scope import system_scope
from app.extensions import db
from app.ledger import services
from app.ledger.guards import ClosedPeriodError, locked_period_status

from tests.conftest import open_month, period_hold_cost, sql_statements

from .conftest import post
from .test_flush_guard import hand_made

pytestmark = pytest.mark.usefixtures("english_messages")

DAY = date(2026, 1, 15)
SALE = [("kas", D("25000"), 0), ("penjualan_sembako_non_anggota", 0, D("25000"))]


def _period_statements(seen):
    return [s for s in seen if "ledger_period" in s]


def test_a_date_check_then_a_posting_reads_the_month_once(app, uow, coop):
    """The date check of a document (lock_period_for_posting), its posting and the flush guard ask the month's
    status once between them: one hold of the month (on PostgreSQL one locked read of its row), not four reads."""
    open_month(uow, coop.id, DAY)
    with sql_statements(app) as seen:
        assert services.lock_period_for_posting(uow, coop.id, DAY) == "open"
        entry = post(uow, coop, DAY, SALE)
        uow.flush()
    assert entry.id is not None
    reads = _period_statements(seen)
    assert len(reads) == period_hold_cost(app), reads
    assert reads[-1].lstrip().upper().startswith("SELECT")


def test_a_month_closed_in_the_same_transaction_refuses_the_next_posting(uow, coop):
    """A posting remembered January open; the same transaction then closes January: the next posting, through
    the service or written straight into the session, is refused as in a month closed by anyone."""
    post(uow, coop, DAY, SALE)
    services.close_period(uow, coop.id, 2026, 1)
    assert locked_period_status(uow, coop.id, 2026, 1) is None
    with pytest.raises(ClosedPeriodError, match="01/2026"):
        post(uow, coop, DAY, SALE)
    hand_made(uow, coop, [(5000, 0), (0, 5000)], day=DAY)
    with pytest.raises(ClosedPeriodError, match="01/2026"):
        uow.flush()


def test_a_month_reopened_in_the_same_transaction_takes_postings_again(uow, coop):
    services.close_period(uow, coop.id, 2026, 1)
    with pytest.raises(ClosedPeriodError):
        post(uow, coop, DAY, SALE)
    services.reopen_period(uow, coop.id, 2026, 1, "salah tutup, dibuka kembali")
    assert post(uow, coop, DAY, SALE).id is not None


def test_a_savepoint_rolled_back_reads_the_month_again(app, uow, coop):
    """The lock taken inside a savepoint goes with its rollback; so does what it read: the next posting reads
    the month again under its own lock."""
    open_month(uow, coop.id, DAY)
    uow.flush()
    nested = uow.begin_nested()
    assert services.lock_period_for_posting(uow, coop.id, DAY) == "open"
    assert locked_period_status(uow, coop.id, 2026, 1) == "open"
    nested.rollback()
    assert locked_period_status(uow, coop.id, 2026, 1) is None
    with sql_statements(app) as seen:
        post(uow, coop, DAY, SALE)
    assert len(_period_statements(seen)) == period_hold_cost(app)


def test_what_the_outer_transaction_read_still_counts_inside_a_savepoint(app, uow, coop):
    assert services.lock_period_for_posting(uow, coop.id, DAY) == "open"
    with uow.begin_nested():
        with sql_statements(app) as seen:
            post(uow, coop, DAY, SALE)
    assert _period_statements(seen) == []


def test_another_cooperatives_month_and_another_month_are_read_for_themselves(app, uow, coop):
    from .conftest import fresh_cooperative

    other = fresh_cooperative(uow)
    services.lock_period_for_posting(uow, coop.id, DAY)
    open_month(uow, coop.id, date(2026, 2, 1))
    with sql_statements(app) as seen:
        assert services.lock_period_for_posting(uow, other.id, DAY) == "open"  # a new cooperative: no row yet
        assert services.lock_period_for_posting(uow, coop.id, date(2026, 2, 1)) == "open"
    assert len(_period_statements(seen)) == period_hold_cost(app, row_exists=False) + period_hold_cost(app)
    assert locked_period_status(uow, other.id, 2026, 1) == "open"


# Lempake, the month of a year nobody else posts in (PostgreSQL: a second connection closes it).
CODE = "64.72.05.1003"
LONG_AGO = date(2023, 3, 10)


def test_after_a_savepoint_rollback_another_session_may_close_the_month_and_the_posting_is_refused(app):
    """PostgreSQL: a savepoint took the month's share lock and rolled back. Another session can now close the
    month (it does not wait for the lock), and the first transaction, posting in that month afterwards, reads the
    close and is refused: what it knew inside the savepoint does not outlive it."""
    if not os.environ.get("DATABASE_URL", "").startswith("postgresql"):
        pytest.skip("needs PostgreSQL (DATABASE_URL)")
    from app.cooperatives.models import Cooperative

    with app.app_context(), system_scope():
        first = db.session
        coop = first.scalar(select(Cooperative).where(Cooperative.region_code == CODE))
        coop_id = coop.id
        nested = first.begin_nested()
        assert services.lock_period_for_posting(first, coop.id, LONG_AGO) == "open"
        nested.rollback()
        closer = PlainSession(bind=db.engine)
        try:
            closer.execute(text("SET LOCAL lock_timeout = '3s'"))
            services.close_period(closer, coop.id, LONG_AGO.year, LONG_AGO.month)
            closer.commit()
            with pytest.raises(ClosedPeriodError, match="03/2023"):
                post(first, coop, LONG_AGO, SALE)
        finally:
            first.rollback()
            db.session.remove()
            try:
                services.reopen_period(closer, coop_id, LONG_AGO.year, LONG_AGO.month, "uji kunci periode selesai")
                closer.commit()
            finally:
                closer.close()
