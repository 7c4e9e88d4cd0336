"""The ledger through the real screens and API, as Pengurus, Sekretaris, Lurah, Sudin and Admin."""
import re
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.cooperatives.models import Cooperative
from app.core.audit import AuditEvent
from app.ledger.models import Account, JournalCounter, JournalEntry, Period
from tests.conftest import api_token

# The assertions below read messages by their English msgids.
pytestmark = pytest.mark.usefixtures("english_messages")

OWN = "31.73.05.1001"
TODAY = date.today()
OPEN_DAY = TODAY.replace(day=1)


def coop_id(sysdb, code=OWN):
    return sysdb.scalar(select(Cooperative.id).where(Cooperative.region_code == code))


def entry_count(sysdb, cid):
    sysdb.expire_all()
    return sysdb.scalar(select(func.count()).select_from(JournalEntry).where(JournalEntry.cooperative_id == cid))


def closed_month(sysdb, cid):
    sysdb.expire_all()
    row = sysdb.execute(select(Period.year, Period.month).where(Period.cooperative_id == cid,
                                                                Period.status == "closed")).first()
    return date(row.year, row.month, 10)


def form(day, description, *lines, reference=""):
    data = {"entry_date": day.strftime("%d/%m/%Y"), "description": description, "reference": reference,
            "business_unit": ""}
    for i, (account, debit, credit) in enumerate(lines):
        data.update({f"account-{i}": account, f"debit-{i}": debit, f"credit-{i}": credit, f"memo-{i}": ""})
    return data


def errors_in(html):
    return re.findall(r'field-error[^>]*>([^<]+)<', html)


def test_pengurus_posts_a_journal_with_indonesian_amounts_and_sees_it(login, sysdb):
    cid = coop_id(sysdb)
    before = entry_count(sysdb, cid)
    s = login("pengurus.kebonjeruk")
    page = s.get("/jurnal/baru").get_data(as_text=True)
    assert 'name="csrf_token"' in page and "111000 Kas" in page and "311000 Simpanan pokok" in page
    r = s.post("/jurnal/baru", form(OPEN_DAY, "Setoran simpanan pokok 3 anggota", ("111000", "1.500.000", ""),
                                    ("311000", "", "1500000"), reference="BKM-HTTP-1"), form_url="/jurnal/baru")
    assert r.status_code == 302, errors_in(r.get_data(as_text=True))
    assert entry_count(sysdb, cid) == before + 1
    entry = sysdb.scalar(select(JournalEntry).where(JournalEntry.reference == "BKM-HTTP-1"))
    assert entry.total == Decimal("1500000.00") and entry.posted_by == "pengurus.kebonjeruk"
    assert [(l.account.code, l.debit, l.credit) for l in entry.lines] == [
        ("111000", Decimal("1500000.00"), Decimal("0.00")), ("311000", Decimal("0.00"), Decimal("1500000.00"))]
    shown = s.get(r.headers["Location"]).get_data(as_text=True)
    assert entry.number in shown and "Rp1.500.000" in shown


@pytest.mark.parametrize("lines,day_kind,message", [
    ((("111000", "1.500.000", ""), ("311000", "", "1.400.000")), "open", "not equal"),
    ((("111000", "1,500,000", ""), ("311000", "", "1500000")), "open", "1.500.000"),
    ((("111000", "100", ""),), "open", "at least two lines"),
    ((("111000", "100", ""), ("311000", "", "100")), "closed", "is closed"),
    ((("111000", "100", ""), ("311000", "", "100")), "future", "masa depan|future"),
])
def test_a_wrong_journal_form_comes_back_with_the_error_and_writes_nothing(login, sysdb, lines, day_kind, message):
    cid = coop_id(sysdb)
    day = {"open": OPEN_DAY, "closed": closed_month(sysdb, cid), "future": date(TODAY.year + 1, 1, 1)}[day_kind]
    before = entry_count(sysdb, cid)
    counter = sysdb.scalar(select(func.max(JournalCounter.last_number)).where(JournalCounter.cooperative_id == cid))
    s = login("pengurus.kebonjeruk")
    r = s.post("/jurnal/baru", form(day, "Salah", *lines), form_url="/jurnal/baru")
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and any(re.search(message, e) for e in errors_in(html)), errors_in(html)
    assert 'value="Salah"' in html  # what the user typed is kept
    assert entry_count(sysdb, cid) == before
    assert sysdb.scalar(select(func.max(JournalCounter.last_number)).where(
        JournalCounter.cooperative_id == cid)) == counter


def test_a_journal_form_without_the_csrf_token_is_refused(login, sysdb):
    cid = coop_id(sysdb)
    before = entry_count(sysdb, cid)
    s = login("pengurus.kebonjeruk")
    r = s.client.post("/jurnal/baru", data=dict(form(OPEN_DAY, "Tanpa token", ("111000", "100", ""),
                                                     ("311000", "", "100")), cooperative=str(cid)))
    assert r.status_code == 400
    assert entry_count(sysdb, cid) == before


@pytest.mark.parametrize("username", ["sekretaris.kebonjeruk", "lurah.kebonjeruk", "camat.kebonjeruk"])
def test_only_the_pengurus_may_post_journals_others_read_them(login, sysdb, username):
    s = login(username)
    assert s.get("/jurnal/baru").status_code == 403
    r = s.client.post("/jurnal/baru", data=form(OPEN_DAY, "x", ("111000", "1", ""), ("311000", "", "1")))
    assert r.status_code in (400, 403)
    listing = s.get("/jurnal/list/")
    assert listing.status_code == 200 and "JU-" in listing.get_data(as_text=True)
    assert s.get("/jurnal/edit/1").status_code == 404 and s.get("/jurnal/delete/1").status_code == 404


def test_pengurus_reverses_an_entry_from_its_page(login, sysdb):
    cid = coop_id(sysdb)
    original = sysdb.scalar(select(JournalEntry).where(JournalEntry.cooperative_id == cid,
                                                       JournalEntry.entry_type == "umum",
                                                       JournalEntry.entry_date >= OPEN_DAY.replace(day=1))
                            .order_by(JournalEntry.id))
    if original is None:
        pytest.skip("no open-month entry")
    s = login("pengurus.kebonjeruk")
    page = s.get(f"/jurnal/show/{original.id}").get_data(as_text=True)
    assert "kkmp-reverse-form" in page
    r = s.post(f"/jurnal/balik/{original.id}", {"entry_date": TODAY.isoformat(), "reason": "nominal salah ketik"},
               form_url=f"/jurnal/show/{original.id}")
    assert r.status_code == 302
    sysdb.expire_all()
    reversal = sysdb.scalar(select(JournalEntry).where(JournalEntry.reverses_id == original.id))
    assert reversal is not None and reversal.total == original.total
    assert s.get("/jurnal/balik/%d" % original.id).status_code == 405  # no GET mutation


def test_pengurus_closes_a_month_and_only_the_sudin_reopens_it_with_a_reason(login, sysdb):
    cid = coop_id(sysdb)
    s = login("pengurus.kebonjeruk")
    r = s.post("/periode/tutup", {"year": "2026", "month": "1"}, form_url="/periode/list/")
    assert r.status_code == 302
    sysdb.expire_all()
    period = sysdb.scalar(select(Period).where(Period.cooperative_id == cid, Period.year == 2026, Period.month == 1))
    assert period.status == "closed" and period.closed_by == "pengurus.kebonjeruk"
    # Posting into it is refused through the API too.
    headers = api_token(s.client, "pengurus.kebonjeruk")
    r = s.client.post("/api/v1/journal_entry/post", headers=headers, json={
        "cooperative_id": cid, "entry_date": "2026-01-15", "description": "telat",
        "lines": [{"account": "kas", "debit": "10"}, {"account": "simpanan_pokok", "credit": "10"}]})
    assert r.status_code == 422 and "closed" in r.get_data(as_text=True)
    assert s.client.post(f"/periode/buka/{period.id}", data={"reason": "koreksi pembukuan",
                                                              "csrf_token": s.token("/periode/list/")}).status_code == 403
    assert login("sekretaris.kebonjeruk").post("/periode/tutup", {"year": "2026", "month": "2"},
                                               form_url="/periode/list/").status_code == 403
    sudin = login("sudin.jakbar")
    r = sudin.post(f"/periode/buka/{period.id}", {"reason": "pendek"}, form_url=f"/periode/show/{period.id}")
    sysdb.expire_all()
    assert sysdb.get(Period, period.id).status == "closed"
    r = sudin.post(f"/periode/buka/{period.id}", {"reason": "Koreksi salah posting sebelum RAT"},
                   form_url=f"/periode/show/{period.id}")
    assert r.status_code == 302
    sysdb.expire_all()
    period = sysdb.get(Period, period.id)
    assert period.status == "open" and period.reopen_reason == "Koreksi salah posting sebelum RAT"
    audit = sysdb.scalar(select(AuditEvent).where(AuditEvent.table_name == "ledger_period",
                                                  AuditEvent.record_id == str(period.id),
                                                  AuditEvent.username == "sudin.jakbar"))
    assert audit is not None and "Koreksi salah posting sebelum RAT" in audit.after
    assert sudin.get("/periode/tutup").status_code == 405


def test_the_api_posts_through_the_same_service_and_refuses_what_the_form_refuses(client, sysdb):
    cid = coop_id(sysdb)
    other = coop_id(sysdb, "35.73.03.1010")
    headers = api_token(client, "pengurus.kebonjeruk")
    body = {"cooperative_id": cid, "entry_date": OPEN_DAY.isoformat(), "description": "Penjualan via API",
            "reference": "API-1", "lines": [{"account": "kas", "debit": "250000.50"},
                                            {"account": "penjualan_sembako_anggota", "credit": "250000.50"}]}
    r = client.post("/api/v1/journal_entry/post", json=body, headers=headers)
    assert r.status_code == 201, r.get_data(as_text=True)
    assert re.fullmatch(r"JU-\d{4}-\d{6}", r.json["number"])
    got = client.get(f"/api/v1/journal_entry/{r.json['id']}", headers=headers)
    assert got.status_code == 200 and [l["account"] for l in got.json["result"]["lines"]] == ["111000", "411100"]
    bad = dict(body, lines=[{"account": "kas", "debit": "10"}, {"account": "simpanan_pokok", "credit": "9"}])
    r = client.post("/api/v1/journal_entry/post", json=bad, headers=headers)
    assert r.status_code == 422 and "not equal" in r.get_data(as_text=True)
    floaty = dict(body, lines=[{"account": "kas", "debit": 10.5}, {"account": "simpanan_pokok", "credit": 10.5}])
    assert client.post("/api/v1/journal_entry/post", json=floaty, headers=headers).status_code == 201
    foreign = dict(body, cooperative_id=other)
    r = client.post("/api/v1/journal_entry/post", json=foreign, headers=headers)
    assert r.status_code == 422 and "Unknown cooperative" in r.get_data(as_text=True)
    assert client.put(f"/api/v1/journal_entry/{got.json['id']}", json={}, headers=headers).status_code == 403
    admin = api_token(client, "admin")
    assert client.put(f"/api/v1/journal_entry/{got.json['id']}", json={}, headers=admin).status_code == 405
    assert client.delete(f"/api/v1/journal_entry/{got.json['id']}", headers=admin).status_code == 405


@pytest.mark.parametrize("username", ["sekretaris.kebonjeruk", "lurah.kebonjeruk"])
def test_sekretaris_and_lurah_read_accounts_and_journals_through_the_api_but_cannot_post(client, sysdb, username):
    cid = coop_id(sysdb)
    headers = api_token(client, username)
    accounts = client.get("/api/v1/account/?q=(page_size:100)", headers=headers)
    assert accounts.status_code == 200 and {a["cooperative_id"] for a in accounts.json["result"]} == {cid}
    assert client.get("/api/v1/journal_entry/", headers=headers).status_code == 200
    r = client.post("/api/v1/journal_entry/post", headers=headers, json={
        "cooperative_id": cid, "entry_date": OPEN_DAY.isoformat(), "description": "x",
        "lines": [{"account": "kas", "debit": "1"}, {"account": "simpanan_pokok", "credit": "1"}]})
    assert r.status_code == 403


def test_an_account_with_postings_cannot_be_deleted_through_the_api(client, sysdb):
    cid = coop_id(sysdb)
    kas = sysdb.scalar(select(Account.id).where(Account.cooperative_id == cid, Account.code == "111000"))
    headers = api_token(client, "pengurus.kebonjeruk")
    r = client.delete(f"/api/v1/account/{kas}", headers=headers)
    assert r.status_code == 422 and "postings" in r.get_data(as_text=True)
    sysdb.expire_all()
    assert sysdb.get(Account, kas) is not None


def test_the_api_documents_the_posting_endpoint(client):
    headers = api_token(client, "admin")
    spec = client.get("/api/v1/_openapi", headers=headers)
    assert spec.status_code == 200 and "/journal_entry/post" in spec.get_data(as_text=True)


def test_the_year_end_close_is_refused_with_its_reason_and_is_for_the_pengurus_only(login, sysdb):
    """The demo closes Kebon Jeruk's last year (app/shu/demo.py, through the ledger's close_year): closing it again
    is refused with the reason and posts nothing; a closed year's months stay closed (test_year_end.py has the
    refusal while months are open, on a fresh cooperative)."""
    from app.core.dates import local_today

    year = local_today(None).year - 1
    closing = select(func.count(JournalEntry.id)).where(JournalEntry.entry_type == "penutup")
    before = sysdb.scalar(closing)
    s = login("pengurus.kebonjeruk")
    page = s.get("/periode/list/").get_data(as_text=True)
    assert "kkmp-close-year-form" in page
    r = s.post("/periode/tutup-tahun", {"year": str(year)}, form_url="/periode/list/", follow_redirects=True)
    assert re.search(r"(already closed|sudah ditutup)", r.get_data(as_text=True)) and str(year) in r.get_data(
        as_text=True)
    assert sysdb.scalar(closing) == before
    sek = login("sekretaris.kebonjeruk")
    assert sek.post("/periode/tutup-tahun", {"year": str(year)}, form_url="/periode/list/").status_code == 403


def test_a_cooperative_registered_through_the_screens_or_the_api_gets_its_chart_of_accounts(login, client, sysdb):
    s = login("admin")
    r = s.post("/koperasi/add", {"region_code": "64.71.01.1001", "name": "", "address": "",
                                 "musyawarah_date": "2025-05-31", "musyawarah_ba_number": "BA/9/V/2025"})
    assert r.status_code == 302
    r = client.post("/api/v1/cooperative/", json={"region_code": "64.71.01.1002", "name": "KKMP Lamaru"},
                    headers=api_token(client, "admin"))
    assert r.status_code == 201, r.get_data(as_text=True)
    sysdb.expire_all()
    for code in ("64.71.01.1001", "64.71.01.1002"):
        cid = coop_id(sysdb, code)
        codes = set(sysdb.scalars(select(Account.code).where(Account.cooperative_id == cid)))
        assert {"111000", "311000", "316000", "317000", "411100", "411200"} <= codes
