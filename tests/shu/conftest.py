"""SHU tests: a rolled-back unit of work in system scope with a fresh cooperative founded the year before the
closed year, members inserted directly, savings written through the savings write path, the year's books posted
through the ledger and closed by the ledger's own year-end close."""
import itertools
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from app.core.scope import system_scope
from app.extensions import db

D = Decimal
FRESH_CODES = ["31.74.03.1001", "31.74.03.1002", "31.74.03.1003", "31.74.03.1004", "33.74.03.1001"]


class Actor:
    """An acting user with roles by name (the services check roles by name)."""

    id = None

    class _R:
        def __init__(self, name):
            self.name = name

    def __init__(self, *roles, username="uji.shu"):
        self.roles = [self._R(r) for r in roles]
        self.username = username


PENGURUS = Actor("Pengurus")
SEKRETARIS = Actor("Sekretaris")
SUDIN = Actor("Sudin", username="uji.sudin")
LURAH = Actor("Lurah")


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
def year(app):
    """The closed fiscal year: last year in the cooperative's calendar (WIB is close enough for the year)."""
    from app.core.dates import local_today

    return local_today(None).year - 1


@pytest.fixture()
def coop(uow, year):
    from app.cooperatives.models import Cooperative
    from app.cooperatives.services import create_cooperative

    for code in FRESH_CODES:
        if uow.scalar(select(Cooperative.id).where(Cooperative.region_code == code)) is None:
            return create_cooperative(code, session=uow, musyawarah_date=date(year - 1, 5, 31), akta_number="17",
                                      akta_date=date(year - 1, 6, 20), notary_name="Notaris Uji")
    raise RuntimeError("no free kelurahan for a test cooperative")


@pytest.fixture()
def provider():
    """Register member transactions (jasa usaha basis) for the test only: ``provider.set({member_id: amount})``."""
    from app.shu import services

    class _P:
        data = {}

        def set(self, data):
            self.data = data

        def __call__(self, session, cooperative_id, year, start, end):
            return self.data

    p = _P()
    services.register_member_transactions("Penjualan gerai (uji)", p)
    try:
        yield p
    finally:
        services.unregister_member_transactions("Penjualan gerai (uji)")


# Serials cycle: each test's members live in a rolled-back transaction, and the mutation runner's long-lived pytest
# runs these tests once per mutant, so a finite iterator ran out (StopIteration counted as a caught mutant).
_serial = itertools.cycle(range(3000, 6999))


def make_member(session, coop, name, status="aktif", ended_on=None):
    from app.members.models import Member
    from app.members.services import nik_hmac

    serial = next(_serial)
    prefix = coop.region_code.replace(".", "")[:6]
    nik = f"{prefix}440890{serial:04d}"
    member = Member(cooperative=coop, cooperative_id=coop.id, nik=nik, nik_hmac=nik_hmac(nik), name=name, sex="P",
                    birth_date=date(1990, 8, 4), address="Jl. Uji 1", rt="001", rw="002",
                    domicile_code=coop.region_code, phone="081234567890", join_date=coop.akta_date, status=status,
                    member_number=f"S-{serial:06d}", member_seq=serial, active_since=coop.akta_date,
                    ended_on=ended_on)
    session.add(member)
    session.flush()
    return member


def save(session, coop, member, kind, amount, day, direction="setor"):
    """A savings deposit (or withdrawal) dated ``day``, through the savings write path (row, balance, journal)."""
    from app.savings.services import _add_to_balance, _take_from_balance, _write

    amount = D(amount)
    if direction == "setor":
        _add_to_balance(session, coop.id, member.id, kind, amount)
        lines = [("kas", amount, 0), (f"simpanan_{kind}", 0, amount)]
    else:
        assert _take_from_balance(session, member.id, kind, amount)
        lines = [(f"simpanan_{kind}", amount, 0), ("kas", 0, amount)]
    return _write(session, coop, member, kind, direction, amount, day, f"uji-{member.id}-{kind}-{day}-{direction}",
                  None, PENGURUS, lines, f"Simpanan {kind} {member.name}")


def post(session, coop, day, lines, description="Uji"):
    from app.ledger.services import post_entry

    return post_entry(session, cooperative_id=coop.id, entry_date=day, description=description, lines=lines)


def close(session, coop, year):
    """Close every month of ``year`` and the year itself (the ledger's own close)."""
    from app.ledger import services

    for month in range(1, 13):
        services.close_period(session, coop.id, year, month)
    return services.close_year(session, coop.id, year)


def balance_of(session, coop_id, code):
    from app.ledger.services import account_balances

    for b in account_balances(session, coop_id):
        if b.code == code:
            return b.debit - b.credit
    return D("0.00")


def split(*parts):
    """[(kind, name, percent)] from (kind, percent) pairs."""
    return [(kind, None, percent) for kind, percent in parts]
