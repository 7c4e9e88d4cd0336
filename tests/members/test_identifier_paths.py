"""One normaliser per identifier on every path (issue 10.7): what the form accepts, the API accepts and stores the
same way: a printed NPWP (01.312.166.0-091.000) and a dashed NIB through the cooperative API; a NIK with
separators and a phone in any of its +62 / 62 / 0 forms through the member API and form, stored as one form."""
from datetime import date

from sqlalchemy import select

from app.cooperatives.models import Cooperative
from app.core.identifiers import check_phone
from app.members.models import Member
from tests.conftest import api_token
from .helpers import KEBON_JERUK, coop_id, make_nik, member_form

API_KELURAHAN = "31.73.06.1001"  # Kalideres: no demo KKMP
API_KELURAHAN_2 = "31.73.06.1002"  # Semanan


def _coop(sysdb, code):
    sysdb.expire_all()
    return sysdb.scalar(select(Cooperative).where(Cooperative.region_code == code))


def test_the_api_accepts_a_printed_npwp_and_a_dashed_nib_and_stores_the_digits(client, sysdb):
    headers = api_token(client, "admin")
    r = client.post("/api/v1/cooperative/", json={"region_code": API_KELURAHAN, "name": "",
                                                  "npwp": "01.312.166.0-091.000", "nib": "1207-2508-88002"},
                    headers=headers)
    assert r.status_code == 201, r.get_data(as_text=True)
    coop = _coop(sysdb, API_KELURAHAN)
    assert coop.npwp == "013121660091000" and coop.nib == "1207250888002"
    # the same printed form on an edit, and a wrong check digit still refused with the NPWP message
    r = client.put(f"/api/v1/cooperative/{coop.id}", json={"npwp": "01.312.167.8-091.000"}, headers=headers)
    assert r.status_code == 200, r.get_data(as_text=True)
    assert _coop(sysdb, API_KELURAHAN).npwp == "013121678091000"
    r = client.put(f"/api/v1/cooperative/{coop.id}", json={"npwp": "01.312.167.9-091.000"}, headers=headers)
    assert r.status_code == 422 and "npwp" in r.json["message"]
    assert "Longer than maximum length" not in r.get_data(as_text=True)
    assert _coop(sysdb, API_KELURAHAN).npwp == "013121678091000"


def test_the_form_and_the_api_store_an_npwp_identically(login, client, sysdb):
    s = login("admin")
    data = {"region_code": API_KELURAHAN_2, "name": "", "address": "", "npwp": "01.312.168.6-091.000"}
    r = s.post("/koperasi/add", data, form_url="/koperasi/add")
    assert r.status_code == 302, r.get_data(as_text=True)[:300]
    assert _coop(sysdb, API_KELURAHAN_2).npwp == "013121686091000"


def test_phone_numbers_in_every_written_form_are_stored_as_one(app):
    with app.test_request_context():
        for typed in ("0812-3456-7890", "+62 812 3456 7890", "6281234567890", "81234567890", "０８１２３４５６７８９０"):
            assert check_phone(typed) == "+6281234567890", typed
        assert check_phone("(021) 555-1234") == "+62215551234"


def test_a_member_phone_is_stored_the_same_through_the_form_and_the_api(login, client, sysdb):
    s = login("sekretaris.kebonjeruk")
    data = dict(member_form(KEBON_JERUK, name="Telepon Form", phone="0812-3456-7890"),
                cooperative=str(coop_id(sysdb, KEBON_JERUK)))
    assert s.post("/anggota/add", data, form_url="/anggota/add").status_code == 302
    nik = make_nik(date(1990, 8, 4), "P")
    spaced = " ".join([nik[:4], nik[4:8], nik[8:12], nik[12:]])
    body = dict(member_form(KEBON_JERUK, name="Telepon API", nik=spaced, phone="+62 812-3456-7890"),
                cooperative=coop_id(sysdb, KEBON_JERUK))
    r = client.post("/api/v1/member/", json=body, headers=api_token(client, "sekretaris.kebonjeruk"))
    assert r.status_code == 201, r.get_data(as_text=True)
    sysdb.expire_all()
    by_form = sysdb.scalar(select(Member).where(Member.name == "Telepon Form"))
    by_api = sysdb.get(Member, r.json["id"])
    assert by_form.phone == by_api.phone == "+6281234567890"
    assert by_api.nik == nik
    r = client.post("/api/v1/member/", json=dict(body, name="Telepon Salah", phone="12345",
                                                 nik=make_nik(date(1990, 8, 4), "P")),
                    headers=api_token(client, "sekretaris.kebonjeruk"))
    assert r.status_code == 422 and "Telepon harus nomor Indonesia" in r.json["message"]["phone"][0]
