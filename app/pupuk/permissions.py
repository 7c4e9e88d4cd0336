"""This domain's rights per role, merged into app.security.roles.ROLE_CATALOGUE (anchored regexes).

* Petugas (kiosk clerk): the kiosk screen (redeem, form and API POST), receipts, reads farmers, allocations, the
  HET table and the redemptions.
* Sekretaris and Pengurus: also register farmers and poktan, enter and import allocations, reverse a redemption,
  reveal a farmer's NIK (audited), read the realisation report.
* Lurah, Camat and Sudin read farmers, allocations, redemptions and the realisation report of their area.
* Nobody edits or deletes a redemption: a reversal corrects it.
* Every role above reads the HET table and the eligibility versions; a new version of either (``can_set_het`` on
  PupukHet, ``can_set_eligibility`` on PupukEligibility) is Admin's alone: granted here to nobody, since Admin
  holds every permission. Nobody edits or deletes a version.
"""
RESOURCES = ["PupukFarmer", "PupukPoktan", "PupukAllocation", "PupukHet", "PupukEligibility", "PupukRedemption"]
READ = ["can_list", "can_show", "can_get", "can_info", "can_export"]
MENUS = ["Petani", "Kelompok Tani", "Alokasi Pupuk", "HET Pupuk", "Syarat Penerima Pupuk", "Penebusan Pupuk"]


def _alt(names):
    return "^(" + "|".join(names) + ")$"


_READ = [[_alt(RESOURCES), _alt(READ)], [_alt(MENUS), "^menu_access$"], ["^PupukRedemption$", "^can_receipt$"]]
_REPORT = [["^PupukReport$", "^can_report$"], ["^(Realisasi Pupuk|Laporan Bulanan Pupuk)$", "^menu_access$"]]
_REDEEM = [["^PupukRedemption$", "^can_(redeem|post)$"], ["^Kios Pupuk$", "^menu_access$"]]
_KEEP = [["^PupukFarmer$", "^can_(register|reveal_nik)$"], ["^PupukPoktan$", "^can_(add|edit)$"],
         ["^PupukAllocation$", "^can_(entry|rdkk_import)$"], ["^PupukRedemption$", "^can_reverse$"]]

GRANTS = {
    "Sudin": _READ + _REPORT + [["^PupukFarmer$", "^can_reveal_nik$"]],
    "Camat": _READ + _REPORT,
    "Lurah": _READ + _REPORT,
    "Petugas": _READ + _REDEEM,
    "Sekretaris": _READ + _REPORT + _REDEEM + _KEEP,
    "Pengurus": _READ + _REPORT + _REDEEM + _KEEP,
}
