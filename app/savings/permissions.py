"""This domain's rights per role, merged into app.security.roles.ROLE_CATALOGUE.

Format: {"RoleName": [["^ViewOrApiPermissionName$", "^can_(list|show)$"], ...]}; anchor every regex.

* Sekretaris and Pengurus take deposits and withdrawals for their cooperative (forms, Excel import, API POST).
* Pengurus also sets products and wajib rates (and corrects a rate billed wrongly: can_correct), generates the monthly bills, settles a leaving member's savings and
  reverses (koreksi) a transaction entered by mistake (form and API: can_reverse).
* Everyone who reads savings reads the exit settlements (ExitSettlement: list, show, export; no writes there).
* Lurah, Camat and Sudin read, see the arrears and the passbooks, and export within their area.
* Nobody (but Admin, who has everything) holds can_put/can_delete on transactions; even then the API answers 405.
"""
RESOURCES = ["SavingsProduct", "WajibRate", "WajibBill", "SavingsTransaction", "ExitSettlement"]
READ = ["can_list", "can_show", "can_get", "can_info", "can_export"]
MENUS = ["Simpanan", "Transaksi Simpanan", "Tagihan Wajib", "Produk Simpanan", "Tarif Wajib", "Tunggakan Wajib",
         "Pelunasan Keluar"]
ENTRY_MENUS = ["Setoran Simpanan", "Penarikan Sukarela", "Impor Setoran"]


def _alt(names):
    return "^(" + "|".join(names) + ")$"


_READ = [[_alt(RESOURCES), _alt(READ)], ["^SavingsTransaction$", "^can_(arrears|passbook)$"],
         [_alt(MENUS), "^menu_access$"]]
_ENTRY = [["^SavingsTransaction$", "^can_(deposit|withdraw|import_xlsx|post)$"], [_alt(ENTRY_MENUS), "^menu_access$"]]

GRANTS = {
    "Sudin": _READ,
    "Camat": _READ,
    "Lurah": _READ,
    "Sekretaris": _READ + _ENTRY,
    "Pengurus": _READ + _ENTRY + [
        ["^(SavingsProduct)$", "^can_(add|edit)$"],
        ["^WajibRate$", "^can_(add|correct)$"],
        ["^WajibBill$", "^can_generate$"],
        ["^SavingsTransaction$", "^can_(exit_settlement|reverse)$"],
    ],
}
