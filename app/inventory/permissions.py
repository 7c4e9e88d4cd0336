"""This domain's rights per role, merged into app.security.roles.ROLE_CATALOGUE (anchored regexes).

* Petugas (a kiosk clerk of one cooperative): sells at the counter (form and API POST), receives goods, reads the
  catalogue, prices, stock position and stock card. No ledger screens and no member register: the counter's
  member picker answers from its own endpoint (can_sell).
* Sekretaris: everything the Petugas does, and voids a sale with a reason (can_void).
* Pengurus: also keeps the catalogue: items, locations, suppliers, prices and HET rows (add; items, locations and
  suppliers also edit), and voids.
* Lurah, Camat and Sudin read stock, sales and the LPG logbook of their area, and export.
* Stok opname: Petugas, Sekretaris and Pengurus open and count (can_count); only the Pengurus approves
  (can_approve). Supplier payments (can_pay): Sekretaris and Pengurus. Transfers between locations
  (InvMovement can_transfer): whoever receives goods.
* Nobody edits or deletes a sale, a receipt or a movement: the API answers 405, a void reverses a sale.
"""
RESOURCES = ["InvItem", "InvLocation", "InvSupplier", "InvItemPrice", "InvItemHet", "InvGoodsReceipt", "InvSale",
             "InvStock", "InvMovement", "InvStockCount", "InvSupplierPayment", "InvReport"]
READ = ["can_list", "can_show", "can_get", "can_info", "can_export"]
MENUS = ["Persediaan", "Barang", "Lokasi", "Pemasok", "Harga Jual", "HET", "Penerimaan Barang", "Penjualan",
         "Posisi Stok", "Kartu Stok", "Peringatan Kedaluwarsa", "Stok Opname", "Pembayaran Pemasok",
         "Laporan Persediaan"]
ENTRY_MENUS = ["Kasir", "Pindah Stok"]


def _alt(names):
    return "^(" + "|".join(names) + ")$"


# The Petugas reads neither the reports nor the supplier payments (issue 15: the Sekretaris has "the reports").
OFFICE_ONLY = ["InvReport", "InvSupplierPayment"]
OFFICE_MENUS = ["Laporan Persediaan", "Pembayaran Pemasok"]
_READ = [[_alt(RESOURCES), _alt(READ)], ["^InvSale$", "^can_(receipt|lpg_logbook)$"],
         [_alt(MENUS), "^menu_access$"]]
_CLERK_READ = [[_alt([r for r in RESOURCES if r not in OFFICE_ONLY]), _alt(READ)],
               ["^InvSale$", "^can_(receipt|lpg_logbook)$"],
               [_alt([m for m in MENUS if m not in OFFICE_MENUS]), "^menu_access$"]]
_ENTRY = [["^InvSale$", "^can_(sell|post)$"], ["^InvGoodsReceipt$", "^can_(receive|post)$"],
          ["^InvStockCount$", "^can_count$"], ["^InvMovement$", "^can_transfer$"],
          [_alt(ENTRY_MENUS), "^menu_access$"]]
_VOID = [["^InvSale$", "^can_void$"], ["^InvSupplierPayment$", "^can_pay$"]]
# The LPG buyer's full NIK (each reveal audited): as for members, Pengurus, Sekretaris and Sudin only.
_REVEAL = [["^InvSale$", "^can_reveal_nik$"]]

GRANTS = {
    "Sudin": _READ + _REVEAL,
    "Camat": _READ,
    "Lurah": _READ,
    "Petugas": _CLERK_READ + _ENTRY,
    "Sekretaris": _READ + _ENTRY + _VOID + _REVEAL,
    "Pengurus": _READ + _ENTRY + _VOID + _REVEAL + [
        ["^(InvItem|InvLocation|InvSupplier)$", "^can_(add|edit)$"],
        ["^(InvItemPrice|InvItemHet)$", "^can_add$"],
        ["^InvStockCount$", "^can_approve$"],
    ],
}
