"""Ledger test helpers: a rolled-back unit of work with a fresh cooperative, and shortcuts for postings."""
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from app.core.scope import system_scope
from app.extensions import db

D = Decimal
FRESH_CODES = ["31.74.01.1001", "31.74.01.1002", "31.74.01.1003", "31.74.01.1004", "33.74.01.1001"]


@pytest.fixture()
def uow(app):
    """db.session in system scope inside one transaction that is rolled back afterwards (nothing persists)."""
    with app.app_context(), system_scope():
        session = db.session
        try:
            yield session
        finally:
            session.rollback()
            db.session.remove()


@pytest.fixture()
def coop(uow):
    """A cooperative created in the rolled-back transaction (its chart comes with it)."""
    from app.cooperatives.models import Cooperative
    from app.cooperatives.services import create_cooperative

    for code in FRESH_CODES:
        if uow.scalar(select(Cooperative.id).where(Cooperative.region_code == code)) is None:
            return create_cooperative(code, session=uow, musyawarah_date=date(2025, 5, 31),
                                      akta_number="77", akta_date=date(2025, 6, 20), notary_name="Notaris Uji")
    raise RuntimeError("no free kelurahan for a test cooperative")


def fresh_cooperative(session, **fields):
    """Another new cooperative in the same rolled-back transaction (newer than the ``coop`` fixture's);
    ``fields`` go to the Cooperative (e.g. ``id``)."""
    from app.cooperatives.models import Cooperative
    from app.cooperatives.services import create_cooperative

    for code in FRESH_CODES:
        if session.scalar(select(Cooperative.id).where(Cooperative.region_code == code)) is None:
            return create_cooperative(code, session=session, musyawarah_date=date(2025, 5, 31), akta_number="78",
                                      akta_date=date(2025, 6, 20), notary_name="Notaris Uji", **fields)
    raise RuntimeError("no free kelurahan for a test cooperative")


def balance_of(session, coop_id, code, date_to=None):
    """Signed debit-minus-credit balance of one account."""
    from app.ledger.services import account_balances

    for b in account_balances(session, coop_id, date_to=date_to):
        if b.code == code:
            return b.debit - b.credit
    return D("0.00")


def post(session, coop, day, lines, description="Uji", **kw):
    from app.ledger.services import post_entry

    return post_entry(session, cooperative_id=coop.id, entry_date=day, description=description, lines=lines, **kw)
