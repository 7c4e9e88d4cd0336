"""Fixtures: one database per test session (SQLite file, or the PostgreSQL in $DATABASE_URL), built the way
production builds it: Alembic migrations, `kkmp init`, the full region list and the demo data.

Never wrap test-client calls in `app.app_context()`: Flask would reuse that context, and with it the session,
the identity map and the cached login of another user (scope-notes.md G5/c).
"""
import contextlib
import os
import re
import shutil
import sys
import types

import pytest
from sqlalchemy import text

os.environ.setdefault("KKMP_ENV", "test")
# Each test session its own job queue and result folder: CI runs the SQLite and the PostgreSQL suites at the same
# time, and both number their jobs from 1, so a shared instance/jobs would mix their result files and a consumer
# started by one suite would take the other's tasks.
if not os.environ.get("KKMP_JOBS_DIR"):
    import tempfile

    _jobs_tmp = tempfile.mkdtemp(prefix="kkmp-test-jobs-")
    os.environ["KKMP_JOBS_DIR"] = os.path.join(_jobs_tmp, "jobs")
    os.environ.setdefault("KKMP_JOBS_SQLITE", os.path.join(_jobs_tmp, "jobs-queue.sqlite"))

from app import create_app  # noqa: E402
from app.core.scope import system_scope  # noqa: E402
from app.extensions import db  # noqa: E402

DEMO_PASSWORD = "demo-kkmp-2026"


def _reset_database(app):
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if url.startswith("sqlite:///"):
        path = url[len("sqlite:///"):]
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(path + suffix):
                os.remove(path + suffix)
    else:
        with db.engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))


def _sqlite_path(app):
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    return url[len("sqlite:///"):] if url.startswith("sqlite:///") else None


# The mutation runner's worker calls pytest.main once per mutant in one process (tests/README.md): with
# KKMP_TEST_REUSE_APP=1 the app is created once per process and only its database is renewed per session.
_REUSED = sys.modules.setdefault("kkmp_tests_reused_app", types.ModuleType("kkmp_tests_reused_app"))


def _session_app():
    if os.environ.get("KKMP_TEST_REUSE_APP") != "1":
        return create_app("test")
    if getattr(_REUSED, "app", None) is None:
        _REUSED.app = create_app("test")
    else:
        with _REUSED.app.app_context():
            db.session.remove()
            db.engine.dispose()
    return _REUSED.app


@pytest.fixture(scope="session")
def app():
    app = _session_app()
    # Mutation runs start a test session per mutant: building 91k regions + demo each time would dominate. With
    # KKMP_TEST_DB_TEMPLATE set (SQLite only), the first session saves its freshly built database there and later
    # sessions start from a copy of it (tests/README.md). Unset (the default), every session builds anew.
    template = os.environ.get("KKMP_TEST_DB_TEMPLATE")
    path = _sqlite_path(app)
    if template and path and os.path.exists(template):
        _reset_database(app)
        shutil.copyfile(template, path)
        return app
    with app.app_context():
        from flask_migrate import upgrade

        from app.demo import seed_demo
        from app.regions.services import load_regions
        from app.security.services import sync_roles_and_permissions

        _reset_database(app)
        db.engine.dispose()
        upgrade()
        with system_scope():
            sync_roles_and_permissions()
            load_regions(app.config["REGIONS_CSV"])
            seed_demo()
        db.session.remove()
        if template and path:
            with db.engine.connect() as conn:
                conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            db.engine.dispose()
            shutil.copyfile(path, template + ".part")
            os.replace(template + ".part", template)
    return app


@pytest.fixture()
def small_import_threshold(app, monkeypatch):
    """Imports of more than 2 rows go to a job (the job tests' small files)."""
    monkeypatch.setitem(app.config, "KKMP_IMPORT_JOB_ROWS", 2)


@pytest.fixture()
def client(app):
    return app.test_client()


def csrf_from(html):
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or re.search(
        r'id="csrf_token"[^>]*value="([^"]+)"', html) or re.search(r'name="csrf-token" content="([^"]+)"', html)
    return match.group(1) if match else None


class Session:
    """A logged-in browser session through the real app (CSRF on, like production)."""

    def __init__(self, app, username, password=DEMO_PASSWORD):
        self.app = app
        self.client = app.test_client()
        self.username = username
        if username:
            page = self.client.get("/login/").get_data(as_text=True)
            r = self.client.post("/login/", data={"username": username, "password": password,
                                                  "csrf_token": csrf_from(page)})
            assert r.status_code == 302 and "/login" not in r.headers.get("Location", ""), f"login failed: {username}"

    def get(self, url, **kw):
        return self.client.get(url, **kw)

    def token(self, url="/"):
        html = self.client.get(url).get_data(as_text=True)
        return csrf_from(html)

    def hidden_fields(self, url):
        html = self.client.get(url).get_data(as_text=True)
        fields = {}
        for tag in re.findall(r"<input[^>]*>", html):
            if 'type="hidden"' in tag:
                name = re.search(r'name="([^"]+)"', tag)
                value = re.search(r'value="([^"]*)"', tag)
                if name:
                    fields[name.group(1)] = value.group(1) if value else ""
        if "csrf_token" not in fields and csrf_from(html):
            fields["csrf_token"] = csrf_from(html)
        return fields

    def post(self, url, data=None, form_url=None, **kw):
        """Submit a form like a browser: hidden fields (CSRF token, record version) come from the form page."""
        data = dict(data or {})
        for name, value in self.hidden_fields(form_url or url).items():
            data.setdefault(name, value)
        return self.client.post(url, data=data, **kw)


@pytest.fixture()
def login(app):
    def _login(username, password=DEMO_PASSWORD):
        return Session(app, username, password)
    return _login


@pytest.fixture()
def sysdb(app):
    """Direct database access for arranging and checking rows.

    A plain Session on the engine: the scope and audit listeners live on the app's session only, so this one
    sees everything, and (unlike a `system_scope()` held open here) it does not widen the requests under test.
    """
    from sqlalchemy.orm import Session as OrmSession

    with app.app_context():
        session = OrmSession(db.engine)
    try:
        yield session
    finally:
        session.rollback()
        session.close()


@contextlib.contextmanager
def acting_as(app, username, **changes):
    """db.session as ``username`` would have it in a request (logged in, ``g.user`` set as FAB's before_request
    does); ``changes`` alter the user for this block only (rolled back with the rest)."""
    from flask import g
    from flask_login import login_user

    from app.core.scope import reset_cached_scope

    with app.test_request_context("/"):
        user = app.appbuilder.sm.find_user(username=username)
        login_user(user)
        g.user = user
        # After the login: an account deactivated while its session runs must lose its scope at once.
        for name, value in changes.items():
            setattr(user, name, value)
        reset_cached_scope()
        try:
            yield db.session
        finally:
            db.session.rollback()
            db.session.remove()


@contextlib.contextmanager
def sql_statements(app):
    """The SQL statements the app sends inside the block (every connection of its engine), as a list."""
    from sqlalchemy import event

    with app.app_context():
        engine = db.engine
    seen = []

    def record(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def period_hold_cost(app, *, row_exists=True):
    """How many ``ledger_period`` statements one hold of a month costs (services.lock_period_for_posting).
    PostgreSQL reads an existing row under its share lock in one statement, and reads, creates and reads again
    a month not yet opened; SQLite always upserts first (that takes its one write lock) and then reads."""
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            return 2
    return 1 if row_exists else 3


def open_month(session, cooperative_id, day, *, commit=False):
    """The month's period row made to exist, as any earlier posting of the month would have left it, without the
    session remembering a hold of it."""
    from app.ledger.services import _ensure_period_row

    _ensure_period_row(session, cooperative_id, day.year, day.month)
    if commit:
        session.commit()


def api_token(client, username, password=DEMO_PASSWORD):
    r = client.post("/api/v1/security/login", json={"username": username, "password": password,
                                                    "provider": "db", "refresh": False})
    assert r.status_code == 200, r.get_data(as_text=True)
    return {"Authorization": "Bearer " + r.json["access_token"]}


@pytest.fixture()
def english_messages(app, monkeypatch):
    """For tests that read messages by their English msgid; the product's default stays Bahasa Indonesia."""
    monkeypatch.setitem(app.config, "BABEL_DEFAULT_LOCALE", "en")
    monkeypatch.setattr(app.extensions["babel"], "default_locale", "en")
