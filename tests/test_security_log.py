"""The security log (issue 9.5): refused attempts leave a trace that supervisors read, and flooding it is capped."""
from datetime import datetime

import pytest
from sqlalchemy import func, select

from app.cooperatives.models import Cooperative
from app.core.security_log import SecurityEvent
from app.members.models import Member

OWN, SIBLING, OTHER_CITY = "31.73.05.1001", "31.73.05.1002", "35.73.03.1010"
LEMPAKE = "64.72.05.1003"


def coop_id(sysdb, code):
    return sysdb.scalar(select(Cooperative.id).where(Cooperative.region_code == code))


def member_in(sysdb, code):
    return sysdb.scalar(select(Member.id).where(Member.cooperative_id == coop_id(sysdb, code)).order_by(Member.id))


def events(sysdb, **where):
    sysdb.rollback()  # a fresh snapshot: rows are written by the app's own connection
    query = select(SecurityEvent)
    for key, value in where.items():
        query = query.where(getattr(SecurityEvent, key) == value)
    return sysdb.scalars(query.order_by(SecurityEvent.id)).all()


@pytest.fixture()
def roomy_cap(app, monkeypatch):
    """Earlier tests of the session (the NIK and scope walks) may have used this minute's quota of the same
    user; these tests count single rows, so the flood cap is lifted for them (its own test keeps it)."""
    monkeypatch.setitem(app.config, "KKMP_SECURITY_LOG_PER_MINUTE", 100000)


def test_a_lurah_opening_a_sibling_cooperatives_member_gets_404_and_one_security_row(login, sysdb, roomy_cap):
    sibling_member = member_in(sysdb, SIBLING)
    s = login("lurah.kebonjeruk")
    before = len(events(sysdb, username="lurah.kebonjeruk", kind="scope_read"))
    assert s.get(f"/anggota/show/{sibling_member}").status_code == 404
    rows = events(sysdb, username="lurah.kebonjeruk", kind="scope_read")
    assert len(rows) == before + 1
    row = rows[-1]
    assert (row.table_name, row.record_id, row.cooperative_id) == ("member", str(sibling_member),
                                                                  coop_id(sysdb, SIBLING))
    assert row.actor_region_code == OWN and row.path == f"/anggota/show/{sibling_member}"
    # A plain missing id is a typo, not an attempt: 404 and nothing recorded.
    assert s.get("/anggota/show/987654321").status_code == 404
    # Opening one's own member records nothing either.
    assert s.get(f"/anggota/show/{member_in(sysdb, OWN)}").status_code == 200
    assert len(events(sysdb, username="lurah.kebonjeruk", kind="scope_read")) == before + 1


def test_a_refused_write_is_recorded_and_the_write_is_not(login, sysdb, roomy_cap):
    from tests.conftest import api_token

    s = login("sekretaris.kebonjeruk")
    sibling_member = member_in(sysdb, SIBLING)
    name = sysdb.get(Member, sibling_member).name
    before = len(events(sysdb, username="sekretaris.kebonjeruk", kind="scope_write"))
    headers = api_token(s.client, "sekretaris.kebonjeruk")
    r = s.client.put(f"/api/v1/member/{sibling_member}", json={"name": "Diubah"}, headers=headers)
    assert r.status_code == 404
    sysdb.rollback()
    assert sysdb.get(Member, sibling_member).name == name
    rows = events(sysdb, username="sekretaris.kebonjeruk", kind="scope_write")
    assert len(rows) == before + 1
    assert (rows[-1].table_name, rows[-1].record_id, rows[-1].method) == ("member", str(sibling_member), "PUT")


def test_a_scope_refusal_below_the_views_is_written_although_its_transaction_rolls_back(app, sysdb):
    """Whatever path reaches the session layer's refusal, the trace is written after the rollback."""
    from flask import g

    from app.core.scope import TenantScopeError
    from app.extensions import db
    from app.security.models import KkmpUser

    before = len(events(sysdb, username="lurah.kebonjeruk", kind="scope_write"))
    with app.test_request_context("/koperasi/edit/1", method="POST"):
        g.user = db.session.scalar(select(KkmpUser).where(KkmpUser.username == "lurah.kebonjeruk"))
        coop = db.session.scalar(select(Cooperative).where(Cooperative.region_code == OWN))
        coop.address = "diubah oleh lurah"
        with pytest.raises(TenantScopeError):
            db.session.flush()
        db.session.rollback()
        app.process_response(app.response_class("refused", status=403))
        db.session.remove()
    rows = events(sysdb, username="lurah.kebonjeruk", kind="scope_write")
    assert len(rows) == before + 1 and rows[-1].table_name == "cooperative"
    assert sysdb.scalar(select(Cooperative.address).where(Cooperative.region_code == OWN)) != "diubah oleh lurah"


def test_flooding_writes_at_most_the_cap_and_then_counts_in_one_row(app, login, sysdb, monkeypatch):
    import app.core.security_log as security_log

    monkeypatch.setitem(app.config, "KKMP_SECURITY_LOG_PER_MINUTE", 3)
    monkeypatch.setattr(security_log, "_utcnow", lambda: datetime(2026, 3, 2, 4, 5, 6))
    target = member_in(sysdb, OTHER_CITY)
    s = login("camat.kebonjeruk")
    for _ in range(12):
        assert s.get(f"/anggota/show/{target}").status_code == 404
    rows = events(sysdb, username="camat.kebonjeruk", kind="scope_read", minute=datetime(2026, 3, 2, 4, 5))
    assert sorted(r.slot for r in rows) == [0, 1, 2, 3]
    assert sum(r.count for r in rows) == 12
    assert [r.count for r in rows if r.slot == 0] == [9]


def test_csrf_failures_and_login_rate_limit_hits_are_recorded(app, client, sysdb, monkeypatch):
    before_csrf = len(events(sysdb, kind="csrf"))
    r = client.post("/login/", data={"username": "sekretaris.lempake", "password": "x"})
    assert r.status_code == 400
    assert len(events(sysdb, kind="csrf")) == before_csrf + 1

    monkeypatch.setitem(app.config, "AUTH_RATE_LIMIT", "2 per minute")
    before = len(events(sysdb, kind="rate_limit"))
    statuses = [client.post("/api/v1/security/login", json={"username": "sekretaris.lempake", "password": "x",
                                                            "provider": "db"},
                            environ_base={"REMOTE_ADDR": "10.9.8.7"}).status_code for _ in range(4)]
    assert 429 in statuses
    rows = events(sysdb, kind="rate_limit")
    assert len(rows) > before and rows[-1].username == "sekretaris.lempake"
    assert rows[-1].remote_addr == "10.9.8.7"


def test_sudin_sees_their_citys_rows_and_not_another_citys(login, sysdb):
    # A Jakarta Barat user tries a sibling's member; a Samarinda user tries a member in Malang; and the
    # Malang secretary tries a member in Jakarta Barat (an attempt on the Sudin's city, by an outsider).
    login("lurah.kebonjeruk").get(f"/anggota/show/{member_in(sysdb, SIBLING)}")
    login("sekretaris.lempake").get(f"/anggota/show/{member_in(sysdb, OTHER_CITY)}")
    login("sekretaris.cemorokandang").get(f"/anggota/show/{member_in(sysdb, OWN)}")
    own_row = events(sysdb, username="lurah.kebonjeruk")[-1]
    foreign_row = events(sysdb, username="sekretaris.lempake")[-1]
    s = login("sudin.jakbar")
    html = s.get("/log-keamanan/list/").get_data(as_text=True)
    assert "lurah.kebonjeruk" in html and "Membuka data di luar wilayah" in html
    assert "sekretaris.cemorokandang" in html
    assert "sekretaris.lempake" not in html
    assert s.get(f"/log-keamanan/show/{own_row.id}").status_code == 200
    assert s.get(f"/log-keamanan/show/{foreign_row.id}").status_code == 404
    daily = s.get("/log-keamanan/harian").get_data(as_text=True)
    assert "lurah.kebonjeruk" in daily and "sekretaris.lempake" not in daily
    admin = login("admin").get("/log-keamanan/list/?psize_SecurityEventView=100").get_data(as_text=True)
    assert "sekretaris.lempake" in admin


@pytest.mark.parametrize("username", ["camat.kebonjeruk", "lurah.kebonjeruk", "pengurus.kebonjeruk"])
def test_camat_lurah_and_pengurus_cannot_read_the_security_log(login, username):
    s = login(username)
    for url in ("/log-keamanan/list/", "/log-keamanan/harian", "/log-keamanan/export/csv"):
        assert s.get(url).status_code in (302, 403), url


def test_the_security_log_is_append_only_in_the_database(app, sysdb):
    from sqlalchemy import text
    from sqlalchemy.exc import DatabaseError

    from app.extensions import db

    with app.app_context():
        event_id = sysdb.scalar(select(func.min(SecurityEvent.id)))
        assert event_id is not None
        for statement in ("UPDATE security_event SET username = 'x' WHERE id = :id",
                          "DELETE FROM security_event WHERE id = :id"):
            with db.engine.connect() as conn:
                with pytest.raises(DatabaseError, match="append-only"):
                    conn.execute(text(statement), {"id": event_id})
                conn.rollback()
