"""The screenshots of the Panduan, made by tests/browser/test_panduan.py as the demo users, so the pictures show
the screens as they are today: the test logs in as each role, opens ``path`` and saves
``app/static/panduan/<name>.jpg``; the guide pages show them by name.

``path`` may hold ``{member}`` (an active member of KKMP Kebon Jeruk), filled in by the test.
"""
from dataclasses import dataclass


@dataclass(frozen=True)
class Shot:
    name: str       # file name without .jpg
    username: str   # demo login that takes it
    path: str       # page to open
    caption: str    # shown under the picture (Indonesian)


SHOTS = [
    Shot("sekretaris-anggota-baru", "sekretaris.kebonjeruk", "/anggota/add",
         "Formulir pendaftaran anggota baru."),
    Shot("sekretaris-halaman-anggota", "sekretaris.kebonjeruk", "/anggota/show/{member}",
         "Halaman anggota: tombol Setor, Tarik, Buku simpanan dan Tagihan wajib."),
    Shot("sekretaris-setoran", "sekretaris.kebonjeruk", "/simpanan/transaksi/setor?member={member}&kind=wajib",
         "Formulir setoran, anggota sudah terisi dari halaman anggota."),
    Shot("sekretaris-tunggakan", "sekretaris.kebonjeruk", "/simpanan/transaksi/tunggakan",
         "Tunggakan simpanan wajib: pengingat WhatsApp dan tombol Bayar."),
    Shot("pengurus-permohonan", "pengurus.kebonjeruk", "/anggota/list/?_flt_0_status=permohonan",
         "Permohonan anggota yang menunggu persetujuan."),
    Shot("pengurus-tagihan", "pengurus.kebonjeruk", "/simpanan/tagihan-wajib/list/",
         "Tagihan simpanan wajib: buat tagihan satu bulan untuk semua anggota aktif."),
    Shot("pengurus-periode", "pengurus.kebonjeruk", "/periode/list/",
         "Periode akuntansi: tutup buku setiap bulan."),
    Shot("lurah-dasbor", "lurah.kebonjeruk", "/",
         "Dasbor: keadaan koperasi di kelurahan Anda."),
    Shot("lurah-posisi-keuangan", "lurah.kebonjeruk", "/laporan-keuangan/posisi-keuangan/",
         "Laporan posisi keuangan (neraca) koperasi."),
    Shot("lurah-rekap-anggota", "lurah.kebonjeruk", "/anggota-rekap/",
         "Rekap anggota aktif menurut jenis kelamin."),
    Shot("camat-anggota", "camat.kebonjeruk", "/anggota/list/",
         "Daftar anggota se-kecamatan dengan pilihan koperasi di atasnya."),
    Shot("camat-tunggakan", "camat.kebonjeruk", "/simpanan/transaksi/tunggakan",
         "Tunggakan simpanan wajib se-kecamatan, dengan jumlah seluruhnya."),
    Shot("sudin-pengguna", "sudin.jakbar", "/users/list/",
         "Daftar pengguna di kota Anda."),
    Shot("sudin-pengguna-baru", "sudin.jakbar", "/users/add",
         "Menambah pengguna: peran dan wilayah dipilih dari daftar."),
    Shot("sudin-konsolidasi", "sudin.jakbar", "/laporan-konsolidasi/",
         "Laporan konsolidasi semua koperasi di kota."),
]

BY_NAME = {s.name: s for s in SHOTS}
