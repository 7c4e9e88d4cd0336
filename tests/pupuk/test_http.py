"""The fertiliser module through HTTP, as the demo Petugas, Sekretaris and Camat of Cemorokandang (Kota Malang):
a redemption within the quota succeeds at the HET of its date; one above the remaining quota answers 422 and the
quota is unchanged; the kiosk screen, the receipt, the reversal, the e-RDKK import and the realisation report."""
import io
from decimal import Decimal as D

import pytest
from sqlalchemy import select

from app.cooperatives.models import Cooperative
from app.pupuk.models import Farmer, PupukAllocation, PupukRedemption
from tests.conftest import api_token, open_month, period_hold_cost, sql_statements

CEMORO = "35.73.03.1010"
SUMARNO = "3573031507800003"


@pytest.fixture(scope="module")
def petugas(app):
    client = app.test_client()
    return client, api_token(client, "petugas.cemorokandang")


def farmer(sysdb, name="Sumarno"):
    sysdb.expire_all()
    return sysdb.scalar(select(Farmer).where(Farmer.name == name))


def quota(client, headers, farmer_id, code="urea"):
    r = client.get(f"/api/v1/farmer/{farmer_id}/quota", headers=headers)
    assert r.status_code == 200, r.get_data(as_text=True)
    return next(q for q in r.json["result"] if q["pupuk_type"] == code)


def test_a_redemption_within_the_quota_succeeds_at_the_het_and_one_above_is_refused_with_422(app, petugas, sysdb):
    from app.core.dates import local_today
    from app.pupuk import services

    client, headers = petugas
    f = farmer(sysdb)
    before = quota(client, headers, f.id)
    assert set(before) == {"pupuk_type", "season", "year", "allocated_kg", "redeemed_kg", "remaining_kg"}
    coop = sysdb.scalar(select(Cooperative).where(Cooperative.region_code == CEMORO))
    day = local_today(coop)
    with app.app_context():
        het = services.het_on(sysdb, services.type_of(sysdb, "urea"), day).het_per_kg
    r = client.post("/api/v1/pupuk_redemption/", headers=headers, json={
        "farmer_id": f.id, "pupuk_type": "urea", "kg": 10, "date": day.isoformat(), "idempotency_key": "http-1"})
    assert r.status_code == 201, r.get_data(as_text=True)
    assert D(r.json["price_per_kg"]) == het and D(r.json["total"]) == het * 10
    remaining = D(before["remaining_kg"]) - 10
    assert D(r.json["remaining_kg"]) == remaining
    over = client.post("/api/v1/pupuk_redemption/", headers=headers, json={
        "farmer_id": f.id, "pupuk_type": "urea", "kg": int(remaining) + 1, "date": day.isoformat(),
        "idempotency_key": "http-2"})
    assert over.status_code == 422
    assert "melebihi sisa kuota" in over.get_data(as_text=True)
    assert D(quota(client, headers, f.id)["remaining_kg"]) == remaining
    replay = client.post("/api/v1/pupuk_redemption/", headers=headers, json={
        "farmer_id": f.id, "pupuk_type": "urea", "kg": 10, "idempotency_key": "http-1"})
    assert replay.status_code == 201 and replay.json["id"] == r.json["id"]


@pytest.mark.parametrize("body, message", [
    ({"kg": "2,5"}, "kilogram utuh"), ({"kg": -3}, "lebih dari nol"), ({"pupuk_type": "sawit"}, "tidak dikenal"),
    ({"nik": "123"}, "16"), ({"date": "2099-01-01"}, "masa depan"), ({"proxy_nik": "12345"}, "16"),
    ({"kg": 0}, "lebih dari nol"),
    ({"kg": "lima"}, "kg"), ({"date": "2020-01-15"}, "musim")])
def test_bad_redemption_input_answers_422_in_indonesian_and_writes_nothing(petugas, sysdb, body, message):
    client, headers = petugas
    f = farmer(sysdb)
    count = sysdb.query(PupukRedemption).count()
    payload = dict({"farmer_id": f.id, "pupuk_type": "urea", "kg": 5, "idempotency_key": f"bad-{message}"}, **body)
    r = client.post("/api/v1/pupuk_redemption/", headers=headers, json=payload)
    assert r.status_code == 422, r.get_data(as_text=True)
    assert message in r.get_data(as_text=True)
    sysdb.expire_all()
    assert sysdb.query(PupukRedemption).count() == count


def test_the_petugas_cannot_reverse_but_the_sekretaris_can_and_the_quota_comes_back(app, petugas, sysdb):
    client, headers = petugas
    f = farmer(sysdb)
    r = client.post("/api/v1/pupuk_redemption/", headers=headers, json={
        "farmer_id": f.id, "pupuk_type": "npk", "kg": 5, "idempotency_key": "http-rev"})
    assert r.status_code == 201, r.get_data(as_text=True)
    left = D(quota(client, headers, f.id, "npk")["remaining_kg"])
    refused = client.post(f"/api/v1/pupuk_redemption/{r.json['id']}/reverse", headers=headers,
                          json={"reason": "salah jenis"})
    assert refused.status_code == 403
    sek = app.test_client()
    sek_headers = api_token(sek, "sekretaris.cemorokandang")
    done = sek.post(f"/api/v1/pupuk_redemption/{r.json['id']}/reverse", headers=sek_headers,
                    json={"reason": "salah jenis"})
    assert done.status_code == 201, done.get_data(as_text=True)
    assert D(quota(client, headers, f.id, "npk")["remaining_kg"]) == left + 5


def test_another_cooperatives_farmer_is_not_listed_and_its_quota_is_404(app, sysdb):
    client = app.test_client()
    headers = api_token(client, "petugas.lempake")
    f = farmer(sysdb)
    listed = client.get("/api/v1/farmer/", headers=headers)
    assert listed.status_code == 200 and listed.json["count"] == 0
    assert client.get(f"/api/v1/farmer/{f.id}/quota", headers=headers).status_code == 404


def test_the_kiosk_shows_the_remaining_quota_and_prints_a_receipt_with_words_and_the_remaining_quota(login, sysdb):
    s = login("petugas.cemorokandang")
    page = s.get(f"/pupuk/penebusan/kios?nik={SUMARNO}").get_data(as_text=True)
    assert "Sumarno" in page and "kiosk-quota" in page and SUMARNO not in page.replace(f'value="{SUMARNO}"', "")
    import re

    key = re.search(r'name="idempotency_key" value="([0-9a-f]+)"', page).group(1)
    lokasi = re.search(r'name="lokasi" value="(\d+)"', page).group(1)
    r = s.post("/pupuk/penebusan/kios", data={"nik": SUMARNO, "lokasi": lokasi, "pupuk_type": "organik", "kg": "4",
                                              "idempotency_key": key, "proxy_nik": "3573030303750007",
                                              "proxy_relation": "anak", "proxy_name": "Agus"})
    assert r.status_code == 302, r.get_data(as_text=True)
    receipt = s.get(r.headers["Location"]).get_data(as_text=True)
    assert "rupiah" in receipt.lower() and "Sisa kuota" in receipt and "0007" in receipt
    assert "3573030303750007" not in receipt


def test_the_kiosk_refuses_a_malformed_nik_with_an_indonesian_message(login):
    s = login("petugas.cemorokandang")
    page = s.get("/pupuk/penebusan/kios?nik=12345").get_data(as_text=True)
    assert "NIK" in page and "form-errors" in page


def test_an_erdkk_import_with_errors_names_row_and_column_and_writes_nothing(login, sysdb):
    from openpyxl import Workbook

    from app.pupuk.services.rdkk import COLUMNS

    wb = Workbook()
    ws = wb.active
    ws.title = "e-RDKK"
    ws.append([h for _k, h in COLUMNS])
    ws.append(["3573035004820008", "Painem", "Poktan Sumber Makmur", "", "padi", "0,5", "2026", "1", "100", "", "",
               "", ""])
    ws.append(["3573035004820", "Salah", "", "", "sawit", "3", "2026", "4", "x", "", "", "", ""])
    out = io.BytesIO()
    wb.save(out)
    before = sysdb.query(PupukAllocation).count()
    s = login("sekretaris.cemorokandang")
    page = s.get("/pupuk/alokasi/impor").get_data(as_text=True)
    assert "rdkk-form" in page
    r = s.post("/pupuk/alokasi/impor", data={"file": (io.BytesIO(out.getvalue()), "rdkk.xlsx")},
               content_type="multipart/form-data")
    html = r.get_data(as_text=True)
    assert "import-errors" in html and "NIK" in html and ">3<" in html
    sysdb.expire_all()
    assert sysdb.query(PupukAllocation).count() == before


def test_a_foreign_file_is_refused(login):
    s = login("sekretaris.cemorokandang")
    r = s.post("/pupuk/alokasi/impor", data={"file": (io.BytesIO(b"nama,nik\n"), "rdkk.csv")},
               content_type="multipart/form-data")
    assert "Hanya berkas Excel .xlsx" in r.get_data(as_text=True)


def test_a_good_erdkk_import_writes_farmers_and_allocations_and_names_a_conflict(login, sysdb):
    from openpyxl import Workbook

    from app.pupuk.services.rdkk import COLUMNS

    wb = Workbook()
    ws = wb.active
    ws.title = "e-RDKK"
    ws.append([h for _k, h in COLUMNS])
    ws.append(["3573015004820008", "Painem", "Poktan Sumber Makmur", "", "padi", "0,5", "2026", "1", "100", "50", "",
               "", "20"])
    out = io.BytesIO()
    wb.save(out)
    s = login("sekretaris.cemorokandang")
    r = s.post("/pupuk/alokasi/impor", data={"file": (io.BytesIO(out.getvalue()), "rdkk.xlsx")},
               content_type="multipart/form-data", follow_redirects=True)
    assert "import-errors" not in r.get_data(as_text=True), r.get_data(as_text=True)
    f = farmer(sysdb, "Painem")
    assert f is not None and f.name == "Painem"
    rows = sysdb.scalars(select(PupukAllocation).where(PupukAllocation.farmer_id == f.id)).all()
    assert sorted(r.kg for r in rows) == [D("20.000"), D("50.000"), D("100.000")]


def test_a_camat_reads_the_kecamatan_realisation_on_screen_and_as_xlsx(login):
    s = login("camat.kedungkandang")
    page = s.get("/pupuk/laporan/?tingkat=kecamatan").get_data(as_text=True)
    assert "35.73.03" in page and "Urea" in page
    r = s.get("/pupuk/laporan/realisasi.xlsx?tingkat=petani")
    assert r.status_code == 200 and r.data[:2] == b"PK"


def test_a_camat_elsewhere_sees_no_realisation_of_malang(login):
    page = login("camat.kebonjeruk").get("/pupuk/laporan/?tingkat=kecamatan").get_data(as_text=True)
    assert "35.73.03" not in page


def test_the_farmer_page_shows_the_masked_nik_and_a_sekretaris_reveal_is_audited(login, sysdb):
    from app.core.audit import AuditEvent

    f = farmer(sysdb)
    s = login("sekretaris.cemorokandang")
    page = s.get(f"/pupuk/petani/show/{f.id}").get_data(as_text=True)
    assert SUMARNO not in page and "0003" in page
    r = s.post(f"/pupuk/petani/nik/{f.id}")
    assert SUMARNO in r.get_data(as_text=True)
    sysdb.expire_all()
    assert sysdb.scalar(select(AuditEvent.id).where(AuditEvent.action == "nik_reveal",
                                                    AuditEvent.table_name == "pupuk_farmer")) is not None


def test_the_monthly_distributor_report_on_screen_and_as_xlsx_within_scope(login, sysdb):
    """The Sekretaris of Cemorokandang and its Camat read the monthly report; the xlsx opens with its headers; a
    Sekretaris of another cooperative does not see Cemorokandang in the list."""
    from openpyxl import load_workbook

    coop = sysdb.scalar(select(Cooperative).where(Cooperative.name.ilike("%cemorokandang%")))
    for user in ("sekretaris.cemorokandang", "camat.kedungkandang"):
        s = login(user)
        page = s.get(f"/pupuk/laporan/bulanan?koperasi={coop.id}")
        assert page.status_code == 200
        html = page.get_data(as_text=True)
        assert "monthly-rows" in html and "Stok awal (kg)" in html and "monthly-served" in html
        x = s.get(f"/pupuk/laporan/bulanan.xlsx?koperasi={coop.id}")
        assert x.status_code == 200
        ws = load_workbook(io.BytesIO(x.data)).active
        values = [c for row in ws.iter_rows(values_only=True) for c in row]
        assert "Stok awal (kg)" in values and "Jumlah petani dilayani" in values
    other = login("sekretaris.kebonjeruk").get("/pupuk/laporan/bulanan").get_data(as_text=True)
    assert "Cemorokandang" not in other


def test_the_monthly_distributor_report_is_in_the_menu_of_who_may_read_it(login):
    """The Sekretaris and the Camat find the monthly report to the distributor in the menu; the kiosk clerk, who
    may not read reports, neither sees the entry nor opens the page."""
    for user in ("sekretaris.cemorokandang", "camat.kedungkandang"):
        assert 'href="/pupuk/laporan/bulanan"' in login(user).get("/").get_data(as_text=True), user
    clerk = login("petugas.cemorokandang")
    assert 'href="/pupuk/laporan/bulanan"' not in clerk.get("/").get_data(as_text=True)
    assert clerk.get("/pupuk/laporan/bulanan").status_code in (302, 403)


def test_a_quota_lookup_is_four_statements_and_without_a_token_it_is_refused(app, petugas, sysdb):
    """The kiosk asks for a farmer's quota at every NIK typed: it must stay a few indexed reads (the Public role's
    permissions once, the user, the farmer's NIK digest in scope, the quota rows), and a request without a token
    is still refused (the Public role grants nothing)."""
    client, headers = petugas
    f = farmer(sysdb)
    with sql_statements(app) as seen:
        r = client.get(f"/api/v1/farmer/{f.id}/quota", headers=headers)
    assert r.status_code == 200 and {q["pupuk_type"] for q in r.json["result"]} >= {"urea"}
    reads = [s for s in seen if not s.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT",
                                                                    "RELEASE"))]
    assert len(reads) <= 4, reads
    assert client.get(f"/api/v1/farmer/{f.id}/quota").status_code == 401


def test_a_redemption_is_a_fixed_handful_of_statements_reading_its_month_and_its_stock_once(app, petugas, sysdb):
    """A kiosk records a redemption per farmer in a queue at the counter, so its cost is watched: it reads the
    month's period once under its share lock (the date check, the posting and the flush guard share that read),
    locks the stock balance in one statement and stays within a fixed number of statements."""
    from app.core.dates import local_today

    client, headers = petugas
    coop = sysdb.scalar(select(Cooperative).where(Cooperative.region_code == CEMORO))
    open_month(sysdb, coop.id, local_today(coop), commit=True)  # the month's first redemption has opened it
    f = farmer(sysdb)
    coop = sysdb.scalar(select(Cooperative).where(Cooperative.region_code == CEMORO))  # loaded again after commit
    with sql_statements(app) as seen:
        r = client.post("/api/v1/pupuk_redemption/", headers=headers, json={
            "farmer_id": f.id, "pupuk_type": "urea", "kg": 1, "date": local_today(coop).isoformat(),
            "idempotency_key": "http-count-1"})
    assert r.status_code == 201, r.get_data(as_text=True)
    work = [s for s in seen if not s.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT",
                                                                   "RELEASE"))]
    assert len([s for s in work if "ledger_period" in s]) == period_hold_cost(app)
    balance = [s.lstrip().split()[0].upper() for s in work if "inv_stock_balance" in s]
    assert balance == ["INSERT", "UPDATE"], balance  # the lock is the upsert itself; the update writes the issue
    # The date an approved stock count fixed is read in the statement that reads the stock's movements.
    counts = [s for s in work if "inv_stock_count" in s]
    assert len(counts) == 1 and "inv_stock_movement" in counts[0], counts
    # PostgreSQL's count (what production runs); SQLite writes some batches a row at a time.
    assert len(work) <= (34 if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql") else 40), len(work)
