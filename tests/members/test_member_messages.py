"""The true reason in member refusals (issue 10.9): a cooperative outside the user's area is "no cooperative"
(never "(None)"); a NIK already registered in the same cooperative, or only applied for elsewhere, is not called
"an active member of another cooperative"."""
from datetime import date

from sqlalchemy import func, select

from app.members.models import Member
from tests.conftest import api_token

from .helpers import CEMOROKANDANG, KEBON_JERUK, coop_id, make_nik, member_form


def _count(sysdb):
    sysdb.expire_all()
    return sysdb.scalar(select(func.count()).select_from(Member))


def test_an_api_registration_into_a_cooperative_outside_the_area_says_choose_a_cooperative(client, sysdb):
    before = _count(sysdb)
    body = dict(member_form(KEBON_JERUK, name="Di Luar Wilayah"), cooperative=coop_id(sysdb, CEMOROKANDANG))
    r = client.post("/api/v1/member/", json=body, headers=api_token(client, "sekretaris.kebonjeruk"))
    text = r.get_data(as_text=True)
    assert r.status_code in (403, 404, 422) and "(None)" not in text and "None" not in text, text
    if r.status_code == 422:
        assert "Pilih koperasi di wilayah Anda." in r.json["message"]["cooperative"][0]
    assert "Cemorokandang" not in text and _count(sysdb) == before


def test_a_nik_already_registered_in_the_same_cooperative_says_so(login, sysdb):
    s = login("sekretaris.kebonjeruk")
    nik = make_nik(date(1990, 8, 4), "P")
    data = dict(member_form(KEBON_JERUK, name="Sri Pertama", nik=nik), cooperative=str(coop_id(sysdb, KEBON_JERUK)))
    assert s.post("/anggota/add", data, form_url="/anggota/add").status_code == 302
    before = _count(sysdb)
    r = s.post("/anggota/add", dict(data, name="Sri Kedua"), form_url="/anggota/add")
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and _count(sysdb) == before
    assert "NIK ini sudah terdaftar di koperasi ini: Sri Pertama, status Permohonan." in html
    assert "koperasi lain" not in html


def test_a_nik_only_applied_for_in_another_cooperative_is_called_an_application(client, sysdb):
    nik = make_nik(date(1987, 2, 14), "L")
    other = dict(member_form(CEMOROKANDANG, name="Pemohon Malang", nik=nik, sex="L", born=date(1987, 2, 14)),
                 cooperative=coop_id(sysdb, CEMOROKANDANG))
    r = client.post("/api/v1/member/", json=other, headers=api_token(client, "sekretaris.cemorokandang"))
    assert r.status_code == 201, r.json
    before = _count(sysdb)
    here = dict(member_form(KEBON_JERUK, name="Pemohon Jakarta", nik=nik, sex="L", born=date(1987, 2, 14)),
                cooperative=coop_id(sysdb, KEBON_JERUK))
    r = client.post("/api/v1/member/", json=here, headers=api_token(client, "sekretaris.kebonjeruk"))
    assert r.status_code == 422 and _count(sysdb) == before
    message = r.json["message"]["nik"][0]
    assert "permohonan keanggotaan di koperasi lain" in message and "aktif" not in message
    assert "Cemorokandang" not in r.get_data(as_text=True)
