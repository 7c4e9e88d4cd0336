"""The national rules through HTTP: the Admin finds a button on the HET list and on the eligibility list and adds a
new version through a form (CSRF on); a Sudin and a Sekretaris see no button, cannot open the forms and write
nothing by posting; a backdated or non-positive HET comes back on the form with the reason, nothing written.

The versions added here start years ahead (after every stored version), so the redemptions and registrations of
the other tests, dated today, are priced and checked as before."""
from datetime import timedelta
from decimal import Decimal as D

import pytest
from sqlalchemy import func, select

from app.core.audit import AuditEvent
from app.core.dates import latest_today
from app.pupuk.models import PupukEligibility, PupukHet, PupukType

OUTSIDERS = ["sudin.jakbar", "sekretaris.cemorokandang"]


def _dmy(day):
    return day.strftime("%d/%m/%Y")


def _count(sysdb, model):
    sysdb.expire_all()
    return sysdb.scalar(select(func.count()).select_from(model))


def _organik(sysdb):
    return sysdb.scalar(select(PupukType).where(PupukType.code == "organik"))


def _far_start(sysdb, column, *where):
    """Ten years ahead, or the day after the latest stored version if that is later."""
    latest = sysdb.scalar(select(func.max(column)).where(*where))
    return max(latest_today() + timedelta(days=3650), latest + timedelta(days=1))


def test_admin_adds_a_het_version_from_the_het_list_through_the_form(login, sysdb):
    admin = login("admin")
    listing = admin.get("/pupuk/het/list/").get_data(as_text=True)
    assert 'id="het-add"' in listing and "/pupuk/het/tambah" in listing
    form = admin.get("/pupuk/het/tambah")
    assert form.status_code == 200
    page = form.get_data(as_text=True)
    assert 'id="het-overview"' in page and "Organik" in page and 'name="csrf_token"' in page
    organik = _organik(sysdb)
    start = _far_start(sysdb, PupukHet.valid_from, PupukHet.pupuk_type_id == organik.id)
    before = _count(sysdb, PupukHet)
    no_token = admin.client.post("/pupuk/het/tambah", data={"pupuk_type": "organik", "valid_from": _dmy(start),
                                                            "het_per_kg": "600", "legal_basis": "Kepmentan uji"})
    assert no_token.status_code in (302, 400) and _count(sysdb, PupukHet) == before  # CSRF: nothing written
    r = admin.post("/pupuk/het/tambah", data={"pupuk_type": "organik", "valid_from": _dmy(start),
                                              "het_per_kg": "600", "legal_basis": "Kepmentan uji HTTP 1/2036"},
                   form_url="/pupuk/het/tambah")
    assert r.status_code == 302 and r.headers["Location"].endswith("/pupuk/het/list/"), r.get_data(as_text=True)
    row = sysdb.scalar(select(PupukHet).where(PupukHet.pupuk_type_id == organik.id, PupukHet.valid_from == start))
    assert (row.het_per_kg, row.het_per_sack, row.legal_basis) == (D("600"), D("24000.00"),
                                                                   "Kepmentan uji HTTP 1/2036")
    assert _count(sysdb, PupukHet) == before + 1
    audit = sysdb.scalar(select(AuditEvent).where(AuditEvent.table_name == "pupuk_het",
                                                  AuditEvent.record_id == str(row.id)))
    assert (audit.action, audit.username) == ("create", "admin")
    shown = admin.get("/pupuk/het/list/").get_data(as_text=True)
    assert "Rp24.000" in shown and _dmy(start) in shown


@pytest.mark.parametrize("username", OUTSIDERS)
def test_a_sudin_or_a_sekretaris_sees_no_button_and_cannot_set_a_het(login, sysdb, username):
    s = login(username)
    listing = s.get("/pupuk/het/list/")
    assert listing.status_code == 200 and 'id="het-add"' not in listing.get_data(as_text=True)
    assert s.get("/pupuk/het/tambah").status_code == 403
    before = _count(sysdb, PupukHet)
    r = s.client.post("/pupuk/het/tambah", data={"csrf_token": s.token("/pupuk/het/list/"), "pupuk_type": "urea",
                                                 "valid_from": _dmy(latest_today() + timedelta(days=4000)),
                                                 "het_per_kg": "1", "legal_basis": "Kepmentan palsu"})
    assert r.status_code in (302, 403)
    assert _count(sysdb, PupukHet) == before


@pytest.mark.parametrize("field, value, message", [
    ("valid_from", "01/01/2020", "HET Urea baru harus berlaku setelah"),
    ("het_per_kg", "0", "HET per kg harus lebih dari nol"),
    ("het_per_kg", "-1.800", "HET per kg tidak boleh negatif"),
    ("het_per_kg", "2.000.000", "HET per kg terlalu besar"),
    ("legal_basis", "", "Dasar hukum wajib diisi"),
])
def test_a_backdated_or_non_positive_het_comes_back_on_the_form_with_the_reason(login, sysdb, field, value,
                                                                                 message):
    values = {"pupuk_type": "urea", "valid_from": _dmy(latest_today() + timedelta(days=4000)),
              "het_per_kg": "1.700", "legal_basis": "Kepmentan uji"}
    values[field] = value
    before = _count(sysdb, PupukHet)
    r = login("admin").post("/pupuk/het/tambah", data=values)
    assert r.status_code == 200
    assert message in r.get_data(as_text=True)
    assert _count(sysdb, PupukHet) == before


def test_admin_adds_an_eligibility_version_with_a_decimal_comma_and_chosen_commodities(login, sysdb):
    admin = login("admin")
    listing = admin.get("/pupuk/syarat/list/").get_data(as_text=True)
    assert 'id="eligibility-add"' in listing and "Padi" in listing
    page = admin.get("/pupuk/syarat/tambah").get_data(as_text=True)
    assert 'id="commodity_kopi"' in page and 'value="2"' in page  # the rule in force offered as the start
    start = _far_start(sysdb, PupukEligibility.valid_from)
    before = _count(sysdb, PupukEligibility)
    r = admin.post("/pupuk/syarat/tambah", data={"valid_from": _dmy(start), "max_land_ha": "2,5",
                                                 "commodities": ["padi", "jagung", "kopi"],
                                                 "legal_basis": "Permentan uji 2/2036"})
    assert r.status_code == 302 and r.headers["Location"].endswith("/pupuk/syarat/list/"), r.get_data(as_text=True)
    row = sysdb.scalar(select(PupukEligibility).where(PupukEligibility.valid_from == start))
    assert (row.max_land_ha, row.commodity_codes) == (D("2.5"), ["padi", "jagung", "kopi"])
    assert _count(sysdb, PupukEligibility) == before + 1
    assert sysdb.scalar(select(AuditEvent.username).where(AuditEvent.table_name == "pupuk_eligibility",
                                                          AuditEvent.record_id == str(row.id))) == "admin"
    shown = admin.get("/pupuk/syarat/list/").get_data(as_text=True)
    assert "2,5" in shown and "Padi, Jagung, Kopi" in shown


def test_an_eligibility_version_before_today_comes_back_with_the_reason(login, sysdb):
    before = _count(sysdb, PupukEligibility)
    r = login("admin").post("/pupuk/syarat/tambah", data={
        "valid_from": _dmy(latest_today() - timedelta(days=1)), "max_land_ha": "1",
        "commodities": ["padi"], "legal_basis": "Permentan uji"})
    assert r.status_code == 200 and "paling cepat hari ini" in r.get_data(as_text=True)
    assert _count(sysdb, PupukEligibility) == before


@pytest.mark.parametrize("username", OUTSIDERS)
def test_a_sudin_or_a_sekretaris_reads_the_eligibility_but_cannot_set_it(login, sysdb, username):
    s = login(username)
    listing = s.get("/pupuk/syarat/list/")
    assert listing.status_code == 200 and 'id="eligibility-add"' not in listing.get_data(as_text=True)
    assert s.get("/pupuk/syarat/tambah").status_code == 403
    before = _count(sysdb, PupukEligibility)
    r = s.client.post("/pupuk/syarat/tambah", data={
        "csrf_token": s.token("/pupuk/syarat/list/"), "valid_from": _dmy(latest_today() + timedelta(days=4000)),
        "max_land_ha": "50", "commodities": ["padi"], "legal_basis": "Permentan palsu"})
    assert r.status_code in (302, 403)
    assert _count(sysdb, PupukEligibility) == before


def test_the_farmer_form_states_the_land_limit_in_force_today(login, monkeypatch):
    """The Sekretaris registering a farmer reads the land limit of the eligibility version in force today (after
    an Admin's new version of 2,5 ha: 2,5), not a figure written into the page."""
    from decimal import Decimal
    from types import SimpleNamespace

    import app.pupuk.services as services

    monkeypatch.setattr(services, "eligibility_on", lambda session, day: SimpleNamespace(max_land_ha=Decimal("2.5")))
    page = login("sekretaris.cemorokandang").get("/pupuk/petani/daftar").get_data(as_text=True)
    assert "paling banyak 2,5 ha seluruhnya" in page
