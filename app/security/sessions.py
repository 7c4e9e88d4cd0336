"""Revocable sessions and API tokens: a per-user session generation (``ab_user.auth_epoch``).

Flask's session is a signed cookie: whoever copied it could replay it until it expired, logout or not. Instead of
moving sessions to a server-side store, every session and every JWT carries the generation of its user at the time
it was issued, and the request's user (already loaded in one statement by ``KkmpSecurityManager.get_user_by_id``)
is refused when the numbers differ. Raising the generation therefore ends every session and every token of that
user at once, on every worker, whatever the deployment (no Redis needed), and costs nothing per request.

The generation rises on:

* logout (:func:`end_all_sessions`, called by ``KkmpSecurityManager.on_user_logout``);
* any change of the password, the active flag, the roles or the scope of a user, whatever path makes it (user
  screens, FAB's reset forms, the CLI, scripts): :func:`_raise_on_sensitive_change` runs on every UPDATE of a user
  row. The one who changes their own password keeps the session they did it in (re-stamped).

API tokens also carry ``auth_time``, the login they descend from: a refresh keeps it, and no token outlives
``KKMP_SESSION_MAX_AGE`` after the login, like a browser session.
"""
import time

from flask import current_app, has_request_context, session
from sqlalchemy import event, inspect, update

from .models import KkmpUser

EPOCH = "_kkmp_epoch"            # in the session cookie
EPOCH_CLAIM = "kkmp_epoch"       # in every JWT
AUTH_TIME_CLAIM = "auth_time"    # when the login behind a JWT happened (seconds since the epoch, UTC)

# What makes the sessions of a user end when it changes (roles are a collection, the rest columns).
SENSITIVE_COLUMNS = ("password", "active", "scope_region_code", "scope_cooperative_id")


def epoch_of(user):
    return int(getattr(user, "auth_epoch", None) or 0)


# -- browser sessions -----------------------------------------------------------------------------------------------

def stamp_session(user):
    """Called when a user logs in (and after changing their own password): the session belongs to this generation."""
    session[EPOCH] = epoch_of(user)


def session_is_current(user):
    """A session issued before the user's last logout, password or role change is refused (also one without a
    generation at all: older than this rule)."""
    stamped = session.get(EPOCH)
    return stamped is not None and int(stamped) == epoch_of(user)


# -- API tokens -----------------------------------------------------------------------------------------------------

def token_claims(identity):
    """``additional_claims_loader``: the user's generation and the time of the login the token descends from."""
    from flask_jwt_extended import get_jwt

    from app.extensions import appbuilder

    user = appbuilder.sm.get_user_by_id(int(identity))
    auth_time = int(time.time())
    try:
        verified = get_jwt()  # set when this request presented a refresh token: keep its login time
    except RuntimeError:
        verified = None
    if verified and verified.get(AUTH_TIME_CLAIM):
        auth_time = int(verified[AUTH_TIME_CLAIM])
    return {EPOCH_CLAIM: epoch_of(user), AUTH_TIME_CLAIM: auth_time}


def token_is_current(user, jwt_data):
    if jwt_data.get(EPOCH_CLAIM) is None or int(jwt_data[EPOCH_CLAIM]) != epoch_of(user):
        return False
    auth_time = jwt_data.get(AUTH_TIME_CLAIM)
    max_age = current_app.config["KKMP_SESSION_MAX_AGE"].total_seconds()
    return auth_time is not None and time.time() - int(auth_time) <= max_age


# -- revocation -----------------------------------------------------------------------------------------------------

def end_all_sessions(db_session, user_id):
    """Raise the user's generation in the database (one atomic UPDATE, so two at once never lose one); the caller
    commits. Every session cookie and token issued so far stops working on its next request."""
    db_session.execute(update(KkmpUser).where(KkmpUser.id == user_id)
                       .values(auth_epoch=KkmpUser.auth_epoch + 1)
                       .execution_options(synchronize_session=False))


def _sensitive_change(target):
    state = inspect(target)
    if any(state.attrs[name].history.has_changes() for name in SENSITIVE_COLUMNS):
        return True
    roles = state.attrs.roles.history
    return bool(roles.added or roles.deleted)


@event.listens_for(KkmpUser, "before_update")
def _raise_on_sensitive_change(_mapper, _connection, target):
    # An SQL expression, not a Python increment: atomic against a logout committed meanwhile by another worker.
    if _sensitive_change(target):
        target.auth_epoch = KkmpUser.auth_epoch + 1


def restamp_if_own(user_id):
    """After a user changed their own password: this session stays, every other one ends."""
    if not has_request_context() or str(session.get("_user_id")) != str(user_id):
        return
    from app.extensions import db

    user = db.session.get(KkmpUser, user_id)
    db.session.refresh(user, ["auth_epoch"])
    stamp_session(user)
