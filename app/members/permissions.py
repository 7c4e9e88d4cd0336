"""This domain's rights per role, merged into app.security.roles.ROLE_CATALOGUE.

Format: {"RoleName": [["^ViewOrApiPermissionName$", "^can_(list|show)$"], ...]}; anchor every regex.

* Sekretaris and Pengurus enter and edit members of their cooperative (screens, Excel import, API);
  only Pengurus changes a membership's status (approve, activate, refuse, end) - the services check it again.
* Lurah, Camat and Sudin read and export within their area (the scope layer decides the rows).
* The full NIK (each reveal audited): Pengurus, Sekretaris, Sudin; never Lurah or Camat.
"""

READ = "^(can_list|can_show|can_get|can_info|can_export)$"
ENTRY = "^(can_add|can_edit|can_post|can_put)$"
MENUS = [["^(Keanggotaan|Anggota|Rekap Anggota)$", "^menu_access$"]]
COUNTS = [["^MemberCount$", "^can_list$"]]
REVEAL = [["^Member$", "^can_reveal_nik$"]]

GRANTS = {
    "Sudin": [["^Member$", READ]] + REVEAL + COUNTS + MENUS,
    "Camat": [["^Member$", READ]] + COUNTS + MENUS,
    "Lurah": [["^Member$", READ]] + COUNTS + MENUS,
    "Pengurus": [["^Member$", READ], ["^Member$", ENTRY], ["^Member$", "^can_set_status$"]] + REVEAL + COUNTS
    + MENUS,
    "Sekretaris": [["^Member$", READ], ["^Member$", ENTRY]] + REVEAL + COUNTS + MENUS,
}
