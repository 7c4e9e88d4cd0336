"""How the REST API answers who-are-you questions.

- A missing, malformed, badly signed or expired token is 401 with ``WWW-Authenticate: Bearer`` (RFC 6750), the
  same answer whatever is wrong with it; flask-jwt-extended's default for a malformed one is 422, which tells a
  client "your data is wrong" when the truth is "log in again".
- A state-changing API call authenticated by the browser's session cookie (no ``Authorization`` header) must
  carry the page's CSRF token in ``X-CSRFToken``, like every form: FAB exempts its API blueprints from
  CSRFProtect, and without this a foreign page could post JSON-ish requests riding the cookie. Calls with a
  bearer token carry no ambient credential and need none.
"""
from flask import jsonify, request, session
from flask_babel import gettext

SAFE_METHODS = {"GET", "HEAD", "OPTIONS", "TRACE"}
# Token endpoints authenticate by what they are sent (a password, a refresh token), not by the cookie.
TOKEN_ENDPOINTS = ("/api/v1/security/login", "/api/v1/security/refresh")


def _unauthorised(_reason=None, *_args):
    response = jsonify(message=gettext("Sign in again: the access token is missing, invalid or expired."))
    response.status_code = 401
    response.headers["WWW-Authenticate"] = 'Bearer error="invalid_token"'
    return response


def install(app, appbuilder):
    jwt = appbuilder.sm.jwt_manager
    jwt.invalid_token_loader(_unauthorised)
    jwt.token_verification_failed_loader(lambda _header, _data: _unauthorised())
    jwt.expired_token_loader(lambda _header, _data: _unauthorised())
    jwt.unauthorized_loader(_unauthorised)

    from app.extensions import csrf

    @app.before_request
    def _csrf_for_cookie_api_calls():
        if (request.method in SAFE_METHODS or not request.path.startswith("/api/")
                or request.path.rstrip("/") in TOKEN_ENDPOINTS or request.headers.get("Authorization")):
            return None
        if "_user_id" not in session:
            return None  # no cookie login: FAB's own check answers 401
        csrf.protect()  # raises CSRFError (400, answered by the app's CSRF handler)
        return None
