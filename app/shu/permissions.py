"""This domain's rights per role, merged into app.security.roles.ROLE_CATALOGUE.

* Pengurus: sets the SHU rule, computes the worksheet, keeps the RAT record and moves it to held / reported,
  posts the distribution, pays members' SHU.
* Sekretaris: reads, pays members' SHU (cash or to sukarela).
* Lurah, Camat: read the SHU, the RAT status and its package within their area.
* Sudin: reads, and verifies a reported RAT.
"""
RESOURCES = ["ShuRule", "RatMeeting"]
READ = ["can_list", "can_show", "can_get", "can_info", "can_export"]
MENUS = ["SHU dan RAT", "Pembagian SHU", "Aturan SHU", "Status RAT"]


def _alt(names):
    return "^(" + "|".join(names) + ")$"


_READ = [[_alt(RESOURCES), _alt(READ)], ["^Shu$", "^can_read$"], [_alt(MENUS), "^menu_access$"]]

GRANTS = {
    "Pengurus": _READ + [["^Shu$", "^can_(compute|distribute|pay|rule|rat)$"], ["^ShuRule$", "^can_post$"]],
    "Sekretaris": _READ + [["^Shu$", "^can_pay$"]],
    "Lurah": _READ,
    "Camat": _READ,
    "Sudin": _READ + [["^Shu$", "^can_verify$"]],
}
