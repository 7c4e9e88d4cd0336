"""Web hardening (reliability.md §2–3, fab-notes §2.7): CSRF, login rate limits, the growing delay after failed
logins, no user enumeration, safe redirects, session cookies and idle timeout, security headers, the password policy,
no demo accounts in production.

Each test names the fact a user (or an attacker) sees, and fails if the rule behind it is removed.

Rate limits are tightened per test on the shared app (``AUTH_RATE_LIMIT`` is read at request time) and counted per
client address, so each test uses its own address and the rest of the suite, which logs in from 127.0.0.1 many
times, never meets a limit. A second ``create_app()`` in this process is not an option: the extensions are
module-level singletons, and a second ``appbuilder.init_app`` registers no views on the new app and replaces the
security manager the first app's views use. The production checks therefore run ``create_app("production")`` in a
subprocess.
"""
import itertools
import json
import os
import random
import re
import subprocess
import sys
import time
import uuid
from datetime import datetime, timedelta, timezone
from html.parser import HTMLParser
from unittest import mock

import pytest
from sqlalchemy import func, select

from app.core.scope import system_scope
from app.extensions import appbuilder, db
from app.security.models import KkmpUser
from tests.conftest import DEMO_PASSWORD, csrf_from

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
STRONG = "sawah-hijau-di-tepi-kali"
GOOD_NEW = "perahu kertas berlayar jauh"
FAR_KELURAHAN = "91.71.01.1001"      # Gurabesi, Kota Jayapura: no demo KKMP, used by no other test
FAR_KELURAHAN_2 = "91.71.01.1002"    # Bayangkara, Kota Jayapura

# The Redis database the suite may use for production-configured apps (never flushed by the suite).
TEST_REDIS = os.environ.get("KKMP_TEST_REDIS_URI", "redis://127.0.0.1:6379/2")

_addresses = itertools.count(random.randrange(1, 200) * 256)


def new_address():
    """A client address of its own (TEST-NET-2), so that rate-limit buckets never mix between tests."""
    n = next(_addresses)
    return f"198.51.{(n // 256) % 256}.{n % 256}"


def client_from(app, address=None):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address or new_address()
    return client


def html_login(client, username, password, next_url=None, base_url="http://localhost"):
    page = client.get("/login/", base_url=base_url).get_data(as_text=True)
    url = "/login/" + (f"?next={next_url}" if next_url is not None else "")
    return client.post(url, base_url=base_url,
                       data={"username": username, "password": password, "csrf_token": csrf_from(page)})


def api_login(client, username, password):
    return client.post("/api/v1/security/login",
                       json={"username": username, "password": password, "provider": "db", "refresh": False})


def flashed(client):
    """The messages the next page shows (what the user reads after a refused login)."""
    html = client.get("/login/").get_data(as_text=True)
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>|&times;", "", m)).strip()
            for m in re.findall(r'(?s)<div class="alert[^"]*"[^>]*>(.*?)</div>', html)]


def logged_in(client):
    r = client.get("/koperasi/list/")
    return r.status_code == 200


def answer(r):
    return r.status_code, r.headers.get("Location"), r.get_data()


def fetch_user(sysdb, username):
    sysdb.expire_all()
    return sysdb.scalar(select(KkmpUser).where(KkmpUser.username == username))


@pytest.fixture()
def make_user(app, sysdb):
    """Throwaway users (a Lurah of Kebon Jeruk) created through the security manager, deleted afterwards."""
    created = []

    def _make(password=STRONG, prefix="uji"):
        username = f"{prefix}.{uuid.uuid4().hex[:10]}"
        with app.app_context(), system_scope():
            sm = appbuilder.sm
            user = sm.add_user(username, "Uji", "Keamanan", f"{username}@contoh.invalid", [sm.find_role("Lurah")],
                               password=password)
            assert user, "could not create the throwaway user"
            user.scope_region_code = "31.73.05.1001"
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
        except Exception:  # referenced by rows other features wrote: leave it, but never locked or usable
            sysdb.rollback()
            user = sysdb.get(KkmpUser, user_id)
            user.active, user.locked_until, user.fail_login_count = False, None, 0
            sysdb.commit()


# -- 1. CSRF on every form, no state change over GET ------------------------------------------------------------

def test_a_form_post_without_csrf_token_is_refused_with_400_and_writes_nothing(app, login, sysdb):
    from app.cooperatives.models import Cooperative

    s = login("admin")
    r = s.client.post("/koperasi/add", data={"region_code": FAR_KELURAHAN, "musyawarah_date": "2025-05-31",
                                             "musyawarah_ba_number": "BA/CSRF/2025"})
    assert r.status_code == 400
    assert sysdb.scalar(select(func.count()).select_from(Cooperative).where(
        Cooperative.region_code == FAR_KELURAHAN)) == 0

    anonymous = client_from(app)
    r = anonymous.post("/login/", data={"username": "admin", "password": DEMO_PASSWORD})
    assert r.status_code == 400
    assert not logged_in(anonymous)


def test_a_right_given_to_the_public_role_in_the_role_screen_opens_nothing_to_anonymous_visitors(app):
    """The Public role is declared in code with no rights: a row an Admin (or an attacker with the role screen)
    adds to it does not let an anonymous visitor read the member API or the member list."""
    with app.app_context(), system_scope():
        sm = appbuilder.sm
        public = sm.find_role(app.config["AUTH_ROLE_PUBLIC"])
        granted = [sm.find_permission_view_menu(p, "Member") for p in ("can_get", "can_list")]
        assert all(granted)
        for pv in granted:
            sm.add_permission_role(public, pv)
        db.session.commit()
    try:
        anonymous = client_from(app)
        r = anonymous.get("/api/v1/member/")
        assert r.status_code == 401
        assert b"nik" not in r.get_data().lower()
        r = anonymous.get("/anggota/list/")
        assert r.status_code == 302 and "/login/" in r.headers["Location"]
    finally:
        with app.app_context(), system_scope():
            public = appbuilder.sm.find_role(app.config["AUTH_ROLE_PUBLIC"])
            for pv in [appbuilder.sm.find_permission_view_menu(p, "Member") for p in ("can_get", "can_list")]:
                appbuilder.sm.del_permission_role(public, pv)
            db.session.commit()


def test_a_get_on_a_delete_link_deletes_nothing(app, login, sysdb):
    from app.cooperatives.models import Cooperative
    from app.cooperatives.services import create_cooperative

    assert app.config["FAB_ALLOW_GET_UNSAFE_MUTATIONS"] is False and "csrf" in app.extensions
    coop = sysdb.scalar(select(Cooperative).where(Cooperative.region_code == FAR_KELURAHAN_2))
    if coop is None:
        coop = create_cooperative(FAR_KELURAHAN_2, session=sysdb, musyawarah_date=datetime(2025, 5, 31).date(),
                                  musyawarah_ba_number="BA/GET/2025")
        sysdb.commit()
    coop_id = coop.id
    try:
        s = login("admin")
        r = s.get(f"/koperasi/delete/{coop_id}")
        assert r.status_code in (302, 303)
        sysdb.expire_all()
        assert sysdb.get(Cooperative, coop_id) is not None
    finally:
        try:  # a throwaway in a far-away kelurahan; left in place if other features' rows now refer to it
            sysdb.expire_all()
            leftover = sysdb.get(Cooperative, coop_id)
            if leftover is not None:
                sysdb.delete(leftover)
                sysdb.commit()
        except Exception:
            sysdb.rollback()


# -- 2. Login rate limits ------------------------------------------------------------------------------------------

def test_the_login_form_answers_429_once_an_address_exceeds_the_limit(app, monkeypatch):
    monkeypatch.setitem(app.config, "AUTH_RATE_LIMIT", "3 per minute")
    attacker = client_from(app)
    statuses = [html_login(attacker, "tidak.ada", "tebakan-ke-sekian").status_code for _ in range(4)]
    assert statuses == [302, 302, 302, 429]
    # Refused before the password is even looked at: the right one gets 429 too.
    assert html_login(attacker, "admin", DEMO_PASSWORD).status_code == 429
    # Another address (another office) still gets the normal answer.
    assert html_login(client_from(app), "tidak.ada", "tebakan-ke-sekian").status_code == 302


def test_the_api_login_answers_429_once_an_address_exceeds_the_limit(app, monkeypatch):
    monkeypatch.setitem(app.config, "AUTH_RATE_LIMIT", "3 per minute")
    attacker = client_from(app)
    statuses = [api_login(attacker, "tidak.ada", "tebakan-ke-sekian").status_code for _ in range(4)]
    assert statuses == [401, 401, 401, 429]
    assert api_login(attacker, "admin", DEMO_PASSWORD).status_code == 429
    assert "message" in attacker.post("/api/v1/security/login", json={}).get_json()
    # Token refresh is not a login attempt and is not counted.
    assert attacker.post("/api/v1/security/refresh").status_code == 401
    assert api_login(client_from(app), "tidak.ada", "tebakan-ke-sekian").status_code == 401


def test_one_username_tried_from_many_addresses_meets_the_per_username_limit(app, monkeypatch):
    """Password spraying from many addresses (or a proxy that forwards any X-Forwarded-For): the per-address limit
    never triggers, the per-username one does, for a name that exists or not (so it tells nothing)."""
    monkeypatch.setitem(app.config, "AUTH_USERNAME_RATE_LIMIT", "3 per minute")
    target = f"sasaran.{uuid.uuid4().hex[:8]}"
    statuses = [html_login(client_from(app), name, "tebakan-ke-sekian").status_code
                for name in (target, target.upper(), f" {target} ", target)]
    assert statuses == [302, 302, 302, 429]
    assert api_login(client_from(app), "tidak.ada", "tebakan-ke-sekian").status_code == 401
    api_target = f"sasaran.api.{uuid.uuid4().hex[:8]}"
    statuses = [api_login(client_from(app), api_target, "tebakan-ke-sekian").status_code for _ in range(4)]
    assert statuses == [401, 401, 401, 429]
    # Another username from a fresh address still gets the normal answer.
    assert html_login(client_from(app), f"lain.{uuid.uuid4().hex[:8]}", "tebakan-ke-sekian").status_code == 302


WORKER_PROBE = """
import json, sys
from app import create_app
app = create_app("production")
app.config["AUTH_USERNAME_RATE_LIMIT"] = "5 per minute"
out = []
for n in range(4):
    c = app.test_client()
    c.environ_base["REMOTE_ADDR"] = f"203.0.113.{int(sys.argv[2]) * 10 + n}"
    r = c.post("/api/v1/security/login", base_url="https://koperasi.example.go.id",
               json={"username": sys.argv[1], "password": "tebakan-ke-sekian", "provider": "db"})
    out.append(r.status_code)
print(json.dumps(out))
"""


def test_two_production_workers_share_one_login_count(app):
    """Four gunicorn workers once let 68 guesses through a limit of 10: each counted alone. Two worker processes
    against the production store (Redis) now count together."""
    target = f"sasaran.worker.{uuid.uuid4().hex[:8]}"
    env = {"DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"], "KKMP_ALLOWED_HOSTS": "koperasi.example.go.id",
           "KKMP_RATELIMIT_STORAGE_URI": TEST_REDIS}
    first = _production(env, WORKER_PROBE, target, "1")
    second = _production(env, WORKER_PROBE, target, "2")
    assert first == [401, 401, 401, 401]
    assert second == [401, 429, 429, 429]


def test_production_refuses_to_start_with_per_worker_login_counters():
    env = {k: v for k, v in os.environ.items() if not k.startswith("KKMP_")}
    env.update({"KKMP_ENV": "production", "SECRET_KEY": "p" * 48, "DATABASE_URL": "sqlite://",
                "KKMP_RATELIMIT_STORAGE_URI": "memory://"})
    done = subprocess.run([sys.executable, "-c", "from app import create_app; create_app('production')"], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=240)
    assert done.returncode != 0
    assert "ConfigError" in done.stderr and "memory://" in done.stderr and "share" in done.stderr


def test_rate_limits_are_on_and_their_storage_is_configurable(app):
    assert app.config["RATELIMIT_ENABLED"] is True and app.config["AUTH_RATE_LIMITED"] is True
    assert app.config["RATELIMIT_STORAGE_URI"] == "memory://"
    from config import BaseConfig

    assert BaseConfig.AUTH_RATE_LIMIT == "10 per minute"


# -- 3. Growing delay after failed logins (no hard lockout) ----------------------------------------------------------

class Clock:
    """The security manager's clock, moved by hand (naive UTC, like ``locked_until``)."""

    def __init__(self):
        self.now = datetime.now(timezone.utc).replace(tzinfo=None)

    def __call__(self):
        return self.now

    def wait(self, seconds):
        self.now += timedelta(seconds=seconds)


@pytest.fixture()
def clock(monkeypatch):
    import app.security.manager as manager

    c = Clock()
    monkeypatch.setattr(manager, "utcnow", c)
    return c


def test_five_failures_no_longer_lock_an_account_for_fifteen_minutes(app, make_user, clock):
    """Anyone could shut `admin` out with five requests; now the owner waits seconds, not a quarter of an hour."""
    username = make_user()
    attacker = client_from(app)
    for _ in range(5):
        html_login(attacker, username, "salah-sandi-sekali")
    clock.wait(3)
    owner = client_from(app)
    html_login(owner, username, STRONG)
    assert logged_in(owner)


def test_after_five_failures_each_further_one_doubles_the_wait_and_the_right_password_is_refused_meanwhile(
        app, make_user, sysdb, clock):
    username = make_user()
    assert (app.config["KKMP_LOGIN_FREE_FAILURES"], app.config["KKMP_LOGIN_DELAY_MAX_SECONDS"]) == (5, 900)
    attacker = client_from(app)
    for _ in range(4):
        html_login(attacker, username, "salah-sandi-sekali")
    assert fetch_user(sysdb, username).locked_until is None  # four failures cost nothing
    waits = []
    for _ in range(5):
        wrong = html_login(attacker, username, "salah-sandi-sekali")
        user = fetch_user(sysdb, username)
        waits.append(round((user.locked_until - clock.now).total_seconds()))
        wrong_answer, wrong_message = answer(wrong), flashed(attacker)
        # During the wait the right password gets exactly the wrong password's answer, and is not counted.
        right = html_login(client_from(app), username, STRONG)
        assert answer(right) == wrong_answer
        assert fetch_user(sysdb, username).fail_login_count == user.fail_login_count
        r = api_login(client_from(app), username, STRONG)
        assert (r.status_code, r.get_json()) == (401, api_login(attacker, username, "salah-sandi-sekali").get_json())
        clock.wait(waits[-1] + 1)
    assert waits == [2, 4, 8, 16, 32]
    assert wrong_message != []


def test_the_wait_is_capped_and_the_owner_gets_in_once_it_is_over_which_resets_the_count(app, make_user, sysdb, clock):
    username = make_user()
    attacker = client_from(app)
    for _ in range(20):
        html_login(attacker, username, "salah-sandi-sekali")
        clock.wait(901)
    user = fetch_user(sysdb, username)
    assert user.fail_login_count == 20
    assert (user.locked_until - (clock.now - timedelta(seconds=901))).total_seconds() == pytest.approx(900, abs=2)
    owner = client_from(app)
    html_login(owner, username, STRONG)
    assert logged_in(owner)
    user = fetch_user(sysdb, username)
    assert (user.fail_login_count, user.locked_until) == (0, None)


def test_every_refusal_by_a_login_limit_is_announced_for_the_security_log(app, make_user, clock, monkeypatch):
    from app.security.hardening import login_throttled

    heard = []

    def listener(sender, reason, username):
        heard.append((reason, username))

    login_throttled.connect(listener, app)
    try:
        username = make_user()
        attacker = client_from(app)
        for _ in range(5):
            html_login(attacker, username, "salah-sandi-sekali")
        html_login(client_from(app), username, STRONG)  # during the wait
        monkeypatch.setitem(app.config, "AUTH_USERNAME_RATE_LIMIT", "1 per minute")
        target = f"sasaran.{uuid.uuid4().hex[:8]}"
        for _ in range(2):
            api_login(client_from(app), target, "tebakan-ke-sekian")
    finally:
        login_throttled.disconnect(listener, app)
    assert heard == [("account_delay", username), ("username", None)]


def test_only_consecutive_failures_count_towards_the_wait(app, make_user, sysdb):
    username = make_user()
    client = client_from(app)
    for _ in range(4):
        html_login(client, username, "salah-sandi-sekali")
    assert html_login(client_from(app), username, STRONG).status_code == 302
    for _ in range(4):
        html_login(client, username, "salah-sandi-sekali")
    user = fetch_user(sysdb, username)
    assert (user.fail_login_count, user.locked_until) == (4, None)
    fresh = client_from(app)
    html_login(fresh, username, STRONG)
    assert logged_in(fresh)


def test_an_admin_password_reset_lifts_the_wait(app, make_user, sysdb, login):
    username = make_user()
    client = client_from(app)
    for _ in range(8):
        html_login(client, username, "salah-sandi-sekali")
    user_id = fetch_user(sysdb, username).id
    s = login("admin")
    r = s.post(f"/resetpassword/form?pk={user_id}", {"password": GOOD_NEW, "conf_password": GOOD_NEW})
    assert r.status_code == 302
    user = fetch_user(sysdb, username)
    assert (user.fail_login_count, user.locked_until) == (0, None)
    fresh = client_from(app)
    html_login(fresh, username, GOOD_NEW)
    assert logged_in(fresh)


# -- 4. No user enumeration ----------------------------------------------------------------------------------------

def test_unknown_user_and_wrong_password_get_the_same_answer_on_the_login_form(app, make_user):
    username = make_user()
    a, b = client_from(app), client_from(app)
    unknown = html_login(a, f"tidak.ada.{uuid.uuid4().hex[:8]}", "salah-sandi-sekali")
    wrong = html_login(b, username, "salah-sandi-sekali")
    assert unknown.status_code == 302
    assert answer(unknown) == answer(wrong)
    assert flashed(a) == flashed(b) != []


def test_unknown_user_and_wrong_password_get_the_same_answer_on_the_api(app, make_user):
    username = make_user()
    client = client_from(app)
    unknown = api_login(client, f"tidak.ada.{uuid.uuid4().hex[:8]}", "salah-sandi-sekali")
    wrong = api_login(client, username, "salah-sandi-sekali")
    assert (unknown.status_code, unknown.get_json()) == (wrong.status_code, wrong.get_json())
    assert unknown.status_code == 401


# -- 5. Safe redirects ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("target", [
    "https://evil.example/phish", "//evil.example/phish", "///evil.example", "/%5Cevil.example/phish",
    "%5C%5Cevil.example", "http://localhost:80@evil.example/", "http://localhost%5C@evil.example/",
    "%20//evil.example", "javascript:alert(1)"])
def test_login_never_redirects_to_another_site(app, make_user, target):
    username = make_user()
    r = html_login(client_from(app), username, STRONG, next_url=target)
    assert r.status_code == 302
    assert r.headers["Location"] == "/"


def test_login_never_redirects_to_the_host_an_attacker_put_in_the_host_header(app, make_user):
    """FAB trusts the request's Host when FAB_SAFE_REDIRECT_HOSTS is empty (CVE-2025-32962)."""
    assert "evil.example" not in app.config["FAB_SAFE_REDIRECT_HOSTS"]
    username = make_user()
    client = client_from(app)
    r = html_login(client, username, STRONG, next_url="http://evil.example/phish", base_url="http://evil.example")
    assert r.status_code == 302
    assert r.headers["Location"] == "/"
    # Already logged in: /login/?next= redirects at once, through the same check.
    r = client.get("/login/?next=http://evil.example/phish", base_url="http://evil.example")
    assert r.headers["Location"] == "/"


def test_login_still_returns_to_the_page_asked_for_on_this_site(app, make_user):
    username = make_user()
    assert html_login(client_from(app), username, STRONG, "/koperasi/list/").headers["Location"] == "/koperasi/list/"
    r = html_login(client_from(app), username, STRONG, "http://localhost/koperasi/list/")
    assert r.headers["Location"] == "http://localhost/koperasi/list/"


# -- 6. Session cookies and idle timeout -----------------------------------------------------------------------------

def test_the_session_cookie_is_httponly_and_samesite_lax_and_not_secure_over_http_in_development(app):
    r = client_from(app).get("/login/")
    cookie = next(c for c in r.headers.getlist("Set-Cookie") if c.startswith(app.config["SESSION_COOKIE_NAME"] + "="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie


def _age_session_cookie(app, client, minutes):
    """Re-sign the client's session cookie as if its last request had been ``minutes`` ago."""
    name = app.config["SESSION_COOKIE_NAME"]
    serializer = app.session_interface.get_signing_serializer(app)
    data = serializer.loads(client.get_cookie(name).value)
    with mock.patch("itsdangerous.timed.TimestampSigner.get_timestamp", return_value=int(time.time() - minutes * 60)):
        client.set_cookie(name, serializer.dumps(data))


def test_an_idle_session_is_logged_out_after_30_minutes_while_activity_keeps_it_alive(app, make_user):
    assert app.config["PERMANENT_SESSION_LIFETIME"] == timedelta(minutes=30)
    username = make_user()
    client = client_from(app)
    r = html_login(client, username, STRONG)
    assert "Expires=" in r.headers["Set-Cookie"]  # a permanent session, not a browser-session cookie
    # Active every 20 minutes for 40 minutes: still logged in, the cookie renewed on each request.
    for _ in range(2):
        _age_session_cookie(app, client, 20)
        r = client.get("/koperasi/list/")
        assert r.status_code == 200
        assert any(c.startswith(app.config["SESSION_COOKIE_NAME"] + "=") for c in r.headers.getlist("Set-Cookie"))
    # Then 31 minutes without a request: logged out, whatever cookie the browser kept.
    _age_session_cookie(app, client, 31)
    r = client.get("/koperasi/list/")
    assert r.status_code == 302 and "/login/" in r.headers["Location"]


def test_a_login_ends_after_twelve_hours_however_active_the_session(app, make_user):
    from app.security.hardening import LOGIN_AT

    assert app.config["KKMP_SESSION_MAX_AGE"] == timedelta(hours=12)
    client = client_from(app)
    html_login(client, make_user(), STRONG)
    with client.session_transaction() as s:
        assert time.time() - s[LOGIN_AT] < 60
        s[LOGIN_AT] = int(time.time() - 11 * 3600)  # signed in 11 hours ago, active since
    assert client.get("/koperasi/list/").status_code == 200
    with client.session_transaction() as s:
        s[LOGIN_AT] = int(time.time() - 12 * 3600 - 60)
    r = client.get("/koperasi/list/")
    assert r.status_code == 302 and "/login/" in r.headers["Location"]
    assert client.get("/koperasi/list/").status_code == 302  # the session is gone, not only this request


def test_production_answers_only_the_allowed_host_names():
    out = _production({"KKMP_ALLOWED_HOSTS": "koperasi.example.go.id", "DATABASE_URL": "sqlite://",
                       "KKMP_RATELIMIT_STORAGE_URI": TEST_REDIS}, """
import json
from app import create_app
app = create_app("production")
c = app.test_client()
print(json.dumps([c.get("/login/", base_url="https://koperasi.example.go.id").status_code,
                  c.get("/login/", base_url="https://evil.example").status_code]))
""")
    assert out[0] != 400 and out[1] == 400


def _production(env_extra=None, script="", *args):
    env = {k: v for k, v in os.environ.items() if not k.startswith("KKMP_")}
    env.update({"KKMP_ENV": "production", "SECRET_KEY": "p" * 48, **(env_extra or {})})
    done = subprocess.run([sys.executable, "-c", script, *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=240)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


PRODUCTION_PROBE = """
import json
from app import create_app
from flask_appbuilder.utils.base import is_safe_redirect_url
app = create_app("production")
client = app.test_client()
out = {}
r = client.get("/login/", base_url="https://koperasi.example.go.id")
out["https"] = [r.status_code, r.headers.getlist("Set-Cookie"), r.headers.get("Strict-Transport-Security")]
r = client.get("/login/", base_url="http://koperasi.example.go.id")
out["http"] = [r.status_code, r.headers.get("Location")]
with app.test_request_context("/login/", base_url="https://evil.example"):
    out["redirects"] = {u: is_safe_redirect_url(u) for u in ["https://koperasi.example.go.id/koperasi/list/",
                        "https://evil.example/", "/koperasi/list/"]}
result = app.test_cli_runner().invoke(args=["kkmp", "seed-demo"])
out["seed_demo"] = [result.exit_code, result.output]
out["config"] = {k: app.config[k] for k in ["RATELIMIT_STORAGE_URI", "FAB_SAFE_REDIRECT_HOSTS", "DEMO_USERS_ALLOWED",
                                           "SESSION_COOKIE_SECURE", "AUTH_RATE_LIMIT"]}
print(json.dumps(out))
"""


def test_production_serves_secure_cookies_hsts_and_https_only_and_refuses_demo_accounts(app):
    out = _production({"DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
                       "KKMP_ALLOWED_HOSTS": "koperasi.example.go.id",
                       "KKMP_RATELIMIT_STORAGE_URI": TEST_REDIS}, PRODUCTION_PROBE)
    status, cookies, hsts = out["https"]
    assert status == 200
    session_cookie = next(c for c in cookies if c.startswith("__Host-kkmp_session="))
    for flag in ("Secure", "HttpOnly", "SameSite=Lax", "Path=/"):
        assert flag in session_cookie
    assert "Domain=" not in session_cookie
    assert hsts and hsts.startswith("max-age=31536000")
    assert out["http"][0] in (301, 302) and out["http"][1].startswith("https://")
    assert out["redirects"] == {"https://koperasi.example.go.id/koperasi/list/": True, "https://evil.example/": False,
                                "/koperasi/list/": True}
    assert out["seed_demo"][0] != 0 and "only for development" in out["seed_demo"][1]
    assert out["config"]["DEMO_USERS_ALLOWED"] is False and out["config"]["SESSION_COOKIE_SECURE"] is True
    assert out["config"]["FAB_SAFE_REDIRECT_HOSTS"] == ["koperasi.example.go.id"]
    assert out["config"]["AUTH_RATE_LIMIT"] == "10 per minute"


def test_production_keeps_rate_limit_counters_in_redis_by_default():
    out = _production({}, "import json, config; c = config.ProductionConfig; print(json.dumps("
                          "[c.RATELIMIT_STORAGE_URI, c.FAB_SAFE_REDIRECT_HOSTS, c.KKMP_FORCE_HTTPS]))")
    assert out == ["redis://127.0.0.1:6379/0", ["localhost"], True]
    out = _production({"KKMP_RATELIMIT_STORAGE_URI": "redis://cache:6379/3", "KKMP_ALLOWED_HOSTS": "a.go.id, b.go.id"},
                      "import json, config; c = config.ProductionConfig; print(json.dumps("
                      "[c.RATELIMIT_STORAGE_URI, c.FAB_SAFE_REDIRECT_HOSTS]))")
    assert out == ["redis://cache:6379/3", ["a.go.id", "b.go.id"]]


# -- 7. Security headers, script nonces, no-store --------------------------------------------------------------------

class _Scripts(HTMLParser):
    def __init__(self):
        super().__init__()
        self.scripts, self.handlers, self.js_urls = [], [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script":
            self.scripts.append(attrs)
        self.handlers += [f"<{tag} {k}>" for k in attrs if k.startswith("on")]
        self.js_urls += [f"<{tag} {k}>" for k, v in attrs.items() if (v or "").strip().lower().startswith("javascript:")]


def _check_page(r):
    assert r.status_code == 200
    h = r.headers
    csp = h["Content-Security-Policy"]
    directives = {d.split()[0]: d.split()[1:] for d in csp.split("; ")}
    assert directives["default-src"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["img-src"] == ["'self'", "data:"]
    assert "'unsafe-inline'" not in directives["script-src"] and "'unsafe-eval'" not in directives["script-src"]
    nonce = re.search(r"'nonce-([^']+)'", " ".join(directives["script-src"])).group(1)
    assert h["X-Frame-Options"] == "DENY"
    assert h["X-Content-Type-Options"] == "nosniff"
    assert h["Referrer-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in h  # http in development: no HSTS, no redirect
    parser = _Scripts()
    parser.feed(r.get_data(as_text=True))
    assert parser.scripts, "FAB pages load scripts"
    assert all(s.get("nonce") == nonce for s in parser.scripts), [s for s in parser.scripts if s.get("nonce") != nonce]
    assert parser.handlers == [] and parser.js_urls == []
    assert "no-store" in h["Cache-Control"]
    return nonce


def test_pages_send_security_headers_and_every_script_carries_the_csp_nonce(app, login, sysdb):
    from app.cooperatives.models import Cooperative

    n1 = _check_page(client_from(app).get("/login/"))
    s = login("admin")
    n2 = _check_page(s.get("/koperasi/list/"))
    coop_id = sysdb.scalar(select(Cooperative.id).where(Cooperative.region_code == "31.73.05.1001"))
    n3 = _check_page(s.get(f"/koperasi/show/{coop_id}"))
    assert len({n1, n2, n3}) == 3  # a fresh nonce per response


def test_pages_of_a_logged_in_user_are_never_stored_but_static_files_stay_cacheable(app, login):
    s = login("admin")
    assert s.get("/").headers["Cache-Control"] == "no-store"
    assert s.get("/koperasi/list/").headers["Cache-Control"] == "no-store"
    static = s.get("/static/appbuilder/js/ab.js")
    assert static.status_code == 200 and "no-store" not in (static.headers.get("Cache-Control") or "")
    token = s.client.post("/api/v1/security/login", json={"username": "admin", "password": DEMO_PASSWORD,
                                                           "provider": "db"}).get_json()["access_token"]
    r = client_from(app).get("/api/v1/cooperative/", headers={"Authorization": f"Bearer {token}"})
    assert r.headers["Cache-Control"] == "no-store"


# -- 8. Password policy ----------------------------------------------------------------------------------------------

def test_password_policy_wants_length_and_uncommon_words_and_no_composition(app):
    from app.security.passwords import PasswordPolicyError, check_password, common_passwords

    assert len(common_passwords()) >= 1000 and "password1234" in common_passwords()
    with app.app_context():
        assert app.config["KKMP_PASSWORD_MIN_LENGTH"] == 10
        check_password(DEMO_PASSWORD, "admin")                    # the demo password stays acceptable
        check_password("kebun sayur di belakang balai", "lurah.x")  # lower case only, no digits: fine
        refused = {
            "too short": ("pendek-12", None),
            "common": ("password1234", None),
            "common, other case": ("QwertyUIOP", None),
            "indonesian common": ("bismillah123", None),
            "app words": ("koperasi2026!", None),
            "merah putih": ("Merah Putih 1945", None),
            "username": ("budisantoso2026", "budi.santoso"),
            "repetitive": ("abababababab", None),
        }
        accepted = []
        for why, (password, username) in refused.items():
            try:
                check_password(password, username)
                accepted.append(why)
            except PasswordPolicyError:
                pass
        assert accepted == []
        with app.test_request_context("/?_l_=en"):
            with pytest.raises(PasswordPolicyError, match="at least 10 characters"):
                check_password("pendek")


def test_our_code_cannot_create_a_user_with_a_weak_password(app, sysdb):
    from app.security.passwords import PasswordPolicyError

    username = f"uji.lemah.{uuid.uuid4().hex[:8]}"
    with app.app_context(), system_scope():
        with pytest.raises(PasswordPolicyError):
            appbuilder.sm.add_user(username, "Uji", "Lemah", f"{username}@contoh.invalid",
                                   [appbuilder.sm.find_role("Lurah")], password="koperasi123")
        db.session.rollback()
        db.session.remove()
    assert fetch_user(sysdb, username) is None


def _form_errors(html):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.mark.parametrize("password,message", [
    ("pendek-12", "at least 10 characters"),
    ("qwertyuiop", "list of common passwords"),
    ("merahputih2026", "name of the application"),
])
def test_the_admin_reset_password_form_refuses_a_weak_password_with_a_message_and_keeps_the_old_one(
        app, login, make_user, sysdb, password, message):
    username = make_user()
    before = fetch_user(sysdb, username).password
    s = login("admin")
    s.get("/lang/en")
    user_id = fetch_user(sysdb, username).id
    r = s.post(f"/resetpassword/form?pk={user_id}", {"password": password, "conf_password": password})
    assert r.status_code == 200
    assert message in _form_errors(r.get_data(as_text=True))
    assert fetch_user(sysdb, username).password == before


def test_the_user_add_form_refuses_a_password_built_from_the_username_and_creates_nobody(app, login, sysdb):
    from flask_appbuilder.security.sqla.models import Role

    username = f"teguh.{uuid.uuid4().hex[:8]}"
    password = username.replace(".", "") + "!"
    s = login("admin")
    s.get("/lang/en")
    data = {"first_name": "Teguh", "last_name": "Uji", "username": username, "active": "y",
            "email": f"{username}@contoh.invalid", "roles": str(sysdb.scalar(select(Role.id).where(Role.name == "Lurah"))),
            "scope_code": "31.73.05.1001", "password": password, "conf_password": password}
    r = s.post("/users/add", data)
    assert r.status_code == 200
    assert "name of the application, the cooperative or the user" in _form_errors(r.get_data(as_text=True))
    assert fetch_user(sysdb, username) is None


# -- 9. No default accounts outside development -----------------------------------------------------------------------

def test_production_config_allows_no_demo_accounts(monkeypatch):
    from config import config_for

    monkeypatch.setenv("SECRET_KEY", "k" * 40)
    monkeypatch.setenv("DATABASE_URL", "postgresql://u@h/db")
    assert config_for("production").DEMO_USERS_ALLOWED is False
    assert config_for("production").__dict__.get("DEMO_PASSWORD") is None


def test_seed_demo_refuses_where_demo_accounts_are_not_allowed_and_writes_nothing(app, monkeypatch, sysdb):
    monkeypatch.setitem(app.config, "DEMO_USERS_ALLOWED", False)
    before = sysdb.scalar(select(func.count()).select_from(KkmpUser))
    result = app.test_cli_runner().invoke(args=["kkmp", "seed-demo", "--force"])
    assert result.exit_code != 0
    assert "only for development" in result.output
    assert sysdb.scalar(select(func.count()).select_from(KkmpUser)) == before
