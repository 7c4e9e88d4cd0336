"""Our security manager: FAB's, with the scoped user model, a growing delay after failed logins, revocable
sessions and tokens (sessions.py), the password policy and the rate-limited security API (hardening.py)."""
import logging
from types import SimpleNamespace
from datetime import datetime, timedelta, timezone

from flask import current_app
from flask_appbuilder.security.sqla.manager import SecurityManager
from sqlalchemy import func, update
from werkzeug.security import check_password_hash

from . import sessions
from .hardening import KkmpSecurityApi, login_rate_limit
from .models import KkmpUser
from .views import KkmpUserView
from .passwords import check_password, context_words, context_words_for_user

log = logging.getLogger("kkmp.security")


def utcnow():
    """Naive UTC, as stored in ``locked_until``."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


class KkmpSecurityManager(SecurityManager):
    user_model = KkmpUser
    # User admin scoped to the Sudin's city, with our own reset-password endpoint (app/security/views.py).
    userdbmodelview = KkmpUserView
    # FAB's user statistics chart loads Google Charts from the internet and groups in Python: not offered.
    userstatschartview = None
    # POST /api/v1/security/login is rate-limited like the HTML login form (FAB limits only the latter).
    security_api = KkmpSecurityApi

    # -- permission checks of database roles: one query per request, not one per check ------------------------------
    # A page asks FAB dozens of questions ("may this user list X?", one per menu entry and per button). For the
    # builtin roles FAB answers in memory; for a database role (Admin) every answer is a query: ~50 per list page.
    # We read the role's (view, permission) pairs once per request and answer from that set. Per request, not per
    # process, so a permission revoked in the role screen takes effect on the user's next click.

    def _db_role_pairs(self, role_ids):
        from flask import g, has_request_context
        from flask_appbuilder.security.sqla.models import assoc_permissionview_role

        key = tuple(sorted(role_ids))
        cache = getattr(g, "_kkmp_role_pairs", None) if has_request_context() else None
        if cache is not None and key in cache:
            return cache[key]
        pv, vm, perm = self.permissionview_model, self.viewmenu_model, self.permission_model
        rows = (self.session.query(vm.name, perm.name)
                .select_from(pv)
                .join(assoc_permissionview_role, pv.id == assoc_permissionview_role.c.permission_view_id)
                .join(vm, vm.id == pv.view_menu_id)
                .join(perm, perm.id == pv.permission_id)
                .filter(assoc_permissionview_role.c.role_id.in_(key))
                .all())
        pairs = frozenset((view_name, permission_name) for view_name, permission_name in rows)
        if has_request_context():
            if cache is None:
                cache = g._kkmp_role_pairs = {}
            cache[key] = pairs
        return pairs

    def get_user_by_id(self, pk):
        # Every request loads its user, then FAB reads the roles and groups: one statement instead of three.
        from sqlalchemy.orm import joinedload

        model = self.user_model
        return self.session.get(model, pk, options=[joinedload(model.roles), joinedload(model.groups)])

    def has_access(self, permission_name, view_name):
        # Asked ~50 times per page (menu entries, buttons) with the same identity: answer each question once.
        from flask import g, has_request_context

        if not has_request_context():
            return super().has_access(permission_name, view_name)
        memo = g.setdefault("_kkmp_access", {})
        user = g.get("user")
        key = (getattr(user, "id", None), permission_name, view_name)
        if key not in memo:
            memo[key] = super().has_access(permission_name, view_name)
        return memo[key]

    def is_item_public(self, permission_name, view_name):
        # FAB asks this before every API call (twice) and for every anonymous check, each time reading the Public
        # role and its permissions from the database. The Public role is a builtin role (app/__init__.py: declared
        # in FAB_ROLES with no rights), so the answer is in memory: what the code grants anonymous visitors, never
        # what a row of the role screen says.
        role = SimpleNamespace(name=self.auth_role_public)
        return self._has_access_builtin_roles(role, permission_name, view_name)

    def exist_permission_on_roles(self, view_name, permission_name, role_ids):
        return (view_name, permission_name) in self._db_role_pairs(role_ids)

    def find_roles_permission_view_menus(self, permission_name, role_ids):
        # FAB reads only ``pvm.view_menu.name`` from what this returns (the navbar's menu_access check).
        return [SimpleNamespace(view_menu=SimpleNamespace(name=view_name))
                for view_name, name in self._db_role_pairs(role_ids) if name == permission_name]

    @property
    def auth_rate_limit(self):
        """FAB applies this to its login form when ``AUTH_RATE_LIMITED``; a callable so ``AUTH_RATE_LIMIT`` is read
        at request time."""
        return login_rate_limit

    # -- growing delay after failed logins (ASVS 5.0 V6.3: no hard lockout) ---------------------------------------
    # The first KKMP_LOGIN_FREE_FAILURES consecutive failures cost nothing. From then on each failure makes the
    # account wait 2, 4, 8 ... seconds (at most KKMP_LOGIN_DELAY_MAX_SECONDS) before a password is looked at again;
    # an attempt during the wait, the right password too, is refused exactly like a wrong one (so the wait tells
    # nothing) and does not count. A success resets the count. Unlike the former 15-minute lock after five
    # failures, five requests no longer shut `admin` out: an attacker must keep guessing to keep the owner waiting,
    # and the owner never waits more than the cap. The counters live on the user row, which every worker shares.

    @staticmethod
    def is_locked(user, now=None):
        return user.locked_until is not None and user.locked_until > (now or utcnow())

    @staticmethod
    def login_delay(failures):
        """Seconds the account waits after its ``failures``-th consecutive failure."""
        free = int(current_app.config.get("KKMP_LOGIN_FREE_FAILURES", 5))
        cap = int(current_app.config.get("KKMP_LOGIN_DELAY_MAX_SECONDS", 900))
        if failures < free:
            return 0
        return min(2 ** min(failures - free + 1, 30), cap)

    def auth_user_db(self, username, password):
        """Authenticate, refusing accounts in their wait, and write every success and failure to the audit log."""
        user = self._auth_user_db_unless_waiting(username, password)
        self._audit_login(username, user)
        return user

    def _audit_login(self, username, user):
        from app.core.audit import record_event

        try:
            if user is not None:
                record_event(self.session, "login", table_name="ab_user", record_id=user.id,
                             region_code=user.scope_region_code, username=user.username)
            else:
                # The attempted name is kept (truncated): it is what an investigation of a brute force needs.
                record_event(self.session, "login_failed", table_name="ab_user",
                             username=(username or "")[:100], details={"reason": "bad credentials or waiting"})
            self.session.commit()
        except Exception:  # auditing must never turn a login into a 500
            self.session.rollback()
            log.exception("could not write the login audit row")

    def _auth_user_db_unless_waiting(self, username, password):
        if username:
            user = self.find_user(username=username) or self.find_user(email=username)
            if user is not None and user.is_active and self.is_locked(user):
                # Same work as a wrong password: one hash check and one write.
                check_password_hash(user.password or current_app.config["AUTH_DB_FAKE_PASSWORD_HASH_CHECK"],
                                    password or "")
                self.noop_user_update(user)
                log.warning("Login refused: account %s must wait until %s UTC", user.username, user.locked_until)
                from .hardening import login_throttled

                login_throttled.send(current_app._get_current_object(), reason="account_delay",
                                     username=user.username)
                return None
        return super().auth_user_db(username, password)

    def update_user_auth_stat(self, user, success=True):
        if success:
            user.locked_until = None
            return super().update_user_auth_stat(user, True)
        # Count the failure in the database, not in Python: parallel attempts must not overwrite each other's count.
        model, now = self.user_model, utcnow()
        self.session.execute(
            update(model).where(model.id == user.id)
            .values(fail_login_count=func.coalesce(model.fail_login_count, 0) + 1)
            .execution_options(synchronize_session=False))
        self.session.commit()
        self.session.refresh(user)
        delay = self.login_delay(user.fail_login_count or 0)
        if delay:
            until = now + timedelta(seconds=delay)
            # Never shorten a longer wait set meanwhile by a parallel failure.
            self.session.execute(
                update(model).where(model.id == user.id,
                                    model.locked_until.is_(None) | (model.locked_until < until))
                .values(locked_until=until).execution_options(synchronize_session=False))
            self.session.commit()
            self.session.refresh(user)
            log.warning("Account %s waits %s s (until %s UTC) after %s failed logins", user.username, delay,
                        user.locked_until, user.fail_login_count)
        self.on_user_login_failed(user)

    def unlock_user(self, user):
        """Lift a wait and forget the failures (an Admin resetting the password does this too)."""
        user.locked_until = None
        user.fail_login_count = 0
        return self.update_user(user)

    # -- revocable sessions and tokens (app/security/sessions.py) ----------------------------------------------------

    def load_user(self, pk):
        """Flask-Login's user loader: an active user, and a session issued under the user's current generation."""
        from flask import session

        user = super().load_user(pk)
        if user is not None and not sessions.session_is_current(user):
            log.info("Session of %s refused: ended by a logout, password, role or scope change", user.username)
            session.clear()
            return None
        return user

    def load_user_jwt(self, _jwt_header, jwt_data):
        """The JWT's user: active, and the token issued under the user's current generation and login."""
        from flask import g

        try:
            user = self.get_user_by_id(int(jwt_data["sub"]))
        except (KeyError, TypeError, ValueError):
            return None
        if user is None or not user.is_active or not sessions.token_is_current(user, jwt_data):
            return None
        g.user = user
        return user

    def create_jwt_manager(self, app):
        jwt_manager = super().create_jwt_manager(app)
        jwt_manager.additional_claims_loader(sessions.token_claims)
        return jwt_manager

    def on_user_logout(self, user):
        """Logout ends every session and every token of the user, not only this browser's cookie."""
        from app.core.audit import record_event

        sessions.end_all_sessions(self.session, user.id)
        record_event(self.session, "logout", table_name="ab_user", record_id=user.id,
                     region_code=user.scope_region_code, username=user.username)
        self.session.commit()
        super().on_user_logout(user)

    # -- password policy ------------------------------------------------------------------------------------------
    # FAB's forms and user API use FAB_PASSWORD_COMPLEXITY_VALIDATOR; these cover our code and FAB's CLI.

    def add_user(self, username, first_name, last_name, email, role=None, password="", hashed_password="",
                 groups=None, commit=True):
        if password and not hashed_password:
            check_password(password, username=username, context=context_words(first_name, last_name, email))
        return super().add_user(username, first_name, last_name, email, role=role, password=password,
                                hashed_password=hashed_password, groups=groups, commit=commit)

    def reset_password(self, userid, password):
        user = self.get_user_by_id(userid)
        check_password(password, context=context_words_for_user(user))
        if user is not None:
            user.locked_until = None
            user.fail_login_count = 0
            from app.core.audit import record_event

            # Every path (Sudin's and Admin's forms, the user's own, `flask fab reset-password`) is logged, in the
            # transaction that changes the password (FAB's update_user commits both).
            record_event(self.session, "password_reset", table_name="ab_user", record_id=user.id,
                         cooperative_id=user.scope_cooperative_id, region_code=user.scope_region_code,
                         details={"user": user.username})
        # The UPDATE raises the user's session generation (sessions._raise_on_sensitive_change): every session and
        # token ends, except the session of a user changing their own password.
        result = super().reset_password(userid, password)
        sessions.restamp_if_own(userid)
        return result
