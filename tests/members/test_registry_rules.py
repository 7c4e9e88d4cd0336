"""Registry rules (issue 10.8): a cooperative's name carries its kelurahan's name or is unique in the country; a
NIK's first four digits are an existing kabupaten/kota of the Kemendagri list; the stage and the readiness come
from one derivation and agree ("Belum musyawarah" is 0 %, whatever later steps are filled in)."""
from datetime import date

from sqlalchemy import func, select

from app.cooperatives.models import Cooperative
from app.members.models import Member
from tests.conftest import api_token

from .helpers import KEBON_JERUK, coop_id, make_nik, member_form

TEGAL_ALUR, KAMAL, PEGADUNGAN = "31.73.06.1003", "31.73.06.1004", "31.73.06.1005"


def _coop(sysdb, code):
    sysdb.expire_all()
    return sysdb.scalar(select(Cooperative).where(Cooperative.region_code == code))


def test_two_cooperatives_cannot_share_a_name_that_lacks_the_kelurahan(client, sysdb):
    headers = api_token(client, "admin")
    r = client.post("/api/v1/cooperative/", json={"region_code": TEGAL_ALUR, "name": "KKMP  Maju Bersama"},
                    headers=headers)
    assert r.status_code == 201, r.get_data(as_text=True)  # unique in the country: accepted
    assert _coop(sysdb, TEGAL_ALUR).name == "KKMP Maju Bersama"
    r = client.post("/api/v1/cooperative/", json={"region_code": KAMAL, "name": "kkmp maju bersama"},
                    headers=headers)
    assert r.status_code == 422, r.get_data(as_text=True)
    message = r.json["message"]["name"][0]
    assert "sudah dipakai koperasi lain" in message and "Koperasi Kelurahan Merah Putih Kamal" in message
    assert _coop(sysdb, KAMAL) is None
    # with its kelurahan's name it is accepted
    r = client.post("/api/v1/cooperative/", json={"region_code": KAMAL, "name": "KKMP Maju Bersama Kamal"},
                    headers=headers)
    assert r.status_code == 201, r.get_data(as_text=True)


def test_stage_and_readiness_agree_when_later_steps_are_filled_over_a_gap(login, client, sysdb):
    headers = api_token(client, "admin")
    r = client.post("/api/v1/cooperative/", json={"region_code": PEGADUNGAN, "name": "", "nib": "1207250888077",
                                                  "bank_name": "Bank DKI", "bank_account_number": "1230009777"},
                    headers=headers)
    assert r.status_code == 201, r.get_data(as_text=True)
    shown = client.get(f"/api/v1/cooperative/{r.json['id']}", headers=headers).json["result"]
    assert shown["stage"] == "none" and shown["readiness"] == 0
    page = login("admin").get(f"/koperasi/show/{r.json['id']}").get_data(as_text=True)
    assert "Belum musyawarah" in page and "50%" not in page and "25%" not in page
    r = client.put(f"/api/v1/cooperative/{r.json['id']}", json={"musyawarah_date": "2025-05-31",
                                                                "musyawarah_ba_number": "BA/9/2025"},
                   headers=headers)
    assert r.status_code == 200, r.get_data(as_text=True)
    coop = _coop(sysdb, PEGADUNGAN)
    assert (coop.stage, coop.readiness) == ("musyawarah", 12)  # 1 of 8 steps in order; NIB waits for akta, AHU


def test_a_nik_whose_city_code_does_not_exist_is_refused_on_the_form(login, sysdb):
    sysdb.expire_all()
    before = sysdb.scalar(select(func.count()).select_from(Member))
    nik = make_nik(date(1990, 8, 4), "P", prefix="317605")  # DKI has no 31.76
    data = dict(member_form(KEBON_JERUK, nik=nik, name="Kota Tak Ada"), cooperative=str(coop_id(sysdb, KEBON_JERUK)))
    r = login("sekretaris.kebonjeruk").post("/anggota/add", data, form_url="/anggota/add")
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and "tidak ada kabupaten/kota dengan kode 31.76" in html
    sysdb.expire_all()
    assert sysdb.scalar(select(func.count()).select_from(Member)) == before
    # a NIK first issued in another city (the member moved here) is fine: membership follows the KTP domicile
    data = dict(member_form(KEBON_JERUK, nik=make_nik(date(1990, 8, 4), "P", prefix="320101"), name="Pindahan"),
                cooperative=str(coop_id(sysdb, KEBON_JERUK)))
    assert login("sekretaris.kebonjeruk").post("/anggota/add", data, form_url="/anggota/add").status_code == 302
