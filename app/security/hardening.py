"""Web hardening: headers, rate limits, session timeout, cache control (issue 3 §6; reliability.md §2–3).

What lives where:

* Login rate limits: FAB's own limit on the HTML login form (``AUTH_RATE_LIMITED``) and ours on
  ``POST /api/v1/security/login`` (:class:`KkmpSecurityApi`, installed as ``KkmpSecurityManager.security_api``).
  Both read ``AUTH_RATE_LIMIT`` at request time and count per client address, in ``RATELIMIT_STORAGE_URI``; both
  forms also count per username (``AUTH_USERNAME_RATE_LIMIT``), whatever address the attempts come from.
* The growing delay after failed logins and the password policy: ``KkmpSecurityManager`` and
  ``app.security.passwords``; revocable sessions and tokens: ``app.security.sessions``.
* ``login_throttled``: a signal sent whenever a login is refused by a limit (``reason`` is ``account_delay``,
  ``username`` or ``address``), for the security log to connect to.
* Everything else is installed on the app by :func:`init_hardening`: Talisman (CSP with script nonces,
  frame-ancestors, nosniff, Referrer-Policy, HSTS and HTTPS redirect in production), the idle and absolute
  session timeouts,
  ``Cache-Control: no-store`` on authenticated responses, a plain 429 answer, the proxy fix and a real fake hash
  for FAB's timing balance.
"""
import hashlib
import logging
import os
import secrets
import time

from blinker import Namespace
from flask import current_app, jsonify, request, session
from flask_appbuilder.api import expose, safe
from flask_appbuilder.security.api import SecurityApi
from flask_appbuilder.utils.limit import Limit
from flask_babel import lazy_gettext as _l
from flask_jwt_extended import get_current_user, jwt_required
from flask_limiter.util import get_remote_address
from markupsafe import escape
from werkzeug.security import generate_password_hash

log = logging.getLogger("kkmp.security")

DEFAULT_AUTH_RATE_LIMIT = "10 per minute"
DEFAULT_AUTH_USERNAME_RATE_LIMIT = "10 per minute"

# Sent with (app, reason=..., username=...) when a login is refused by a limit; nothing here listens to it.
login_throttled = Namespace().signal("kkmp-login-throttled")

# 'unsafe-inline' for styles only: FAB's templates and widgets carry style="..." attributes. Scripts need the
# per-request nonce that FAB's templates put on every <script> (baselib.get_nonce() -> Talisman's csp_nonce()).
CONTENT_SECURITY_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'", "data:"],
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}
PERMISSIONS_POLICY = {"browsing-topics": "()", "camera": "()", "microphone": "()", "geolocation": "()",
                      "payment": "()", "usb": "()"}
REFERRER_POLICY = "same-origin"  # Flask-WTF's HTTPS referrer check needs the header on same-origin POSTs.
ONE_YEAR = 365 * 24 * 3600

# The login form's words (FAB's msgid), so the API's refusal of a wrong password or a waiting account reads alike.
LOGIN_REFUSED = _l("Invalid login. Please try again.")
SIGNED_OUT_EVERYWHERE = _l("Signed out: every session and token of this user has ended.")
TOO_MANY_REQUESTS = _l("Too many attempts. Please wait a minute and try again.")


def login_rate_limit():
    """The login rate limit, read at request time so that configuration (and tests) can change it."""
    return current_app.config.get("AUTH_RATE_LIMIT") or DEFAULT_AUTH_RATE_LIMIT


def login_username_rate_limit():
    return current_app.config.get("AUTH_USERNAME_RATE_LIMIT") or DEFAULT_AUTH_USERNAME_RATE_LIMIT


def login_username_key():
    """The rate-limit bucket of the username being tried (HTML form or API JSON), whatever the client address: one
    account guessed from many addresses, or many proxies, meets the limit all the same. Counted for any name,
    existing or not, so the limit tells nothing about which accounts exist. Hashed: keys stay short and plain."""
    name = request.form.get("username") if request.form else None
    if name is None:
        body = request.get_json(silent=True) if request.is_json else None
        name = body.get("username") if isinstance(body, dict) else None
    name = name.strip().lower() if isinstance(name, str) else ""
    return "login-user:" + hashlib.sha256(name.encode("utf-8", "replace")).hexdigest()[:32]


def _not_a_login():
    """Exempt from the login limits: every request but a login (the API's refresh and logout, the form's logout)."""
    return not (request.endpoint or "").endswith(".login")


class KkmpSecurityApi(SecurityApi):
    """FAB's security API (``/api/v1/security/login`` and ``/refresh``) with the login rate-limited.

    FAB's ``AUTH_RATE_LIMITED`` covers only the HTML auth view; an attacker would simply use the API. The limit is
    the same ``AUTH_RATE_LIMIT``, in a separate bucket per client address; token refreshes are not counted.
    """

    limits = [Limit(limit_value=login_rate_limit, key_func=get_remote_address, methods=["POST"],
                    exempt_when=_not_a_login),
              Limit(limit_value=login_username_rate_limit, key_func=login_username_key, methods=["POST"],
                    exempt_when=_not_a_login)]

    @expose("/logout", methods=["POST"])
    @jwt_required(verify_type=False)
    @safe
    def logout(self):
        """API clients' logout: like the browser's, it ends every session and every token of the user.
        ---
        post:
          description: >-
            End every browser session and every access and refresh token of the user holding this token
            (either kind is accepted).
          responses:
            200:
              description: Every session and token of the user has ended
              content:
                application/json:
                  schema:
                    type: object
                    properties:
                      message:
                        type: string
            401:
              $ref: '#/components/responses/401'
          security:
            - jwt: []
        """
        self.appbuilder.sm.on_user_logout(get_current_user())
        return self.response(200, message=str(SIGNED_OUT_EVERYWHERE))

    def response_401(self):
        # FAB's login answers a refused password with an English "Not authorized"; only the login calls this.
        return self.response(401, message=str(LOGIN_REFUSED))

    def create_blueprint(self, appbuilder, endpoint=None, static_folder=None):
        # Keep FAB's endpoint names (SecurityApi.login, SecurityApi.refresh) for url_for and the OpenAPI spec.
        return super().create_blueprint(appbuilder, endpoint=endpoint or "SecurityApi", static_folder=static_folder)


def init_hardening(app, appbuilder):
    """Called by create_app() after AppBuilder is initialised."""
    _require_shared_limiter_store(app)
    _proxy_fix(app)
    _fake_password_hash(app)
    from .passwords import fab_password_validator

    app.config.setdefault("FAB_PASSWORD_COMPLEXITY_VALIDATOR", fab_password_validator)
    _safe_redirects(app)
    _username_limit_on_login_form(appbuilder)
    _talisman(app)
    _session_timeout(app)
    _no_store(app)
    _too_many_requests(app)
    _warn_about_production_settings(app)


SHARED_LIMITER_STORES = ("redis://", "rediss://", "redis+unix://", "redis+cluster://", "redis+sentinel://",
                         "valkey://", "valkeys://", "valkey+unix://", "valkey+cluster://", "valkey+sentinel://",
                         "memcached://", "mongodb://", "mongodb+srv://")


def _require_shared_limiter_store(app):
    """With several workers, memory:// gives each one its own login counters (four workers let four times the
    guesses through). Where ``KKMP_REQUIRE_SHARED_LIMITER`` is set (production) the app refuses to start unless
    ``RATELIMIT_STORAGE_URI`` names a store all workers share."""
    if not app.config.get("KKMP_REQUIRE_SHARED_LIMITER"):
        return
    uri = str(app.config.get("RATELIMIT_STORAGE_URI") or "memory://")
    if not uri.startswith(SHARED_LIMITER_STORES):
        from config import ConfigError

        raise ConfigError(
            f"RATELIMIT_STORAGE_URI (KKMP_RATELIMIT_STORAGE_URI) is {uri.split('://')[0]}://, which every worker "
            "counts on its own: production needs a store all workers share, e.g. redis://127.0.0.1:6379/0")


def _username_limit_on_login_form(appbuilder):
    """FAB limits its login form per client address only; count attempts per username there as well."""
    sm = appbuilder.sm
    if getattr(sm, "auth_view", None) is None or not sm.is_auth_limited:
        return
    sm.limiter.limit(login_username_rate_limit, key_func=login_username_key, methods=["POST"],
                     exempt_when=_not_a_login)(sm.auth_view.blueprint)


def _proxy_fix(app):
    """Behind N reverse proxies (``KKMP_PROXY_COUNT``) trust their X-Forwarded-For/Proto, so that rate limits count
    the client and not the proxy. Never set it without a proxy: the headers would be the client's to forge."""
    count = int(app.config.get("KKMP_PROXY_COUNT") or 0)
    if count > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count)


def _fake_password_hash(app):
    """FAB hashes against ``AUTH_DB_FAKE_PASSWORD_HASH_CHECK`` for unknown users so that they cost the same time as
    known ones. It must be a hash string: ``True`` would crash every login of an unknown username (a 500 where a
    wrong password gets a redirect: user enumeration). Use a hash made like ours, so the timing really matches."""
    value = app.config.get("AUTH_DB_FAKE_PASSWORD_HASH_CHECK")
    if not (isinstance(value, str) and "$" in value):
        app.config["AUTH_DB_FAKE_PASSWORD_HASH_CHECK"] = generate_password_hash(
            secrets.token_urlsafe(24), method=app.config.get("FAB_PASSWORD_HASH_METHOD", "scrypt"),
            salt_length=app.config.get("FAB_PASSWORD_HASH_SALT_LENGTH", 16))


def _safe_redirects(app):
    """``?next=`` targets: FAB's check plus what it misses.

    FAB (5.3) accepts ``/\\evil.example``: no scheme and no netloc for Python, but browsers read a backslash as a
    slash and go to evil.example. A ``next`` with a backslash, a control or space character, or that FAB would refuse
    anyway, is dropped before any view sees it, so the user lands on the index. Hosts must be exact names.
    """
    import unicodedata

    from flask_appbuilder.utils.base import is_safe_redirect_url
    from werkzeug.datastructures import ImmutableMultiDict

    wildcards = [h for h in app.config.get("FAB_SAFE_REDIRECT_HOSTS") or [] if any(c in h for c in "*?[")]
    if wildcards:
        raise ValueError(f"FAB_SAFE_REDIRECT_HOSTS must list exact host names, not patterns: {wildcards}")

    def strictly_safe(url):
        if any(ch == "\\" or unicodedata.category(ch)[0] in "CZ" for ch in url):
            return False
        return is_safe_redirect_url(url)

    @app.before_request
    def _drop_unsafe_next():
        target = request.args.get("next")
        if target and not strictly_safe(target):
            log.warning("Unsafe redirect target dropped: %r", target[:200])
            request.args = ImmutableMultiDict([(k, v) for k, v in request.args.items(multi=True) if k != "next"])


def _talisman(app):
    from flask_talisman import Talisman

    https = bool(app.config.get("KKMP_FORCE_HTTPS", False))
    hsts_seconds = int(app.config.get("KKMP_HSTS_SECONDS", 0) or 0)
    Talisman(
        app,
        force_https=https,
        strict_transport_security=hsts_seconds > 0,
        strict_transport_security_max_age=hsts_seconds or ONE_YEAR,
        frame_options="DENY",
        content_security_policy=CONTENT_SECURITY_POLICY,
        content_security_policy_nonce_in=["script-src"],
        referrer_policy=REFERRER_POLICY,
        permissions_policy=PERMISSIONS_POLICY,
        # Talisman rewrites these cookie settings on the app; hand it ours so that it changes nothing.
        session_cookie_secure=bool(app.config.get("SESSION_COOKIE_SECURE")),
        session_cookie_http_only=True,
        session_cookie_samesite=app.config.get("SESSION_COOKIE_SAMESITE") or "Lax",
        x_content_type_options=True,
    )


LOGIN_AT = "_kkmp_login_at"


def _make_permanent(_sender, user=None, **_kwargs):
    from .sessions import stamp_session

    session.permanent = True
    session[LOGIN_AT] = int(time.time())
    stamp_session(user)


def _session_timeout(app):
    """Idle timeout: a logged-in session is permanent, so its cookie (and the signature's timestamp) is renewed on
    every request (``SESSION_REFRESH_EACH_REQUEST``); Flask refuses a cookie signed more than
    ``PERMANENT_SESSION_LIFETIME`` ago, so a session left alone that long is logged out, whatever the browser kept."""
    from flask_login import user_logged_in

    user_logged_in.connect(_make_permanent, app, weak=False)

    @app.before_request
    def _keep_logged_in_sessions_permanent():
        if "_user_id" in session and not session.permanent:
            session.permanent = True

    @app.before_request
    def _end_sessions_past_their_absolute_age():
        # Absolute timeout (ASVS 3.3.4): however active, a login lasts KKMP_SESSION_MAX_AGE; then the user signs in
        # again, so a stolen or forgotten session cannot be kept alive for ever by activity.
        if "_user_id" not in session:
            return None
        from flask_login import logout_user

        now = int(time.time())
        started = session.setdefault(LOGIN_AT, now)
        if now - int(started) > app.config["KKMP_SESSION_MAX_AGE"].total_seconds():
            logout_user()
            session.clear()
        return None


def _no_store(app):
    """Pages and API answers for a logged-in user hold personal data: never kept by the browser or a proxy
    (ASVS 14.3.2). Static files stay cacheable."""

    @app.after_request
    def _cache_control(response):
        endpoint = request.endpoint or ""
        if endpoint == "static" or endpoint.endswith(".static"):
            return response
        if "_user_id" in session or request.headers.get("Authorization"):
            if "no-store" not in (response.headers.get("Cache-Control") or ""):
                response.headers["Cache-Control"] = "no-store"
            response.headers["Pragma"] = "no-cache"
        return response


def _too_many_requests(app):
    @app.errorhandler(429)
    def _answer_429(error):
        from app.core.security_log import record_security_event

        body = request.get_json(silent=True) if request.is_json else None
        attempted = request.form.get("username") or (body.get("username") if isinstance(body, dict) else None)
        record_security_event("rate_limit", username=attempted, limit=str(getattr(error, "description", "")))
        message = str(TOO_MANY_REQUESTS)
        if request.path.startswith("/api/"):
            response = jsonify(message=message)
        else:
            response = current_app.response_class(
                f"<!doctype html><html><head><meta charset=\"utf-8\"><title>429</title></head>"
                f"<body><p>{escape(message)}</p><p><a href=\"{escape(request.path)}\">&larr;</a></p></body></html>",
                mimetype="text/html")
        response.status_code = 429
        retry_after = getattr(error, "retry_after", None)
        if retry_after:
            response.headers["Retry-After"] = str(retry_after)
        if (request.endpoint or "").endswith(".login"):
            by_username = getattr(getattr(error, "limit", None), "key_func", None) is login_username_key
            login_throttled.send(current_app._get_current_object(),
                                 reason="username" if by_username else "address", username=None)
        return response


def _warn_about_production_settings(app):
    if not app.config.get("KKMP_FORCE_HTTPS"):
        return
    if not os.environ.get("KKMP_ALLOWED_HOSTS"):
        log.warning("KKMP_ALLOWED_HOSTS is not set: after login, users land on the index instead of ?next=")
