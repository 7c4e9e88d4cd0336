"""Configuration classes for the KKMP back-office.

Pick one with ``KKMP_ENV`` (``development`` (default), ``test``, ``production``); every value that differs
between machines comes from the environment, never from this file.
"""
import os
from datetime import timedelta

from flask_appbuilder.const import AUTH_DB

BASE_DIR = os.path.abspath(os.path.dirname(__file__))
INSTANCE_DIR = os.path.join(BASE_DIR, "instance")


class ConfigError(RuntimeError):
    """The configuration cannot run safely (raised at start-up, before serving anything)."""


def _sqlite_default():
    return "sqlite:///" + os.path.join(INSTANCE_DIR, "kkmp.sqlite")


def _flag(name, default=False):
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in ("1", "true", "yes", "on")


def _database_url(default):
    url = os.environ.get("DATABASE_URL", default)
    # Heroku-style URLs say postgres://, which SQLAlchemy 2 no longer accepts.
    if url and url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    return url


class BaseConfig:
    APP_NAME = "KKMP Back-office"
    APP_ICON = "/static/img/kkmp-logo.svg"
    APP_THEME = ""

    SECRET_KEY = os.environ.get("SECRET_KEY")
    SQLALCHEMY_DATABASE_URI = _database_url(_sqlite_default())
    SQLALCHEMY_TRACK_MODIFICATIONS = False
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}

    # Alembic owns the schema; roles and permissions are synced by `flask kkmp init`, never at worker boot
    # (several gunicorn workers syncing at once race on ab_permission_view).
    FAB_CREATE_DB = False
    FAB_UPDATE_PERMS = False
    FAB_SECURITY_MANAGER_CLASS = "app.security.manager.KkmpSecurityManager"
    FAB_ADD_SECURITY_API = False
    FAB_API_SWAGGER_UI = True
    FAB_API_KEY_ENABLED = False
    FAB_INDEX_VIEW = "app.core.views.HomeView"
    FAB_BASE_TEMPLATE = "kkmp/baselayout.html"
    # Stylesheets, scripts, fonts and pictures are kept by the browser for a day instead of being asked for again
    # on every page (a dozen round trips per page over a kelurahan office's slow line). A release that changes
    # one reaches a browser within the day; pages themselves are never cached this way.
    SEND_FILE_MAX_AGE_DEFAULT = int(os.environ.get("KKMP_STATIC_MAX_AGE", "86400") or 0)

    AUTH_TYPE = AUTH_DB
    AUTH_ROLE_ADMIN = "Admin"
    AUTH_ROLE_PUBLIC = "Public"
    AUTH_USER_REGISTRATION = False
    AUTH_DB_FAKE_PASSWORD_HASH_CHECK = True

    # Languages: Bahasa Indonesia first. The catalogue lives at the top level, so the path must be absolute.
    LANGUAGES = {
        "id": {"flag": "id", "name": "Bahasa Indonesia"},
        "en": {"flag": "gb", "name": "English"},
    }
    BABEL_DEFAULT_LOCALE = "id"
    BABEL_DEFAULT_TIMEZONE = "UTC"
    BABEL_TRANSLATION_DIRECTORIES = os.path.join(BASE_DIR, "translations")

    WTF_CSRF_ENABLED = True
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session, which has its own idle timeout
    FAB_ALLOW_GET_UNSAFE_MUTATIONS = False

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    PERMANENT_SESSION_LIFETIME = timedelta(minutes=30)

    MAX_CONTENT_LENGTH = 5 * 1024 * 1024
    MAX_FORM_MEMORY_SIZE = 500_000
    MAX_FORM_PARTS = 1000

    FAB_API_MAX_PAGE_SIZE = 100
    # Where the Kemendagri region list is read from (shipped with the project, see data/README.md).
    REGIONS_CSV = os.path.join(BASE_DIR, "data", "wilayah_kemendagri_2025.csv")
    # Demo accounts exist only where this is True (development).
    DEMO_USERS_ALLOWED = False

    # -- Big lists (app/core/paging.py, app/core/navbar.py; design.md §4) -----------------------------------------
    # List pages count matching rows only up to a cap and show "lebih dari 10.000" beyond it; a search stops at
    # the smaller cap. The navigation bar is re-rendered at most once a minute per user (0: on every page).
    KKMP_LIST_COUNT_CAP = 10_000
    KKMP_SEARCH_COUNT_CAP = 200
    KKMP_NAVBAR_CACHE_SECONDS = 60

    # -- Hardening (app/security/hardening.py, manager.py, passwords.py; reliability.md §3.2) ------------------
    # Login rate limits: FAB's on the HTML form (AUTH_RATE_LIMITED) and ours on POST /api/v1/security/login, each
    # AUTH_RATE_LIMIT per client address and AUTH_USERNAME_RATE_LIMIT per username tried (from any address).
    # memory:// counts per worker process: production refuses it (KKMP_REQUIRE_SHARED_LIMITER) and uses Redis.
    RATELIMIT_ENABLED = True
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True  # Redis down: keep limiting per process rather than fail logins
    RATELIMIT_HEADERS_ENABLED = True
    AUTH_RATE_LIMITED = True
    AUTH_RATE_LIMIT = "10 per minute"
    AUTH_USERNAME_RATE_LIMIT = "10 per minute"
    KKMP_REQUIRE_SHARED_LIMITER = False
    # Behind N reverse proxies, trust N X-Forwarded-For/-Proto hops (else every client shares the proxy's limit).
    KKMP_PROXY_COUNT = 0
    # Failed logins (no hard lockout): after this many consecutive failures each further one makes the account wait
    # 2, 4, 8 ... seconds, at most KKMP_LOGIN_DELAY_MAX_SECONDS, before a password is evaluated again.
    KKMP_LOGIN_FREE_FAILURES = 5
    KKMP_LOGIN_DELAY_MAX_SECONDS = 900
    # Password policy: length and a common-password list, no composition rules. FAB's forms and user API call
    # app.security.passwords.fab_password_validator (set as FAB_PASSWORD_COMPLEXITY_VALIDATOR by init_hardening).
    FAB_PASSWORD_COMPLEXITY_ENABLED = True
    KKMP_PASSWORD_MIN_LENGTH = 10
    KKMP_PASSWORD_CONTEXT_WORDS = ["koperasi", "merahputih", "kkmp", "kdmp", "kopdes", "kopkel", "kelurahan"]
    # ?next= redirects only to these exact host[:port] names (`make run` serves on 8080). No wildcards: FAB matches
    # them with fnmatch against the whole netloc, so "localhost:*" would accept http://localhost:1@evil.example/.
    # Empty would make FAB trust the request's Host header.
    FAB_SAFE_REDIRECT_HOSTS = ["127.0.0.1", "localhost", "127.0.0.1:8080", "localhost:8080"]
    # Idle timeout: a logged-in session is permanent and renewed on every request, so it ends
    # PERMANENT_SESSION_LIFETIME after the last request.
    SESSION_REFRESH_EACH_REQUEST = True
    # Absolute timeout: a login lasts at most this long, however active (a working day), then sign in again.
    KKMP_SESSION_MAX_AGE = timedelta(hours=12)
    # API tokens: access tokens live 15 minutes; a refresh token no longer than a login (FAB leaves 30 days), and
    # every token carries its login time and session generation (app/security/sessions.py).
    JWT_ACCESS_TOKEN_EXPIRES = timedelta(minutes=15)
    JWT_REFRESH_TOKEN_EXPIRES = KKMP_SESSION_MAX_AGE
    # HTTPS redirect and HSTS (production only, so that `make run` and the tests work over http).
    KKMP_FORCE_HTTPS = False
    KKMP_HSTS_SECONDS = 0


    # -- Background jobs (app/jobs; the Huey queue) ------------------------------------------------------------
    # Redis when KKMP_REDIS_URL (or REDIS_URL) is set, as in production; else Huey's SQLite storage in a file
    # under instance/, so a laptop needs no Redis. The same task code runs on both. Immediate mode runs every
    # job at once inside the caller (the tests).
    KKMP_REDIS_URL = os.environ.get("KKMP_REDIS_URL") or os.environ.get("REDIS_URL") or None
    # The queue's name: two deployments (or a benchmark beside a running app) sharing one Redis keep their jobs
    # apart by it; the web app and its workers must name the same queue.
    KKMP_JOBS_QUEUE = os.environ.get("KKMP_JOBS_QUEUE") or "kkmp"
    KKMP_JOBS_SQLITE = os.environ.get("KKMP_JOBS_SQLITE") or os.path.join(INSTANCE_DIR, "jobs-queue.sqlite")
    KKMP_JOBS_IMMEDIATE = _flag("KKMP_JOBS_IMMEDIATE", False)
    # Where finished jobs keep their result files (exports), one file per job, removed after KKMP_JOBS_KEEP_DAYS.
    KKMP_JOBS_DIR = os.environ.get("KKMP_JOBS_DIR") or os.path.join(INSTANCE_DIR, "jobs")
    KKMP_JOBS_KEEP_DAYS = 7
    # An xlsx export of more rows than this runs as a job (with progress) instead of inside the request.
    KKMP_EXPORT_JOB_ROWS = int(os.environ.get("KKMP_EXPORT_JOB_ROWS", "5000") or 5000)
    # An import file of more rows than this is checked and written by a job (still all or nothing).
    KKMP_IMPORT_JOB_ROWS = int(os.environ.get("KKMP_IMPORT_JOB_ROWS", "1000") or 1000)
    # The year-end close of a cooperative with more journal lines than this runs as a job (with progress).
    KKMP_YEAR_END_JOB_LINES = int(os.environ.get("KKMP_YEAR_END_JOB_LINES", "20000") or 20000)
    # The SHU worksheet of a cooperative with more members than this is computed by a job.
    KKMP_SHU_JOB_MEMBERS = int(os.environ.get("KKMP_SHU_JOB_MEMBERS", "2000") or 2000)
    # A running job whose worker has not reported for this long is taken as lost (worker killed) and queued again.
    KKMP_JOBS_STALE_SECONDS = int(os.environ.get("KKMP_JOBS_STALE_SECONDS", "120") or 120)


class DevelopmentConfig(BaseConfig):
    # A fixed development key keeps sessions valid across restarts of `make run`; never used in production.
    SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-insecure-key-change-me-0123456789abcdef")
    DEMO_USERS_ALLOWED = True
    DEMO_PASSWORD = os.environ.get("KKMP_DEMO_PASSWORD", "demo-kkmp-2026")


class TestConfig(BaseConfig):
    TESTING = True
    SECRET_KEY = "test-secret-key-not-for-production-0123456789abcdef"
    SQLALCHEMY_DATABASE_URI = _database_url(
        "sqlite:///" + os.path.join(INSTANCE_DIR, "test.sqlite"))
    DEMO_USERS_ALLOWED = True
    DEMO_PASSWORD = "demo-kkmp-2026"
    FAB_API_SWAGGER_UI = True
    # The suite logs in hundreds of times from one address, as the same demo users; tests/test_hardening.py and
    # tests/test_sessions.py tighten these per test.
    AUTH_RATE_LIMIT = "10000 per minute"
    AUTH_USERNAME_RATE_LIMIT = "10000 per minute"
    # Jobs run at once inside the test (tests/jobs/test_worker.py starts a real consumer with this set to 0).
    KKMP_JOBS_IMMEDIATE = _flag("KKMP_JOBS_IMMEDIATE", True)


class ProductionConfig(BaseConfig):
    FAB_API_SWAGGER_UI = False
    SESSION_COOKIE_SECURE = True
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL") and _database_url(None)
    # Shared rate-limit counters for all workers; memory:// (each worker its own) is refused at start-up.
    RATELIMIT_STORAGE_URI = os.environ.get("KKMP_RATELIMIT_STORAGE_URI", "redis://127.0.0.1:6379/0")
    KKMP_REQUIRE_SHARED_LIMITER = True
    # The public host names, comma-separated (e.g. "koperasi.example.go.id"): the only ?next= redirect targets.
    # Unset, only relative targets work (an empty list would make FAB trust the request's Host header).
    FAB_SAFE_REDIRECT_HOSTS = [h.strip() for h in os.environ.get("KKMP_ALLOWED_HOSTS", "").split(",")
                               if h.strip()] or ["localhost"]
    # With KKMP_ALLOWED_HOSTS set, a request for any other Host is answered 400 (no host-header tricks in
    # generated links); unset, every host is served, as behind a proxy that already checks it.
    TRUSTED_HOSTS = [h.strip() for h in os.environ.get("KKMP_ALLOWED_HOSTS", "").split(",") if h.strip()] or None
    KKMP_PROXY_COUNT = int(os.environ.get("KKMP_PROXY_COUNT", "0") or 0)
    KKMP_FORCE_HTTPS = True
    KKMP_HSTS_SECONDS = 365 * 24 * 3600
    # __Host-: the browser accepts it only with Secure, Path=/ and no Domain (ASVS 3.3.3).
    SESSION_COOKIE_NAME = "__Host-kkmp_session"
    PREFERRED_URL_SCHEME = "https"

    @classmethod
    def check(cls):
        """Refuse to start without the two things production cannot guess (and, in create_app, without a shared
        rate-limit store: app/security/hardening.py)."""
        missing = [name for name in ("SECRET_KEY", "DATABASE_URL") if not os.environ.get(name)]
        if missing:
            raise ConfigError("Production needs these environment variables: " + ", ".join(missing))
        if len(os.environ["SECRET_KEY"]) < 32:
            raise ConfigError("SECRET_KEY must be at least 32 characters of random data")
        cls.SECRET_KEY = os.environ["SECRET_KEY"]
        cls.SQLALCHEMY_DATABASE_URI = _database_url(None)
        cls.RATELIMIT_STORAGE_URI = os.environ.get("KKMP_RATELIMIT_STORAGE_URI", "redis://127.0.0.1:6379/0")


CONFIGS = {
    "development": DevelopmentConfig,
    "test": TestConfig,
    "production": ProductionConfig,
}


def config_for(name=None):
    name = name or os.environ.get("KKMP_ENV", "development")
    try:
        cls = CONFIGS[name]
    except KeyError:
        raise ConfigError(f"Unknown KKMP_ENV {name!r}; use one of {', '.join(CONFIGS)}") from None
    if hasattr(cls, "check"):
        cls.check()
    return cls
