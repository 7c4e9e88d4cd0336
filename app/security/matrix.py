"""The permission matrix, computed from the registered views and the role catalogue (shown in the README)."""
from flask import current_app

from .roles import ROLE_NAMES

SHORT = {"can_list": "L", "can_show": "S", "can_get": "G", "can_info": "I", "can_export": "X", "can_add": "A",
         "can_edit": "E", "can_delete": "D", "can_post": "P", "can_put": "U"}


def permission_matrix(appbuilder):
    """Rows of (resource, {role: letters}) for every view and API with a permission name."""
    sm = appbuilder.sm
    rows = {}
    for view in appbuilder.baseviews:
        resource = getattr(view, "class_permission_name", None)
        perms = set(getattr(view, "base_permissions", None) or [])
        if not resource or not perms or perms <= {"can_this_form_get", "can_this_form_post"}:
            continue  # self-service forms (own password, own profile): every signed-in user
        rows.setdefault(resource, set()).update(perms)
    table = []
    for resource in sorted(rows):
        cells = {}
        for role_name in ROLE_NAMES:
            if role_name == current_app.config["AUTH_ROLE_ADMIN"]:
                granted = rows[resource]
            else:
                role = sm.find_role(role_name)
                granted = {p for p in rows[resource] if role is not None
                           and sm._has_access_builtin_roles(role, p, resource)}
            short = sorted(SHORT.get(p, "") for p in granted if p in SHORT)
            extra = sorted(p for p in granted if p not in SHORT and not p.startswith("can_this_form"))
            cells[role_name] = "".join(short) + (" +" + ",".join(extra) if extra else "")
        table.append((resource, cells))
    return table


def permission_matrix_markdown(appbuilder):
    lines = ["| resource | " + " | ".join(ROLE_NAMES) + " |", "|---" * (len(ROLE_NAMES) + 1) + "|"]
    for resource, cells in permission_matrix(appbuilder):
        lines.append(f"| {resource} | " + " | ".join(cells[r] or "–" for r in ROLE_NAMES) + " |")
    lines.append("")
    lines.append("L list, S show, X export, A add, E edit, D delete; API: G get, I _info, P post, U put; "
                 "`+name` other actions. Every role also reads and edits its own profile.")
    return "\n".join(lines)
