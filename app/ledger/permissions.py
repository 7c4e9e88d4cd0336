"""This domain's rights per role, merged into app.security.roles.ROLE_CATALOGUE.

Format: {"RoleName": [["^ViewOrApiPermissionName$", "^can_(list|show)$"], ...]}; anchor every regex.

* Pengurus: every ledger write of its cooperative: post (form and API), reverse, close a month and the year,
  add / rename / deactivate / delete unused accounts.
* Sekretaris, Lurah, Camat: read (no posting, no closing).
* Sudin: read, and reopen a closed month (with a reason). Admin has every permission.
"""
RESOURCES = ["Account", "JournalEntry", "JournalLine", "Period"]
READ = ["can_list", "can_show", "can_get", "can_info", "can_export"]
MENUS = ["Pembukuan", "Bagan Akun", "Jurnal Umum", "Periode Akuntansi"]


def _alt(names):
    return "^(" + "|".join(names) + ")$"


_READ = [[_alt(RESOURCES), _alt(READ)], [_alt(MENUS), "^menu_access$"]]

GRANTS = {
    "Pengurus": _READ + [
        ["^Account$", _alt(["can_add", "can_edit", "can_delete", "can_post", "can_put"])],
        ["^JournalEntry$", _alt(["can_post_entry", "can_reverse"])],
        ["^Period$", "^(can_close|can_close_year)$"],
        ["^Input Jurnal$", "^menu_access$"],
    ],
    "Sekretaris": _READ,
    "Lurah": _READ,
    "Camat": _READ,
    "Sudin": _READ + [["^Period$", "^can_reopen$"]],
}
