"""Shared helpers for the member tests: well-formed NIKs, acting as a demo user inside the app's session."""
import itertools
from contextlib import contextmanager
from datetime import date

from sqlalchemy import select

from app.cooperatives.models import Cooperative

KEBON_JERUK, SUKABUMI_UTARA, CEMOROKANDANG, LEMPAKE = "31.73.05.1001", "31.73.05.1002", "35.73.03.1010", "64.72.05.1003"
_serial = itertools.count(5000)


def make_nik(born=date(1990, 8, 4), sex="P", prefix="317305", serial=None):
    day = born.day + (40 if sex == "P" else 0)
    return f"{prefix}{day:02d}{born:%m%y}{serial if serial is not None else next(_serial):04d}"


def full_width(digits):
    return "".join(chr(ord(c) + 0xFEE0) for c in digits)


def coop_id(session, code):
    return session.scalar(select(Cooperative.id).where(Cooperative.region_code == code))


def member_form(code=KEBON_JERUK, **over):
    """Form data for /anggota/add (without the cooperative) of a woman born 04/08/1990."""
    born = over.pop("born", date(1990, 8, 4))
    sex = over.pop("sex", "P")
    data = {"nik": make_nik(born, sex), "name": "Siti Aminah", "sex": sex, "birth_date": born.isoformat(),
            "address": "Jl. Kebon Jeruk Raya No. 7", "rt": "3", "rw": "2", "domicile_code": code,
            "phone": "0812-3456-7890", "occupation": "Pedagang", "join_date": "2025-10-01"}
    data.update(over)
    return data


@contextmanager
def acting_as(app, username):
    """The app's own session (scope and audit listeners on) with ``username`` as the request's user."""
    from flask import g

    from app.extensions import db
    from app.security.models import KkmpUser

    with app.test_request_context():
        g.user = db.session.scalar(select(KkmpUser).where(KkmpUser.username == username))
        try:
            yield db.session, g.user
        finally:
            db.session.rollback()
            db.session.remove()


def new_member(session, code=KEBON_JERUK, **over):
    from app.members.models import Member

    born = over.pop("born", date(1985, 3, 12))
    sex = over.pop("sex", "L")
    coop = session.scalar(select(Cooperative).where(Cooperative.region_code == code))
    fields = dict(nik=make_nik(born, sex), name="Budi Santoso", sex=sex, birth_date=born, address="Jl. Uji No. 1",
                  rt="1", rw="1", domicile_code=code, join_date=date(2025, 10, 1))
    fields.update(over)
    return Member(cooperative=coop, **fields)
