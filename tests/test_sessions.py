"""Sessions and API tokens end when they should (issue 9.2, 9.3): logout, a password change or reset (by the user, a
Sudin, an Admin or the CLI), deactivation and a role or scope change end every browser session and every token of
that user, on every worker; a refresh token lives no longer than a login (12 hours).

An attacker's view: a session cookie or a token copied earlier is replayed after the event. A replayed browser
session lands on the login page and reads or writes nothing; a replayed token gets 401.
"""
import re
import uuid

import pytest
from sqlalchemy import select

from app.core.scope import system_scope
from app.extensions import appbuilder, db
from app.security.models import KkmpUser
from tests.conftest import csrf_from
from tests.test_hardening import STRONG, client_from, fetch_user, html_login

GOOD_NEW = "perahu kertas berlayar jauh"
KEBON_JERUK = "31.73.05.1001"


@pytest.fixture()
def throwaway(app, sysdb):
    """Users of a role and scope in Jakarta Barat (sudin.jakbar's city), made for one test and removed after it."""
    created = []

    def _make(role="Lurah", scope=KEBON_JERUK):
        username = f"sesi.{uuid.uuid4().hex[:10]}"
        with app.app_context(), system_scope():
            from app.security.services import resolve_scope

            sm = appbuilder.sm
            user = sm.add_user(username, "Sesi", "Uji", f"{username}@contoh.invalid", [sm.find_role(role)],
                               password=STRONG)
            user.scope_region_code, user.scope_cooperative_id = resolve_scope(role, scope)
            db.session.commit()
            created.append(user.id)
            db.session.remove()
        return username

    yield _make
    for user_id in created:
        user = sysdb.get(KkmpUser, user_id)
        if user is None:
            continue
        try:
            sysdb.delete(user)
            sysdb.commit()
        except Exception:  # referenced by audit rows or other features' rows: leave it, but unusable
            sysdb.rollback()
            user = sysdb.get(KkmpUser, user_id)
            user.active = False
            sysdb.commit()


def browser(app, username, password=STRONG):
    client = client_from(app)
    r = html_login(client, username, password)
    assert r.status_code == 302 and "/login" not in r.headers["Location"], "login failed"
    return client


def tokens(app, username, password=STRONG):
    r = client_from(app).post("/api/v1/security/login", json={"username": username, "password": password,
                                                                "provider": "db", "refresh": True})
    assert r.status_code == 200, r.get_data(as_text=True)
    return r.get_json()["access_token"], r.get_json()["refresh_token"]


def session_cookie(app, client):
    return client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value


def replay(app, cookie):
    """A fresh browser (another address) carrying a copied session cookie."""
    client = client_from(app)
    client.set_cookie(app.config["SESSION_COOKIE_NAME"], cookie)
    return client


def reads(client):
    """True if the client still reads data: the cooperative list of Kebon Jeruk."""
    r = client.get("/koperasi/list/")
    return r.status_code == 200 and b"Kebon Jeruk" in r.data


def lands_on_login(client):
    r = client.get("/koperasi/list/")
    return r.status_code == 302 and "/login/" in r.headers["Location"]


def refresh_status(app, refresh):
    return client_from(app).post("/api/v1/security/refresh",
                                 headers={"Authorization": f"Bearer {refresh}"}).status_code


def api_status(app, access):
    return client_from(app).get("/api/v1/cooperative/", headers={"Authorization": f"Bearer {access}"}).status_code


def all_ended(app, cookie, access, refresh):
    """The user-visible facts after an event that must end every session and token."""
    return {"browser": lands_on_login(replay(app, cookie)), "access": api_status(app, access),
            "refresh": refresh_status(app, refresh)}


ENDED = {"browser": True, "access": 401, "refresh": 401}


# -- logout --------------------------------------------------------------------------------------------------------

def test_a_session_cookie_copied_before_logout_neither_reads_nor_writes_afterwards(app, throwaway, sysdb):
    username = throwaway()
    victim = browser(app, username)
    cookie = session_cookie(app, victim)
    assert reads(replay(app, cookie))  # a copied cookie works while the user is logged in
    victim.get("/logout/")

    attacker = replay(app, cookie)
    assert lands_on_login(attacker)
    assert not reads(attacker)
    # With a fresh CSRF token taken through the replayed cookie, a write (changing the password) is refused.
    before = fetch_user(sysdb, username).password
    token = csrf_from(attacker.get("/login/").get_data(as_text=True))
    r = attacker.post("/resetmypassword/form", data={"password": GOOD_NEW, "conf_password": GOOD_NEW,
                                                     "csrf_token": token})
    assert r.status_code == 302 and "/login/" in r.headers["Location"]
    assert fetch_user(sysdb, username).password == before
    assert html_login(client_from(app), username, GOOD_NEW).headers["Location"].startswith("/login/")


def test_logout_ends_every_session_and_every_token_of_the_user(app, throwaway):
    username = throwaway()
    office, home = browser(app, username), browser(app, username)
    access, refresh = tokens(app, username)
    assert api_status(app, access) == 200 and refresh_status(app, refresh) == 200
    cookie_before_logout = session_cookie(app, office)
    office.get("/logout/")
    assert lands_on_login(home)
    assert api_status(app, access) == 401
    assert refresh_status(app, refresh) == 401
    # Signing in again works, and the logout of a stale cookie (nobody's session any more) does not end it.
    again = browser(app, username)
    stale = replay(app, cookie_before_logout)
    stale.get("/logout/")
    assert reads(again)


def test_an_api_client_logs_out_with_its_token_and_every_session_and_token_of_the_user_ends(app, throwaway):
    username = throwaway()
    victim = browser(app, username)
    access, refresh = tokens(app, username)
    other_access, _ = tokens(app, username)
    r = client_from(app).post("/api/v1/security/logout", headers={"Authorization": f"Bearer {other_access}"})
    assert r.status_code == 200
    assert all_ended(app, session_cookie(app, victim), access, refresh) == ENDED
    assert client_from(app).post("/api/v1/security/logout").status_code == 401


# -- password changes and resets -------------------------------------------------------------------------------------

def _reset_by_sudin(app, login, sysdb, username):
    s = login("sudin.jakbar")
    user_id = fetch_user(sysdb, username).id
    r = s.post(f"/users/reset-password/{user_id}", {"password": GOOD_NEW, "conf_password": GOOD_NEW})
    assert r.status_code == 302


def _reset_by_admin(app, login, sysdb, username):
    s = login("admin")
    user_id = fetch_user(sysdb, username).id
    r = s.post(f"/resetpassword/form?pk={user_id}", {"password": GOOD_NEW, "conf_password": GOOD_NEW})
    assert r.status_code == 302


def _reset_by_cli(app, login, sysdb, username):
    from flask_appbuilder.cli import fab  # `flask fab reset-password` (an entry point, not on app.cli)

    result = app.test_cli_runner().invoke(fab, args=["reset-password", "--username", username],
                                          input=f"{GOOD_NEW}\n{GOOD_NEW}\n")
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("reset", [_reset_by_sudin, _reset_by_admin, _reset_by_cli], ids=["sudin", "admin", "cli"])
def test_a_password_reset_ends_every_session_and_token_and_the_new_password_works(app, login, sysdb, throwaway,
                                                                                   reset):
    username = throwaway()
    victim = browser(app, username)
    access, refresh = tokens(app, username)
    from app.core.audit import AuditEvent

    user_id = fetch_user(sysdb, username).id
    reset(app, login, sysdb, username)
    assert all_ended(app, session_cookie(app, victim), access, refresh) == ENDED
    assert sysdb.scalar(select(AuditEvent.id).where(AuditEvent.action == "password_reset",
                                                    AuditEvent.record_id == str(user_id))) is not None
    assert reads(browser(app, username, GOOD_NEW))
    assert tokens(app, username, GOOD_NEW)


def test_changing_ones_own_password_keeps_this_session_and_ends_all_others(app, throwaway):
    username = throwaway()
    here, elsewhere = browser(app, username), browser(app, username)
    access, refresh = tokens(app, username)
    page = here.get("/resetmypassword/form").get_data(as_text=True)
    r = here.post("/resetmypassword/form", data={"password": GOOD_NEW, "conf_password": GOOD_NEW,
                                                 "csrf_token": csrf_from(page)})
    assert r.status_code == 302
    assert reads(here)
    assert all_ended(app, session_cookie(app, elsewhere), access, refresh) == ENDED


# -- deactivation, role and scope changes ----------------------------------------------------------------------------

def _edit_form(sysdb, username, role, scope, active=True):
    from flask_appbuilder.security.sqla.models import Role

    data = {"first_name": "Sesi", "last_name": "Uji", "username": username, "email": f"{username}@contoh.invalid",
            "roles": str(sysdb.scalar(select(Role.id).where(Role.name == role))), "scope_code": scope}
    if active:
        data["active"] = "y"
    return data


def test_deactivation_ends_every_session_and_token_and_reactivation_revives_none(app, login, sysdb, throwaway):
    username = throwaway()
    victim = browser(app, username)
    access, refresh = tokens(app, username)
    sudin = login("sudin.jakbar")
    user_id = fetch_user(sysdb, username).id
    assert sudin.post(f"/users/edit/{user_id}", _edit_form(sysdb, username, "Lurah", KEBON_JERUK, active=False)
                      ).status_code == 302
    assert sudin.post(f"/users/edit/{user_id}", _edit_form(sysdb, username, "Lurah", KEBON_JERUK)).status_code == 302
    assert fetch_user(sysdb, username).active is True
    assert all_ended(app, session_cookie(app, victim), access, refresh) == ENDED


@pytest.mark.parametrize("role,scope", [("Camat", "31.73.05"), ("Lurah", "31.73.05.1002")],
                         ids=["role", "scope"])
def test_a_role_or_scope_change_ends_every_session_and_token(app, login, sysdb, throwaway, role, scope):
    username = throwaway()
    victim = browser(app, username)
    access, refresh = tokens(app, username)
    sudin = login("sudin.jakbar")
    user_id = fetch_user(sysdb, username).id
    # An edit that changes no right (the name) leaves the sessions alone...
    form = dict(_edit_form(sysdb, username, "Lurah", KEBON_JERUK), first_name="Nama Baru")
    assert sudin.post(f"/users/edit/{user_id}", form).status_code == 302
    assert fetch_user(sysdb, username).first_name == "Nama Baru" and reads(victim)
    # ... a change of role or scope ends them all.
    assert sudin.post(f"/users/edit/{user_id}", _edit_form(sysdb, username, role, scope)).status_code == 302
    assert [r.name for r in fetch_user(sysdb, username).roles] == [role]
    assert all_ended(app, session_cookie(app, victim), access, refresh) == ENDED


# -- token lifetimes ---------------------------------------------------------------------------------------------------

def _claims(app, token):
    from flask_jwt_extended import decode_token

    with app.app_context():
        return decode_token(token)


def test_a_refresh_token_lives_no_longer_than_a_login(app, throwaway):
    username = throwaway()
    access, refresh = tokens(app, username)
    max_age = app.config["KKMP_SESSION_MAX_AGE"].total_seconds()
    assert max_age == 12 * 3600
    claims = _claims(app, refresh)
    assert claims["exp"] - claims["iat"] <= max_age
    # A refreshed access token keeps the time of the login it descends from.
    r = client_from(app).post("/api/v1/security/refresh", headers={"Authorization": f"Bearer {refresh}"})
    assert r.status_code == 200
    assert _claims(app, r.get_json()["access_token"])["auth_time"] == _claims(app, access)["auth_time"]


def test_no_token_is_accepted_more_than_twelve_hours_after_its_login(app, throwaway, monkeypatch):
    username = throwaway()
    access, refresh = tokens(app, username)
    login_time = _claims(app, access)["auth_time"]
    # The refresh token has not expired by its own clock (PyJWT checks exp against the real time), but the login
    # it descends from is older than 12 hours by the app's clock.
    import app.security.sessions as sessions

    monkeypatch.setattr(sessions.time, "time", lambda: login_time + 12 * 3600 + 60)
    assert refresh_status(app, refresh) == 401
    assert api_status(app, access) == 401


def test_a_token_issued_without_a_session_generation_is_refused(app, throwaway, sysdb):
    """Tokens from before this rule (no generation claim) are not honoured: they could not be revoked."""
    from flask_jwt_extended import create_access_token

    username = throwaway()
    user_id = fetch_user(sysdb, username).id
    with app.test_request_context():
        legacy = create_access_token(identity=str(user_id), additional_claims={"kkmp_epoch": None})
    assert api_status(app, legacy) == 401
    assert api_status(app, tokens(app, username)[0]) == 200


# -- the user list's bulk password reset (issue 9.8) -------------------------------------------------------------------

def _bulk_reset(sudin, user_ids):
    return sudin.post("/users/action_post", {"action": "resetpasswords", "rowid": [str(i) for i in user_ids]},
                      form_url="/users/list/")


def test_a_sudin_resets_several_users_of_their_city_at_once_and_each_old_session_ends(app, login, sysdb, throwaway):
    from app.core.audit import AuditEvent

    names = [throwaway("Lurah", KEBON_JERUK), throwaway("Camat", "31.73.05")]
    before = {name: (session_cookie(app, browser(app, name)), *tokens(app, name)) for name in names}
    ids = [fetch_user(sysdb, name).id for name in names]
    last_event = sysdb.scalar(select(AuditEvent.id).order_by(AuditEvent.id.desc()))
    sudin = login("sudin.jakbar")
    r = _bulk_reset(sudin, ids)
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    issued = dict(re.findall(r"<tr><td>([^<]+)</td><td><code>([^<]+)</code></td></tr>", html))
    assert sorted(issued) == sorted(names)
    assert len(set(issued.values())) == 2
    for name in names:
        assert all_ended(app, *before[name]) == ENDED
        assert reads(browser(app, name, issued[name]))
    events = sysdb.execute(select(AuditEvent.record_id, AuditEvent.username).where(
        AuditEvent.id > last_event, AuditEvent.action == "password_reset")).all()
    assert sorted(events) == sorted((str(i), "sudin.jakbar") for i in ids)
    assert not any(p in str(sysdb.scalars(select(AuditEvent.after).where(AuditEvent.id > last_event)).all())
                   for p in issued.values())


@pytest.mark.parametrize("outsider", ["admin", "sudin.jakbar", "sekretaris.lempake"])
def test_the_bulk_reset_refuses_a_user_out_of_reach_and_changes_nobody(app, login, sysdb, throwaway, outsider):
    mine = throwaway()
    password_before = fetch_user(sysdb, mine).password
    outsider_before = fetch_user(sysdb, outsider).password
    sudin = login("sudin.jakbar")
    r = _bulk_reset(sudin, [fetch_user(sysdb, mine).id, fetch_user(sysdb, outsider).id])
    assert r.status_code in (302, 404)
    assert b"<code>" not in r.data
    assert fetch_user(sysdb, mine).password == password_before
    assert fetch_user(sysdb, outsider).password == outsider_before
    assert reads(browser(app, mine))
