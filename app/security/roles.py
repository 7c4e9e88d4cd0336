"""The role catalogue, reviewed as data (design.md §1).

Admin stays a database role, so FAB grants it every permission `flask kkmp init` creates. The other roles are
FAB builtin roles (``FAB_ROLES``): checked in memory by anchored regexes, so a permission check costs no query
and nobody can widen a role from the UI.
"""

# Resources (FAB view/API permission names) grouped by domain; views set class_permission_name to these.
REGISTRY = ["Cooperative", "BusinessUnit", "OrganMember"]
REFERENCE = ["Region"]

READ = ["can_list", "can_show", "can_get", "can_info", "can_export"]
WRITE = ["can_add", "can_edit", "can_delete", "can_post", "can_put"]

ROLE_NAMES = ["Admin", "Sudin", "Camat", "Lurah", "Pengurus", "Sekretaris", "Petugas"]
SCOPED_ROLES = ["Sudin", "Camat", "Lurah", "Pengurus", "Sekretaris", "Petugas"]
# Which roles a Sudin may grant (issue 3); enforced on the server in the user admin.
GRANTABLE_BY_SUDIN = ["Camat", "Lurah", "Pengurus", "Sekretaris", "Petugas"]

MENUS_READ = ["Wilayah", "Registri", "Dasbor", "Koperasi", "Unit Usaha", "Pengurus & Pengawas", "Daftar Wilayah"]


def _alt(names):
    return "^(" + "|".join(names) + ")$"


def _pairs(resources, permissions):
    return [[_alt(resources), _alt(permissions)]]


def _menus(names):
    return [[_alt(names), "^menu_access$"]]


ROLE_CATALOGUE = {
    "Sudin": _pairs(REFERENCE + REGISTRY, READ) + _pairs(["Cooperative"], ["can_edit", "can_put"])
    + _pairs(["AuditEvent"], ["can_list", "can_show", "can_export"])
    + _menus(MENUS_READ + ["Pengawasan", "Log Audit", "Log Keamanan"])
    + [["^HomeView$", "^can_index$"]],
    "Camat": _pairs(REFERENCE + REGISTRY, READ) + _menus(MENUS_READ) + [["^HomeView$", "^can_index$"]],
    "Lurah": _pairs(REFERENCE + REGISTRY, READ) + _menus(MENUS_READ) + [["^HomeView$", "^can_index$"]],
    "Pengurus": _pairs(REFERENCE, READ) + _pairs(REGISTRY, READ)
    + _pairs(["BusinessUnit", "OrganMember"], WRITE) + _pairs(["Cooperative"], ["can_edit", "can_put"])
    + _menus(MENUS_READ) + [["^HomeView$", "^can_index$"]],
    "Sekretaris": _pairs(REFERENCE, READ) + _pairs(REGISTRY, READ)
    + _pairs(["BusinessUnit", "OrganMember"], WRITE)
    + _menus(MENUS_READ) + [["^HomeView$", "^can_index$"]],
    # A kiosk clerk (issue 15): the counter, goods received and stock of one cooperative; nothing of the registry
    # but what every signed-in user sees, no ledger, no member register (app.inventory.permissions).
    "Petugas": [["^HomeView$", "^can_index$"]],
}


# Every signed-in user may see and edit their own profile and change their own password.
SELF_SERVICE = [
    ["^UserDBModelView$", "^(can_userinfo|resetmypassword|userinfoedit)$"],
    ["^(ResetMyPasswordView|UserInfoEditView)$", "^can_this_form_(get|post)$"],
]
# A Sudin manages the users of their city (the view's filter and check_grant keep it inside the city).
USER_ADMIN = [
    ["^UserDBModelView$", "^(can_list|can_show|can_add|can_edit|resetpasswords|can_resetpasswords)$"],
    ["^(List Users|Security)$", "^menu_access$"],
]
ROLE_CATALOGUE["Sudin"] = ROLE_CATALOGUE["Sudin"] + USER_ADMIN
# Who may see a full NIK (each reveal is audited): the cooperative's own board and secretary, and the Sudin.
for _name in ("Sudin", "Pengurus", "Sekretaris"):
    ROLE_CATALOGUE[_name] = ROLE_CATALOGUE[_name] + [["^OrganMember$", "^can_reveal_nik$"]]
for _name in ROLE_CATALOGUE:
    ROLE_CATALOGUE[_name] = ROLE_CATALOGUE[_name] + SELF_SERVICE


def _merge_domain_grants():
    from app.panduan.permissions import GRANTS as HELP
    from app.ledger.permissions import GRANTS as LEDGER
    from app.members.permissions import GRANTS as MEMBERS
    from app.savings.permissions import GRANTS as SAVINGS
    from app.inventory.permissions import GRANTS as INVENTORY
    from app.jobs.permissions import GRANTS as JOBS
    from app.shu.permissions import GRANTS as SHU

    from app.oversight.permissions import GRANTS as OVERSIGHT
    from app.pupuk.permissions import GRANTS as PUPUK

    for grants in (MEMBERS, SAVINGS, LEDGER, SHU, HELP, INVENTORY, JOBS, OVERSIGHT, PUPUK):
        for role, pairs in grants.items():
            ROLE_CATALOGUE[role] = ROLE_CATALOGUE[role] + [list(p) for p in pairs]


_merge_domain_grants()


def fab_roles():
    """The FAB_ROLES mapping handed to FAB's config."""
    return {name: [list(pair) for pair in pairs] for name, pairs in ROLE_CATALOGUE.items()}

# Roles that never write, whatever URL or method they try: the scope layer gives them an empty write scope.
READ_ONLY_ROLES = {"Camat", "Lurah"}
# Roles that write for their own cooperative.
WRITING_COOP_ROLES = {"Pengurus", "Sekretaris", "Petugas"}
