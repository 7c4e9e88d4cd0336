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
