"""A member is plausible (issue 10.5): at least the cooperative's minimum age (17, the KTP age; data on the
cooperative) on the day of application, or married (status perkawinan from the KTP); no birth date more than 120
years back or in the future. The same rule on the form, the API and the Excel import, with an Indonesian message."""
from datetime import date

from sqlalchemy import func, select

from app.cooperatives.models import Cooperative
from app.members.models import Member
from tests.conftest import api_token

from .helpers import KEBON_JERUK, coop_id, make_nik, member_form
from .test_member_import import row, workbook

JOIN = date(2025, 10, 1)


def _count(sysdb):
    sysdb.expire_all()
    return sysdb.scalar(select(func.count()).select_from(Member))


def _form(sysdb, born, **over):
    data = member_form(KEBON_JERUK, born=born, **over)
    data["cooperative"] = str(coop_id(sysdb, KEBON_JERUK))
    return data


def test_the_form_refuses_an_eleven_year_old_with_the_age_rule(login, sysdb):
    before = _count(sysdb)
    r = login("sekretaris.kebonjeruk").post("/anggota/add", _form(sysdb, date(2014, 3, 2), name="Anak Sebelas"),
                                            form_url="/anggota/add")
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and _count(sysdb) == before
    assert "Umur pada tanggal daftar 11 tahun: anggota koperasi harus berumur paling sedikit 17 tahun" in html


def test_the_form_refuses_a_birth_date_in_1845(login, sysdb):
    before = _count(sysdb)
    r = login("sekretaris.kebonjeruk").post("/anggota/add", _form(sysdb, date(1845, 8, 4), name="Lahir 1845"),
                                            form_url="/anggota/add")
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and _count(sysdb) == before
    assert "Tanggal lahir 04/08/1845 berarti umur lebih dari 120 tahun" in html


def test_a_married_sixteen_year_old_may_join_but_not_an_unmarried_one(login, sysdb):
    s = login("sekretaris.kebonjeruk")
    born = date(2009, 6, 1)  # 16 on the day of application
    before = _count(sysdb)
    r = s.post("/anggota/add", _form(sysdb, born, name="Enam Belas Lajang", marital_status="belum_kawin"),
               form_url="/anggota/add")
    assert r.status_code == 200 and "Umur pada tanggal daftar 16 tahun" in r.get_data(as_text=True)
    assert _count(sysdb) == before
    r = s.post("/anggota/add", _form(sysdb, born, name="Enam Belas Kawin", marital_status="kawin"),
               form_url="/anggota/add")
    assert r.status_code == 302
    m = sysdb.scalar(select(Member).where(Member.name == "Enam Belas Kawin"))
    assert m.marital_status == "kawin" and m.birth_date == born


def test_the_minimum_age_is_the_cooperatives_own_setting(login, sysdb):
    coop = sysdb.scalar(select(Cooperative).where(Cooperative.region_code == KEBON_JERUK))
    assert coop.member_min_age == 17
    coop.member_min_age = 21  # an AD/ART asking more than the KTP age
    sysdb.commit()
    try:
        before = _count(sysdb)
        r = login("sekretaris.kebonjeruk").post("/anggota/add", _form(sysdb, date(2005, 1, 15), name="Dua Puluh"),
                                                form_url="/anggota/add")
        assert r.status_code == 200 and "paling sedikit 21 tahun" in r.get_data(as_text=True)
        assert _count(sysdb) == before
    finally:
        coop.member_min_age = 17
        sysdb.commit()


def test_the_api_applies_the_same_age_rule(client, sysdb):
    headers = api_token(client, "sekretaris.kebonjeruk")
    before = _count(sysdb)
    for born, field, text in ((date(2014, 3, 2), "birth_date", "Umur pada tanggal daftar 11 tahun"),
                              (date(1845, 8, 4), "birth_date", "lebih dari 120 tahun")):
        body = dict(member_form(KEBON_JERUK, born=born, name="Lewat API"), cooperative=coop_id(sysdb, KEBON_JERUK))
        r = client.post("/api/v1/member/", json=body, headers=headers)
        assert r.status_code == 422 and text in r.json["message"][field][0], r.json
    assert _count(sysdb) == before
    body = dict(member_form(KEBON_JERUK, born=date(2009, 6, 1), name="API Kawin", marital_status="cerai_mati"),
                cooperative=coop_id(sysdb, KEBON_JERUK))
    r = client.post("/api/v1/member/", json=body, headers=headers)
    assert r.status_code == 201, r.json


def test_the_import_refuses_an_eleven_year_old_row_and_writes_nothing(login, sysdb):
    before = _count(sysdb)
    data = workbook([row(name="Dewasa Impor"), row(name="Anak Impor", born=date(2014, 3, 2))])
    r = login("sekretaris.kebonjeruk").post("/anggota/impor", {"region_code": KEBON_JERUK,
                                                                "file": (__import__("io").BytesIO(data),
                                                                         "anggota.xlsx")},
                                            form_url="/", content_type="multipart/form-data")
    html = r.get_data(as_text=True)
    assert r.status_code == 422 and "Umur pada tanggal daftar 11 tahun" in html
    assert _count(sysdb) == before
