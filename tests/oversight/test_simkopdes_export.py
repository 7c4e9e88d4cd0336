"""The SIMKOPDES-shaped export: SIMKOPDES' column names and values, the reader's area only, no full NIK."""
import csv
import io

from sqlalchemy import func, select

from app.cooperatives.models import BusinessUnit, Cooperative
from app.members.models import Member
from app.savings.models import WajibBill

from .conftest import OTHER_CITY, OWN, SIBLING


def _csv(session, url):
    r = session.get(url)
    assert r.status_code == 200, (url, r.status_code)
    return list(csv.DictReader(io.StringIO(r.get_data(as_text=True).lstrip("\ufeff"))))


def test_the_members_table_has_simkopdes_fields_for_the_readers_area_only(app, login, sysdb):
    rows = _csv(login("sudin.jakbar"), "/ekspor-simkopdes/anggota_koperasi.csv")
    assert list(rows[0]) == ["anggota_ref", "koperasi_ref", "nama", "nik", "kode_wilayah", "jenis_kelamin",
                             "status_keanggotaan", "tanggal_terdaftar", "pekerjaan"]
    codes = {r["koperasi_ref"] for r in rows}
    assert OWN in codes and OTHER_CITY not in codes and all(c.startswith("31.73.") for c in codes)
    expected = sysdb.scalar(select(func.count(Member.id)).join(Cooperative, Cooperative.id == Member.cooperative_id)
                            .where(Cooperative.city_code == "31.73",
                                   Member.status.in_(("permohonan", "disetujui", "aktif"))))
    assert len(rows) == expected
    assert {r["jenis_kelamin"] for r in rows} <= {"LAKI-LAKI", "PEREMPUAN"}
    assert {r["status_keanggotaan"] for r in rows} <= {"Requested", "Approved"}
    assert all(r["nik"].startswith("••••") and len(r["nik"].strip("•")) == 4 for r in rows)
    own = _csv(login("sekretaris.kebonjeruk"), "/ekspor-simkopdes/anggota_koperasi.csv")
    assert {r["koperasi_ref"] for r in own} == {OWN}


def test_wajib_bills_leave_as_paid_or_unpaid_periods_named_like_simkopdes(app, login, sysdb):
    rows = _csv(login("pengurus.kebonjeruk"), "/ekspor-simkopdes/simpanan_anggota.csv")
    wajib = [r for r in rows if r["periode_pembayaran"].startswith("Simpanan Wajib - ")]
    own = sysdb.scalar(select(Cooperative.id).where(Cooperative.region_code == OWN))
    unpaid = sysdb.scalar(select(func.count(WajibBill.id)).where(WajibBill.cooperative_id == own,
                                                                 WajibBill.paid_amount < WajibBill.amount))
    assert len(wajib) == sysdb.scalar(select(func.count(WajibBill.id)).where(WajibBill.cooperative_id == own))
    assert sum(r["status"] == "UNPAID" for r in wajib) == unpaid
    assert all(r["status"] == "PAID" for r in rows if r["periode_pembayaran"] == "Simpanan Pokok")


def test_a_sudin_narrows_to_one_cooperative_and_another_citys_is_404(app, login, sysdb):
    s = login("sudin.jakbar")
    sibling = sysdb.scalar(select(Cooperative.id).where(Cooperative.region_code == SIBLING))
    malang = sysdb.scalar(select(Cooperative.id).where(Cooperative.region_code == OTHER_CITY))
    rows = _csv(s, f"/ekspor-simkopdes/gerai_koperasi.csv?koperasi={sibling}")
    assert len(rows) == sysdb.scalar(select(func.count(BusinessUnit.id)).where(BusinessUnit.cooperative_id == sibling))
    assert {r["koperasi_ref"] for r in rows} <= {SIBLING} and {r["status"] for r in rows} <= {"Aktif", "Belum Aktif"}
    assert s.get(f"/ekspor-simkopdes/gerai_koperasi.csv?koperasi={malang}").status_code == 404
    r = s.get("/ekspor-simkopdes/anggota_koperasi.xlsx")
    assert r.status_code == 200 and r.data[:2] == b"PK"


def test_the_products_table_lists_the_gerai_items_of_the_readers_area_with_simkopdes_fields(app, login, sysdb):
    from app.inventory.models import Item

    rows = _csv(login("sudin.jakbar"), "/ekspor-simkopdes/produk_koperasi.csv")
    assert list(rows[0]) == ["produk_ref", "koperasi_ref", "gerai_ref", "barcode", "nama", "unit", "kategori",
                             "status"]
    city = sysdb.scalar(select(func.count(Item.id)).join(Cooperative, Cooperative.id == Item.cooperative_id)
                        .where(Cooperative.city_code == "31.73"))
    assert len(rows) == city and all(r["koperasi_ref"].startswith("31.73.") for r in rows)
    assert "Beras SPHP 5 kg" in {r["nama"] for r in rows} and {r["status"] for r in rows} <= {"Aktif", "Tidak Aktif"}
    assert all(r["gerai_ref"].startswith("GR-") for r in rows if r["gerai_ref"])


def test_the_rat_table_carries_last_years_rat_with_the_closed_years_statements_as_json(app, login, sysdb):
    import json

    from app.core.dates import local_today

    rows = _csv(login("pengurus.kebonjeruk"), "/ekspor-simkopdes/rat_koperasi.csv")
    assert [r["koperasi_ref"] for r in rows] == [OWN]
    row = rows[0]
    year = local_today(None).year - 1
    assert row["tahun_buku"] == str(year) and row["tahun_rencana_anggaran"] == str(year + 1)
    assert row["status_rat"] == "Drafted" and row["tahap_rat"] == "1" and row["jenis_sektor_koperasi"] == "KDKMP"
    income = json.loads(row["laporan_hasil_usaha"])  # the demo's year is closed in the ledger
    assert any(item["uraian"].startswith("SISA HASIL USAHA") for item in income)
    assert json.loads(row["laporan_posisi_keuangan"]) and json.loads(row["rapb_hasil_usaha"])
    sibling = _csv(login("sudin.jakbar"), "/ekspor-simkopdes/rat_koperasi.csv")
    assert {r["koperasi_ref"] for r in sibling} >= {OWN, SIBLING}
    assert all(r["laporan_hasil_usaha"] == "" for r in sibling if r["koperasi_ref"] == SIBLING)
