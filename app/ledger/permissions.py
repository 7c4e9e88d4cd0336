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

# Imports of saldo awal and buku kas (import_views.py): Pengurus imports; Sekretaris and supervisors read the history.
_IMPORT_READ = [["^LedgerImport$", "^(can_list|can_show|can_export)$"], ["^Riwayat Impor$", "^menu_access$"]]
GRANTS["Pengurus"] = GRANTS["Pengurus"] + _IMPORT_READ + [
    ["^LedgerImport$", "^can_import$"], ["^(Impor Saldo Awal|Impor Buku Kas)$", "^menu_access$"]]
for _role in ("Sekretaris", "Lurah", "Camat", "Sudin"):
    GRANTS[_role] = GRANTS[_role] + _IMPORT_READ

# Accounting reports (statement_views.py): every ledger reader reads and exports them for the cooperatives in their
# scope; the Sudin also has the consolidated view of the city.
_REPORT_MENUS = ["Neraca Saldo", "Buku Besar", "Buku Kas", "Buku Bank", "Laporan Posisi Keuangan",
                 "Laporan Hasil Usaha", "Laporan Perubahan Ekuitas", "Laporan Arus Kas"]
_REPORTS = [["^LedgerReport$", "^(can_read|can_export)$"], [_alt(_REPORT_MENUS), "^menu_access$"]]
for _role in ("Pengurus", "Sekretaris", "Lurah", "Camat", "Sudin"):
    GRANTS[_role] = GRANTS[_role] + _REPORTS
GRANTS["Sudin"] = GRANTS["Sudin"] + [["^LedgerConsolidated$", "^(can_read|can_export)$"],
                                     ["^Laporan Konsolidasi$", "^menu_access$"]]
