"""Review-chain helpers: a month of Kebon Jeruk's books, closed and not yet reported, for each test."""
import pytest
from sqlalchemy import select

from app.cooperatives.models import Cooperative
from app.core.dates import local_today
from app.core.scope import system_scope
from app.extensions import db

OWN, SIBLING, OTHER_CITY = "31.73.05.1001", "31.73.05.1002", "35.73.03.1010"


def coop_id(sysdb, code):
    return sysdb.scalar(select(Cooperative.id).where(Cooperative.region_code == code))


def _months_back(today, n):
    index = today.year * 12 + today.month - 1 - n
    return index // 12, index % 12 + 1


def free_month(app, code=OWN, close=True, start=24):
    """A month at least ``start`` months back (never one other tests close) with no report yet; closed unless
    ``close`` is False (then left open)."""
    from app.ledger import services as ledger
    from app.ledger.models import Period
    from app.oversight.models import MonthlyReport

    with app.app_context(), system_scope():
        coop = db.session.scalar(select(Cooperative).where(Cooperative.region_code == code))
        today = local_today(coop)
        for n in range(start, start + 60):
            year, month = _months_back(today, n)
            taken = db.session.scalar(select(MonthlyReport.id).where(
                MonthlyReport.cooperative_id == coop.id, MonthlyReport.year == year, MonthlyReport.month == month))
            status = db.session.scalar(select(Period.status).where(
                Period.cooperative_id == coop.id, Period.year == year, Period.month == month))
            if taken or status == "closed" and not close:
                continue
            if close and status != "closed":
                ledger.close_period(db.session, coop.id, year, month)
                db.session.commit()
            result = (coop.id, year, month)
            db.session.remove()
            return result
    raise RuntimeError("no free month")


@pytest.fixture()
def closed_month(app):
    return free_month(app)
