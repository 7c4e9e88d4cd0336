"""Savings tests: a rolled-back unit of work in system scope, with a fresh cooperative, its products and members
made through the services. HTTP tests that commit remove their rows afterwards (see ``_cleanup``)."""
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from app.core.scope import system_scope
from app.extensions import db

D = Decimal
FRESH_CODES = ["31.74.02.1001", "31.74.02.1002", "31.74.02.1003", "31.74.02.1004", "33.74.02.1001"]


class Board:
    """An acting user with the Pengurus role (services check roles by name)."""

    id = None
    username = "uji.pengurus"

    class _R:
        def __init__(self, name):
            self.name = name

    def __init__(self, *roles):
        self.roles = [self._R(r) for r in (roles or ("Pengurus",))]


PENGURUS = Board("Pengurus")
SEKRETARIS = Board("Sekretaris")
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


@pytest.fixture()
def coop(uow):
    from app.cooperatives.models import Cooperative
    from app.cooperatives.services import create_cooperative

    for code in FRESH_CODES:
        if uow.scalar(select(Cooperative.id).where(Cooperative.region_code == code)) is None:
            return create_cooperative(code, session=uow, musyawarah_date=date(2025, 5, 31))
    raise RuntimeError("no free kelurahan for a test cooperative")


_serial = iter(range(7000, 9999))


def make_member(session, coop, name="Siti Aminah", status="aktif", active_since=date(2025, 7, 1),
                phone="081234567890"):
    """A member inserted directly (the members domain is tested elsewhere); NIK well-formed and unique."""
    from app.members.models import Member
    from app.members.services import nik_hmac

    serial = next(_serial)
    prefix = coop.region_code.replace(".", "")[:6]
    nik = f"{prefix}440890{serial:04d}"
    member = Member(cooperative=coop, cooperative_id=coop.id, nik=nik, nik_hmac=nik_hmac(nik), name=name, sex="P",
                    birth_date=date(1990, 8, 4), address="Jl. Uji 1", rt="001", rw="002",
                    domicile_code=coop.region_code, phone=phone, join_date=date(2025, 6, 20), status=status,
                    member_number=f"A-{serial:06d}", member_seq=serial, active_since=active_since)
    session.add(member)
    session.flush()
    return member


@pytest.fixture()
def products(uow, coop):
    from app.savings import services

    services.set_product(uow, coop.id, "pokok", PENGURUS, amount=D(100000), instalments=2)
    services.set_product(uow, coop.id, "wajib", PENGURUS)
    services.set_product(uow, coop.id, "sukarela", PENGURUS)
    services.set_wajib_rate(uow, coop.id, date(2025, 6, 1), D(10000), PENGURUS)
    return coop


def recent_day(coop, back_days=0):
    from app.ledger.services import local_today

    return local_today(coop) - timedelta(days=back_days)


def month_back(coop, back):
    today = recent_day(coop)
    m, y = today.month - back, today.year
    while m < 1:
        m += 12
        y -= 1
    return y, m
