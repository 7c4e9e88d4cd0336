"""The KKMP template chart of accounts (kkmp-domain.md §1.6) and the default purpose mapping.

Pure data: ``ensure_chart_of_accounts`` copies it into every cooperative's own ``account`` rows. Codes are 6 digits,
hierarchical: the parent of an account is the nearest shorter code prefix padded with zeros that exists in the chart
(``411100`` -> ``411000`` -> ``410000`` -> ``400000``). Group rows (``is_header``) only sum their children; postings go
to leaf accounts.

Revenue is split per business unit into "dari anggota" and "dari non-anggota" sub-accounts so that the PHU can show
member and non-member results separately (UU 25/1992 Pasal 45). Simpanan pokok and wajib are equity and simpanan
sukarela a liability by default; a cooperative may point a purpose at another account (``AccountPurpose``).
"""

KINDS = ["aset", "kewajiban", "ekuitas", "pendapatan", "hpp", "beban"]
KIND_LABELS = {"aset": "Aset", "kewajiban": "Kewajiban", "ekuitas": "Ekuitas", "pendapatan": "Pendapatan",
               "hpp": "Harga pokok penjualan", "beban": "Beban"}
# Normal balance: D (debit) or K (kredit).
NORMAL_BALANCE = {"aset": "D", "kewajiban": "K", "ekuitas": "K", "pendapatan": "K", "hpp": "D", "beban": "D"}
# Nominal accounts are closed into SHU tahun berjalan at year end; the others carry their balance forward.
NOMINAL_KINDS = ("pendapatan", "hpp", "beban")
MEMBER_FLAGS = ["anggota", "non_anggota"]

# (code, name, kind, is_header, member_flag)
TEMPLATE = [
    ("100000", "ASET", "aset", True, None),
    ("110000", "Aset lancar", "aset", True, None),
    ("111000", "Kas", "aset", False, None),
    ("112000", "Bank", "aset", False, None),
    ("113000", "Piutang", "aset", True, None),
    ("113100", "Piutang anggota", "aset", False, None),
    ("113200", "Piutang usaha", "aset", False, None),
    ("114000", "Persediaan barang dagangan", "aset", False, None),
    ("115000", "Uang muka dan biaya dibayar dimuka", "aset", False, None),
    ("116000", "Persediaan pupuk bersubsidi", "aset", False, None),
    ("120000", "Aset tetap", "aset", False, None),
    ("129000", "Akumulasi penyusutan aset tetap", "aset", False, None),
    ("200000", "KEWAJIBAN", "kewajiban", True, None),
    ("211000", "Simpanan sukarela anggota", "kewajiban", False, None),
    ("212000", "Utang usaha", "kewajiban", False, None),
    ("213000", "Utang SHU anggota", "kewajiban", False, None),
    ("214000", "Dana pengurus, karyawan, pendidikan dan sosial", "kewajiban", False, None),
    ("215000", "Utang pajak", "kewajiban", False, None),
    ("220000", "Utang bank jangka panjang", "kewajiban", False, None),
    ("300000", "EKUITAS", "ekuitas", True, None),
    ("311000", "Simpanan pokok", "ekuitas", False, None),
    ("312000", "Simpanan wajib", "ekuitas", False, None),
    ("313000", "Modal penyertaan", "ekuitas", False, None),
    ("314000", "Hibah / donasi", "ekuitas", False, None),
    ("315000", "Cadangan", "ekuitas", False, None),
    ("316000", "SHU tahun berjalan", "ekuitas", False, None),
    ("317000", "SHU belum dibagi", "ekuitas", False, None),
    ("400000", "PENDAPATAN", "pendapatan", True, None),
    ("411000", "Penjualan gerai sembako", "pendapatan", True, None),
    ("411100", "Penjualan sembako dari anggota", "pendapatan", False, "anggota"),
    ("411200", "Penjualan sembako dari non-anggota", "pendapatan", False, "non_anggota"),
    ("412000", "Penjualan LPG 3 kg", "pendapatan", True, None),
    ("412100", "Penjualan LPG dari anggota", "pendapatan", False, "anggota"),
    ("412200", "Penjualan LPG dari non-anggota", "pendapatan", False, "non_anggota"),
    ("413000", "Penjualan pupuk", "pendapatan", True, None),
    ("413100", "Penjualan pupuk dari anggota", "pendapatan", False, "anggota"),
    ("413200", "Penjualan pupuk dari non-anggota", "pendapatan", False, "non_anggota"),
    ("413300", "Penjualan pupuk bersubsidi kepada anggota", "pendapatan", False, "anggota"),
    ("413400", "Penjualan pupuk bersubsidi kepada non-anggota", "pendapatan", False, "non_anggota"),
    ("414000", "Jasa simpan pinjam", "pendapatan", True, None),
    ("414100", "Jasa pinjaman dari anggota", "pendapatan", False, "anggota"),
    ("414200", "Jasa pinjaman dari non-anggota", "pendapatan", False, "non_anggota"),
    ("419000", "Pendapatan lain-lain", "pendapatan", False, None),
    ("500000", "HPP DAN BEBAN", "beban", True, None),
    ("510000", "Harga pokok penjualan", "hpp", True, None),
    ("511000", "HPP sembako", "hpp", False, None),
    ("512000", "HPP LPG 3 kg", "hpp", False, None),
    ("513000", "HPP pupuk", "hpp", False, None),
    ("520000", "Beban usaha", "beban", True, None),
    ("521000", "Beban gaji dan honor pengelola", "beban", False, None),
    ("522000", "Beban listrik, air dan telepon", "beban", False, None),
    ("523000", "Beban sewa", "beban", False, None),
    ("524000", "Beban penyusutan", "beban", False, None),
    ("525000", "Beban rapat dan RAT", "beban", False, None),
    ("526000", "Beban pajak", "beban", False, None),
    ("529000", "Beban lain-lain", "beban", False, None),
]

# Purposes other modules post to, and their default account codes.
DEFAULT_PURPOSES = {
    "kas": "111000",
    "bank": "112000",
    "piutang_anggota": "113100",
    "persediaan": "114000",
    "simpanan_sukarela": "211000",
    "utang_usaha": "212000",
    "utang_shu": "213000",
    "dana_shu": "214000",  # the funds the RAT sets aside from the SHU (pengurus, karyawan, pendidikan, sosial ...)
    "simpanan_pokok": "311000",
    "simpanan_wajib": "312000",
    "cadangan": "315000",
    "shu_berjalan": "316000",
    "shu_belum_dibagi": "317000",
    "penjualan_sembako_anggota": "411100",
    "penjualan_sembako_non_anggota": "411200",
    "hpp_sembako": "511000",
    "penjualan_lpg_anggota": "412100",
    "penjualan_lpg_non_anggota": "412200",
    "hpp_lpg": "512000",
    "penjualan_pupuk_anggota": "413100",
    "penjualan_pupuk_non_anggota": "413200",
    "hpp_pupuk": "513000",
    # Subsidised fertiliser (issue 16): its own stock account and sales at HET, apart from the non-subsidised.
    "persediaan_pupuk": "116000",
    "penjualan_pupuk_subsidi_anggota": "413300",
    "penjualan_pupuk_subsidi_non_anggota": "413400",
    "pendapatan_lain": "419000",
    "beban_lain": "529000",
}


def parent_code(code, existing_codes):
    """The nearest ancestor code present in ``existing_codes`` (None for a top-level group)."""
    for width in (4, 3, 2, 1):
        candidate = code[:width].ljust(6, "0")
        if candidate != code and candidate in existing_codes:
            return candidate
    return None


def kind_for_code(code):
    """The kind implied by a code's first digit (5xxxxx: 51xxxx HPP, the rest beban)."""
    first = code[:1]
    if first == "5":
        return "hpp" if code.startswith("51") else "beban"
    return {"1": "aset", "2": "kewajiban", "3": "ekuitas", "4": "pendapatan"}.get(first)
