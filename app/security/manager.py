"""Our security manager: FAB's, with the scoped user model, account lockout, the password policy and the
rate-limited security API (hardening.py)."""
import logging
from datetime import datetime, timedelta, timezone

from flask import current_app
from flask_appbuilder.security.sqla.manager import SecurityManager
from sqlalchemy import case, func, null, update
from werkzeug.security import check_password_hash

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

    def exist_permission_on_roles(self, view_name, permission_name, role_ids):
        return (view_name, permission_name) in self._db_role_pairs(role_ids)

    def find_roles_permission_view_menus(self, permission_name, role_ids):
        # FAB reads only ``pvm.view_menu.name`` from what this returns (the navbar's menu_access check).
        from types import SimpleNamespace

        return [SimpleNamespace(view_menu=SimpleNamespace(name=view_name))
                for view_name, name in self._db_role_pairs(role_ids) if name == permission_name]

    @property
    def auth_rate_limit(self):
        """FAB applies this to its login form when ``AUTH_RATE_LIMITED``; a callable so ``AUTH_RATE_LIMIT`` is read
        at request time."""
        return login_rate_limit

    # -- account lockout ------------------------------------------------------------------------------------------
    # After KKMP_LOCKOUT_THRESHOLD consecutive failures the account refuses every password, the right one too, for
    # KKMP_LOCKOUT_MINUTES, answering exactly as for a wrong password. A success resets the count; so does the
    # first failure after a lock has run out.

    @staticmethod
    def is_locked(user, now=None):
        return user.locked_until is not None and user.locked_until > (now or utcnow())

    def auth_user_db(self, username, password):
        """Authenticate, refusing locked accounts, and write every success and failure to the audit log."""
        user = self._auth_user_db_unless_locked(username, password)
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
                             username=(username or "")[:100], details={"reason": "bad credentials or locked"})
            self.session.commit()
        except Exception:  # auditing must never turn a login into a 500
            self.session.rollback()
            log.exception("could not write the login audit row")

    def _auth_user_db_unless_locked(self, username, password):
        if username:
            user = self.find_user(username=username) or self.find_user(email=username)
            if user is not None and user.is_active and self.is_locked(user):
                # Same work as a wrong password: one hash check and one write.
                check_password_hash(user.password or current_app.config["AUTH_DB_FAKE_PASSWORD_HASH_CHECK"],
                                    password or "")
                self.noop_user_update(user)
                log.warning("Login refused: account %s is locked until %s UTC", user.username, user.locked_until)
                return None
        return super().auth_user_db(username, password)

    def update_user_auth_stat(self, user, success=True):
        if success:
            user.locked_until = None
            return super().update_user_auth_stat(user, True)
        # Count the failure in the database, not in Python: parallel attempts must not overwrite each other's count.
        threshold = int(current_app.config.get("KKMP_LOCKOUT_THRESHOLD", 5))
        minutes = int(current_app.config.get("KKMP_LOCKOUT_MINUTES", 15))
        model, now = self.user_model, utcnow()
        lock_ran_out = model.locked_until.isnot(None) & (model.locked_until <= now)
        self.session.execute(
            update(model).where(model.id == user.id).values(
                fail_login_count=case((lock_ran_out, 1), else_=func.coalesce(model.fail_login_count, 0) + 1),
                locked_until=case((lock_ran_out, null()), else_=model.locked_until),
            ).execution_options(synchronize_session=False))
        if threshold > 0:
            self.session.execute(
                update(model).where(model.id == user.id, model.locked_until.is_(None),
                                    model.fail_login_count >= threshold)
                .values(locked_until=now + timedelta(minutes=minutes))
                .execution_options(synchronize_session=False))
        self.session.commit()
        self.session.refresh(user)
        if self.is_locked(user, now):
            log.warning("Account %s locked until %s UTC after %s failed logins", user.username, user.locked_until,
                        user.fail_login_count)
        self.on_user_login_failed(user)

    def unlock_user(self, user):
        """Lift a lock and forget the failures (an Admin resetting the password does this too)."""
        user.locked_until = None
        user.fail_login_count = 0
        return self.update_user(user)

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
        return super().reset_password(userid, password)
