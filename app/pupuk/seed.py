"""National reference data of the fertiliser module, written by the migration (kkmp-domain.md §3.2, §3.4)."""
from datetime import date
from decimal import Decimal

D = Decimal
# (code, name, sack kg)
TYPES = [("urea", "Urea", D("50")), ("npk", "NPK", D("50")), ("npk_khusus", "NPK formula khusus", D("50")),
         ("za", "ZA", D("50")), ("organik", "Organik", D("40"))]
HET_CUT = date(2025, 10, 22)
BEFORE = date(2020, 1, 1)
# code -> (HET until 21 Oct 2025, HET from 22 Oct 2025), Rp/kg
HETS = {"urea": (D("2250"), D("1800")), "npk": (D("2300"), D("1840")), "npk_khusus": (D("3300"), D("2640")),
        "za": (D("1700"), D("1360")), "organik": (D("800"), D("640"))}
HET_BASIS_BEFORE = "Kepmentan 800/KPTS/SR.310/M/09/2025 (HET sebelum 22 Okt 2025)"
HET_BASIS_AFTER = "Kepmentan 1117/Kpts./SR.310/M/10/2025 (HET turun 20 %)"
ELIGIBILITY_FROM = date(2025, 1, 1)
MAX_LAND_HA = D("2")
COMMODITY_CODES = ["padi", "jagung", "kedelai", "ubi_kayu", "cabai", "bawang_merah", "bawang_putih", "tebu", "kakao",
                   "kopi"]
ELIGIBILITY_BASIS = "Perpres 6/2025, Permentan 15/2025"
