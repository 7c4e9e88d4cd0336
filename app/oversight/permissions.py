"""This domain's rights per role, merged into app.security.roles.ROLE_CATALOGUE.

* Everyone in the chain reads the monthly reports of their area (list, show, export, API get) and the waiting list.
* Pengurus submits (can_submit); Lurah, Camat and Sudin approve or send back (can_approve, can_send_back). Whose
  turn it is, the service decides (409 otherwise); a role without the permission is refused with 403 before.
* Sekretaris reads (the month's review status is on their home page too).
* The dashboard API (``/api/v1/dashboard/``) answers every role its own home-page figures.
"""
RESOURCE = "MonthlyReport"
READ = ["can_list", "can_show", "can_get", "can_info", "can_export", "can_waiting"]
MENUS = ["Laporan Bulanan", "Ekspor SIMKOPDES"]


def _alt(names):
    return "^(" + "|".join(names) + ")$"


_READ = [[f"^{RESOURCE}$", _alt(READ)], [_alt(MENUS), "^menu_access$"], ["^Dashboard$", "^can_get$"],
         ["^SimkopdesExport$", "^can_export$"]]
# The navbar entry with the count of what waits: for those who act in the chain (not the Sekretaris).
_WAITING_MENU = [["^Menunggu Tinjauan$", "^menu_access$"]]
_REVIEW = [[f"^{RESOURCE}$", "^can_(approve|send_back)$"]] + _WAITING_MENU

GRANTS = {
    "Sudin": _READ + _REVIEW,
    "Camat": _READ + _REVIEW,
    "Lurah": _READ + _REVIEW,
    "Pengurus": _READ + [[f"^{RESOURCE}$", "^can_(submit|post)$"]] + _WAITING_MENU,
    "Sekretaris": _READ,
    # The kiosk clerk: their home page's figure lists and table exports, and the dashboard API (nothing else here).
    "Petugas": [["^Dashboard$", "^can_get$"]],
}
