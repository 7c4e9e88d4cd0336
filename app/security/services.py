"""Roles, permissions and users: the operations behind `flask kkmp init` and `create-user`."""
from flask import current_app

from app.extensions import appbuilder, db

from .roles import ROLE_NAMES


def sync_roles_and_permissions():
    """Create every role and every view/API permission; safe to run on every deploy.

    FAB's own boot-time sync is off (several workers would race), so this is the one place permissions are written.
    Admin is a database role and receives every permission; the others are FAB builtin roles (``FAB_ROLES``)
    whose rights live in code, so their rows only need to exist for users to hold them.
    """
    sm = appbuilder.sm
    for name in ROLE_NAMES + [current_app.config["AUTH_ROLE_PUBLIC"]]:
        sm.add_role(name)
    appbuilder.add_permissions(update_perms=True)
    admin = sm.find_role(current_app.config["AUTH_ROLE_ADMIN"])
    # add_permissions_view grants new pairs to Admin; menus too. Re-grant anything missing (e.g. after a restore).
    existing = set(admin.permissions)
    for pv in db.session.query(sm.permissionview_model).all():
        if pv not in existing:
            admin.permissions.append(pv)
    db.session.commit()
    return [r.name for r in sm.get_all_roles()]


# -- scopes and grants (design.md §1, issue 3 §3) ----------------------------------------------------------

ROLE_SCOPE_LEVEL = {"Sudin": 2, "Camat": 3, "Lurah": 4}
COOP_ROLES = {"Pengurus", "Sekretaris", "Petugas"}


def resolve_scope(role_name, code, session=None):
    """Turn what an operator typed into a user's one scope: ``(region_code, cooperative_id)``.

    Sudin takes a city code, Camat a kecamatan code, Lurah a kelurahan code; Pengurus and Sekretaris take the
    kelurahan code of their cooperative. Admin has no scope.
    """
    session = session or db.session
    if role_name == current_app.config["AUTH_ROLE_ADMIN"]:
        return None, None
    with session.no_autoflush:  # the user being created is not in the session yet
        return _resolve_scope(session, role_name, code)


def _resolve_scope(session, role_name, code):
    from flask_babel import lazy_gettext as _l
    from sqlalchemy import select

    from app.cooperatives.models import Cooperative
    from app.core.errors import ValidationFailed
    from app.core.identifiers import check_region_code
    from app.core.scope import unscoped
    from app.regions.models import Region

    code = check_region_code(code, "scope_code")
    if not code:
        raise ValidationFailed(_l("Every role but Admin needs a scope: a region code or a cooperative."),
                               "scope_code")
    level = code.count(".") + 1
    if session.execute(select(Region.code).where(Region.code == code), execution_options=unscoped()).first() is None:
        raise ValidationFailed(_l("%(code)s is not in the Kemendagri region list.", code=code), "scope_code")
    if role_name in COOP_ROLES:
        coop_id = session.execute(select(Cooperative.id).where(Cooperative.region_code == code),
                                  execution_options=unscoped()).scalar()
        if coop_id is None:
            raise ValidationFailed(_l("There is no KKMP registered for kelurahan %(code)s.", code=code),
                                   "scope_code")
        return None, coop_id
    wanted = ROLE_SCOPE_LEVEL.get(role_name)
    if wanted and level != wanted:
        raise ValidationFailed(_l("%(role)s needs a %(kind)s code, for example %(example)s.", role=role_name,
                                  kind={2: "kota/kabupaten", 3: "kecamatan", 4: "kelurahan"}[wanted],
                                  example={2: "31.73", 3: "31.73.05", 4: "31.73.05.1001"}[wanted]), "scope_code")
    return code, None


def scope_code_of(user):
    """The code an operator would type for this user's scope (inverse of resolve_scope)."""
    if user.scope_region_code:
        return user.scope_region_code
    if user.scope_cooperative_id:
        from app.cooperatives.models import Cooperative
        from app.core.scope import unscoped
        from sqlalchemy import select

        return db.session.execute(select(Cooperative.region_code).where(
            Cooperative.id == user.scope_cooperative_id), execution_options=unscoped()).scalar()
    return ""


def _city_of_coop(coop_id):
    from app.cooperatives.models import Cooperative
    from app.core.scope import unscoped
    from sqlalchemy import select

    with db.session.no_autoflush:  # a user being created may hang off the session's roles
        return db.session.execute(select(Cooperative.city_code).where(Cooperative.id == coop_id),
                                  execution_options=unscoped()).scalar()


def user_city(user):
    """The city code a user's scope lies in (None for Admin or a province-wide scope)."""
    if user.scope_region_code and user.scope_region_code.count(".") >= 1:
        return user.scope_region_code[:5]
    if user.scope_cooperative_id:
        return _city_of_coop(user.scope_cooperative_id)
    return None


def check_grant(acting_user, role_names, region_code, coop_id, target=None):
    """Server-side rules for who may give which role and scope to whom.

    Admin may do anything. A Sudin may give only Camat, Lurah, Pengurus or Sekretaris, with a scope inside
    their own city, and may never touch an Admin or Sudin account. Everyone else grants nothing.
    """
    from flask_babel import lazy_gettext as _l

    from app.core.errors import DomainError, ValidationFailed

    from .roles import GRANTABLE_BY_SUDIN

    admin_role = current_app.config["AUTH_ROLE_ADMIN"]
    acting_roles = {r.name for r in acting_user.roles}
    if len(role_names) != 1:
        raise ValidationFailed(_l("Give each user exactly one role."), "roles")
    if admin_role in acting_roles:
        return
    if "Sudin" not in acting_roles:
        raise DomainError(_l("Only Admin and Sudin manage users."))
    if target is not None and {r.name for r in target.roles} & {admin_role, "Sudin"}:
        raise DomainError(_l("A Sudin cannot change Admin or Sudin accounts."))
    if not set(role_names) <= set(GRANTABLE_BY_SUDIN):
        raise ValidationFailed(_l("A Sudin may grant only the roles %(roles)s.",
                                  roles=", ".join(GRANTABLE_BY_SUDIN)), "roles")
    city = acting_user.scope_region_code
    target_city = region_code[:5] if region_code else _city_of_coop(coop_id)
    if not city or not target_city or not (target_city + ".").startswith(city + "."):
        raise ValidationFailed(_l("The scope must lie inside your city %(city)s.", city=city), "scope_code")


def create_user(username, role_name, scope_code, password, email=None, first_name=None, last_name=None,
                acting_user=None):
    """Create a user with one role and one scope (the CLI and seeding path; the UI goes through the user view)."""
    from app.core.errors import ValidationFailed

    from .passwords import check_password

    sm = appbuilder.sm
    role = sm.find_role(role_name)
    if role is None:
        raise ValidationFailed(f"Unknown role {role_name!r}", "role")
    if sm.find_user(username=username):
        raise ValidationFailed(f"User {username!r} already exists", "username")
    check_password(password, username)
    region_code, coop_id = resolve_scope(role_name, scope_code)
    if acting_user is not None:
        check_grant(acting_user, [role_name], region_code, coop_id)
    user = sm.add_user(username, first_name or username, last_name or "-", email or f"{username}@kkmp.invalid",
                       [role], password=password)
    if not user:
        raise ValidationFailed(f"Could not create user {username!r}", "username")
    user.scope_region_code = region_code
    user.scope_cooperative_id = coop_id
    db.session.commit()
    return user


# -- password resets of several users at once (the user list's "Reset Password" action) ------------------------------

# No 0/O, 1/l/I: the Sudin reads these out or writes them down for each user.
TEMPORARY_PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


def temporary_password():
    """A random password for one user to sign in with and then replace (15 letters and digits, ~74 bits)."""
    import secrets

    from .passwords import PasswordPolicyError, check_password

    while True:
        groups = ["".join(secrets.choice(TEMPORARY_PASSWORD_ALPHABET) for _ in range(5)) for _ in range(3)]
        password = "-".join(groups)
        try:
            check_password(password)
        except PasswordPolicyError:  # astronomically rare (a common word by chance): draw again
            continue
        return password


def do_reset_passwords(acting_user, user_ids):
    """Give each of these users a new random password, in one transaction, and return ``[(username, password)]``.

    Who may: Admin anyone but themselves; a Sudin the Camat, Lurah, Pengurus and Sekretaris of their own city (the
    rules of :func:`check_grant`). One user out of reach refuses the whole request and changes nothing. Each reset
    ends every session and token of that user (the password change raises the session generation,
    app/security/sessions.py), unlocks the account and writes a ``password_reset`` audit row; the new passwords
    themselves are shown once to the acting user and stored nowhere but as hashes.
    """
    from flask_babel import lazy_gettext as _l
    from werkzeug.security import generate_password_hash

    from app.core.audit import record_event
    from app.core.errors import DomainError, ValidationFailed

    from .models import KkmpUser

    ids = sorted({int(i) for i in user_ids})
    if not ids:
        raise ValidationFailed(_l("Select at least one user."), "rowid")
    users = db.session.query(KkmpUser).filter(KkmpUser.id.in_(ids)).order_by(KkmpUser.username).all()
    if len(users) != len(ids):
        raise DomainError(_l("One of the selected users is not yours to manage."))
    admin_role = current_app.config["AUTH_ROLE_ADMIN"]
    acting_is_admin = admin_role in {r.name for r in acting_user.roles}
    for user in users:
        if user.id == acting_user.id:
            raise DomainError(_l("Change your own password with \"Reset my password\", not in this list."))
        if acting_is_admin:
            continue
        protected = {r.name for r in user.roles} & {admin_role, "Sudin"}
        if "Sudin" not in {r.name for r in acting_user.roles} or protected or not _in_city(user, acting_user):
            raise DomainError(_l("One of the selected users is not yours to manage."))
    method = current_app.config.get("FAB_PASSWORD_HASH_METHOD", "scrypt")
    salt_length = current_app.config.get("FAB_PASSWORD_HASH_SALT_LENGTH", 16)
    issued = []
    try:
        for user in users:
            password = temporary_password()
            user.password = generate_password_hash(password, method=method, salt_length=salt_length)
            user.fail_login_count, user.locked_until = 0, None
            record_event(db.session, "password_reset", table_name="ab_user", record_id=user.id,
                         cooperative_id=user.scope_cooperative_id, region_code=user.scope_region_code,
                         details={"user": user.username, "how": "bulk"})
            issued.append((user.username, password))
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return issued


def _in_city(user, acting_user):
    city = acting_user.scope_region_code
    target = user_city(user)
    return bool(city and target and (target + ".").startswith(city + "."))


LOOKUP_PAGE = 20


def scope_region_choices(acting_user, text, page=1):
    """Regions a user manager may give as a scope, for the picker of the user form: Admin any region, a Sudin
    the kecamatan and kelurahan of their own city (the server checks the grant again on save, check_grant).
    Matches the code's start or any part of the name; one page of 20 in code order, and whether more follow."""
    from sqlalchemy import func, select

    from app.core.scope import unscoped
    from app.regions.models import KIND_LABELS, Region

    role_names = {r.name for r in acting_user.roles}
    stmt = select(Region.code, Region.name, Region.kind)
    if current_app.config["AUTH_ROLE_ADMIN"] not in role_names:
        city = acting_user.scope_region_code if "Sudin" in role_names else None
        if not city:
            return [], False
        stmt = stmt.where(Region.code.startswith(city + ".", autoescape=True))
    text = (text or "").strip()[:60]
    if text:
        if text[0].isdigit():
            stmt = stmt.where(Region.code.startswith(text, autoescape=True))
        else:
            stmt = stmt.where(func.lower(Region.name).contains(text.lower(), autoescape=True))
    page = max(1, page)
    rows = db.session.execute(stmt.order_by(Region.code).offset((page - 1) * LOOKUP_PAGE).limit(LOOKUP_PAGE + 1),
                              execution_options=unscoped()).all()

    def label(code, name, kind):  # cities already carry Kota/Kabupaten in their name (Region.full_name)
        return f"{code} {KIND_LABELS[kind]} {name}" if kind in ("kecamatan", "kelurahan", "desa") else f"{code} {name}"

    items = [(code, label(code, name, kind)) for code, name, kind in rows[:LOOKUP_PAGE]]
    return items, len(rows) > LOOKUP_PAGE
