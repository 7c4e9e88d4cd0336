"""User administration: a Sudin manages only their city's Camat, Lurah, Pengurus and Sekretaris (server-side)."""
import re

import pytest
from sqlalchemy import select

from app.security.models import KkmpUser
from tests.conftest import Session, api_token

STRONG = "Kebon-Jeruk-kuat-2026"


def user(sysdb, username):
    sysdb.expire_all()
    return sysdb.scalar(select(KkmpUser).where(KkmpUser.username == username))


def role_id(sysdb, name):
    from flask_appbuilder.security.sqla.models import Role
    return sysdb.scalar(select(Role.id).where(Role.name == name))


def new_user_form(sysdb, username, role, scope, **extra):
    data = {"first_name": "Uji", "last_name": "Coba", "username": username, "active": "y",
            "email": f"{username}@contoh.id", "roles": str(role_id(sysdb, role)), "scope_code": scope,
            "password": STRONG, "conf_password": STRONG}
    data.update(extra)
    return data


def test_sudin_lists_only_users_of_their_city_and_never_admin_or_sudin(login):
    s = login("sudin.jakbar")
    html = s.get("/users/list/?psize_KkmpUserView=100").get_data(as_text=True)
    for visible in ("camat.kebonjeruk", "lurah.kebonjeruk", "pengurus.kebonjeruk", "sekretaris.kebonjeruk"):
        assert visible in html
    for hidden in ("sekretaris.lempake", "sekretaris.cemorokandang", ">admin<"):
        assert hidden not in html


def test_sudin_grants_a_lurah_in_their_city(login, sysdb):
    s = login("sudin.jakbar")
    r = s.post("/users/add", new_user_form(sysdb, "lurah.sukabumiutara", "Lurah", "31.73.05.1002"))
    assert r.status_code == 302
    u = user(sysdb, "lurah.sukabumiutara")
    assert u is not None and u.scope_region_code == "31.73.05.1002" and [r.name for r in u.roles] == ["Lurah"]
    Session(s.app, "lurah.sukabumiutara", STRONG)  # the new user can log in


@pytest.mark.parametrize("role,scope,why", [
    ("Lurah", "35.73.03.1010", "outside the city"),
    ("Camat", "31.74.01", "another city"),
    ("Sekretaris", "64.72.05.1003", "a cooperative in another city"),
])
def test_sudin_cannot_grant_scopes_outside_their_city(login, sysdb, role, scope, why):
    s = login("sudin.jakbar")
    name = f"x.{role.lower()}.{scope.replace('.', '')}"
    s.post("/users/add", new_user_form(sysdb, name, role, scope))
    assert user(sysdb, name) is None, why


def test_sudin_cannot_grant_admin_or_sudin_even_by_posting_the_role_id(login, sysdb):
    s = login("sudin.jakbar")
    for role in ("Admin", "Sudin"):
        name = f"naik.{role.lower()}"
        s.post("/users/add", new_user_form(sysdb, name, role, "31.73"))
        assert user(sysdb, name) is None


def test_sudin_cannot_touch_admin_or_sudin_accounts(login, sysdb):
    s = login("sudin.jakbar")
    admin = user(sysdb, "admin")
    assert s.get(f"/users/show/{admin.id}").status_code == 404
    assert s.get(f"/users/edit/{admin.id}").status_code == 404
    assert s.get(f"/users/reset-password/{admin.id}").status_code == 404
    r = s.post(f"/users/reset-password/{admin.id}", {"password": STRONG, "conf_password": STRONG}, form_url="/")
    assert r.status_code == 404
    # FAB's own reset view (any user by ?pk=) is not granted to a Sudin.
    assert s.get(f"/resetpassword/form?pk={admin.id}").status_code in (403, 404)
    for path in ("/roles/list/", "/permissions/list/", "/groups/list/", "/viewmenus/list/"):
        assert s.get(path).status_code in (403, 404), path


def test_deactivating_a_user_takes_effect_on_their_next_request(login, sysdb):
    sudin = login("sudin.jakbar")
    sudin.post("/users/add", new_user_form(sysdb, "camat.sementara", "Camat", "31.73.05"))
    camat = Session(sudin.app, "camat.sementara", STRONG)
    assert camat.get("/koperasi/list/").status_code == 200
    target = user(sysdb, "camat.sementara")
    form = {"first_name": "Uji", "last_name": "Coba", "username": "camat.sementara",
            "email": "camat.sementara@contoh.id", "roles": str(role_id(sysdb, "Camat")), "scope_code": "31.73.05"}
    r = sudin.post(f"/users/edit/{target.id}", form)  # 'active' unticked
    assert r.status_code == 302
    assert user(sysdb, "camat.sementara").active is False
    r = camat.get("/koperasi/list/")
    assert r.status_code in (302, 401, 403) and b"Kebon Jeruk" not in r.data


def test_sudin_resets_a_password_inside_their_city(login, sysdb):
    s = login("sudin.jakbar")
    s.post("/users/add", new_user_form(sysdb, "sekretaris.lupa", "Sekretaris", "31.73.05.1002"))
    target = user(sysdb, "sekretaris.lupa")
    new = "Sandi-baru-Sukabumi-77"
    r = s.post(f"/users/reset-password/{target.id}", {"password": new, "conf_password": new})
    assert r.status_code == 302
    Session(s.app, "sekretaris.lupa", new)


def test_pengurus_and_lurah_cannot_manage_users(login):
    for username in ("pengurus.kebonjeruk", "lurah.kebonjeruk", "camat.kebonjeruk"):
        s = login(username)
        assert s.get("/users/list/").status_code == 403
        assert s.get("/users/add").status_code == 403


def test_role_grants_are_in_the_audit_log(login, sysdb):
    from app.core.audit import AuditEvent

    s = login("sudin.jakbar")
    s.post("/users/add", new_user_form(sysdb, "lurah.kedoyautara", "Lurah", "31.73.05.1006"))
    u = user(sysdb, "lurah.kedoyautara")
    event = sysdb.scalar(select(AuditEvent).where(AuditEvent.table_name == "ab_user",
                                                 AuditEvent.record_id == str(u.id), AuditEvent.action == "create"))
    assert event is not None and event.username == "sudin.jakbar"
    assert '"roles": ["Lurah"]' in event.after and "scrypt" not in event.after


def test_cli_create_user_takes_the_password_from_stdin_and_checks_scope(app, sysdb, english_messages):
    runner = app.test_cli_runner()
    r = runner.invoke(args=["kkmp", "create-user", "camat.tambora", "--role", "Camat", "--scope", "31.73.04",
                            "--password-stdin"], input=STRONG + "\n")
    assert r.exit_code == 0, r.output
    u = user(sysdb, "camat.tambora")
    assert u.scope_region_code == "31.73.04"
    r = runner.invoke(args=["kkmp", "create-user", "sek.x", "--role", "Sekretaris", "--scope", "31.73.05.1007",
                            "--password-stdin"], input=STRONG + "\n")
    assert r.exit_code != 0 and "no KKMP" in r.output
    r = runner.invoke(args=["kkmp", "create-user", "lemah", "--role", "Lurah", "--scope", "31.73.05.1007",
                            "--password-stdin"], input="rahasia\n")
    assert r.exit_code != 0 and user(sysdb, "lemah") is None


def test_logins_and_failed_logins_are_in_the_audit_log(app, sysdb):
    from app.core.audit import AuditEvent
    from tests.conftest import csrf_from

    before = sysdb.scalar(select(AuditEvent.id).order_by(AuditEvent.id.desc()))
    client = app.test_client()
    page = client.get("/login/").get_data(as_text=True)
    client.post("/login/", data={"username": "lurah.kebonjeruk", "password": "bukan-sandinya-123",
                                 "csrf_token": csrf_from(page)})
    Session(app, "lurah.kebonjeruk")
    events = sysdb.execute(select(AuditEvent.action, AuditEvent.username).where(AuditEvent.id > before)).all()
    assert ("login_failed", "lurah.kebonjeruk") in events and ("login", "lurah.kebonjeruk") in events
    text = " ".join(str(e) for e in sysdb.scalars(select(AuditEvent.after).where(AuditEvent.id > before)))
    assert "bukan-sandinya-123" not in text
