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
