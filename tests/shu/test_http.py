"""SHU and RAT through HTTP and the API, as the demo users: who sees what, who may do what, and refusals that
write nothing. The demo gives every cooperative last year's rule and a RAT being prepared."""
import io
from decimal import ROUND_HALF_UP, Decimal as D

from openpyxl import load_workbook
from sqlalchemy import func, select

from app.cooperatives.models import Cooperative
from app.core.dates import local_today
from app.shu.models import RatMeeting, ShuAllocation, ShuRule, ShuWorksheet
from tests.conftest import api_token

OWN, OTHER_CITY, NOT_CLOSED = "31.73.05.1001", "35.73.03.1010", "31.73.05.1002"


def _coop(sysdb, code):
    return sysdb.scalar(select(Cooperative).where(Cooperative.region_code == code))


def _rule_state(sysdb, coop_id):
    sysdb.expire_all()
    return sorted((r.year, a.kind, a.percent) for r in sysdb.scalars(select(ShuRule).where(
        ShuRule.cooperative_id == coop_id)) for a in sysdb.scalars(select(ShuAllocation).where(
            ShuAllocation.rule_id == r.id)))


def test_the_lurah_sees_the_rat_status_with_its_deadline_and_the_overdue_flag(app, sysdb, login):
    coop = _coop(sysdb, OWN)
    rat = sysdb.scalar(select(RatMeeting).where(RatMeeting.cooperative_id == coop.id))
    page = login("lurah.kebonjeruk").get(f"/rat/show/{rat.id}").get_data(as_text=True)
    assert rat.deadline.strftime("%d/%m/%Y") in page
    assert ("Terlambat" in page) == (local_today(coop) > rat.deadline)
    assert "Disiapkan" in page


def test_a_worksheet_of_a_cooperative_outside_the_area_is_not_found(app, sysdb, login):
    other = _coop(sysdb, OTHER_CITY)
    year = local_today(other).year - 1
    assert login("pengurus.kebonjeruk").get(f"/shu/{other.id}/{year}").status_code == 404
    assert login("sudin.jakbar").get(f"/shu/{other.id}/{year}/rat.xlsx").status_code == 404


def test_the_lurah_cannot_compute_or_distribute(app, sysdb, login):
    coop = _coop(sysdb, OWN)
    year = local_today(coop).year - 1
    before = sysdb.scalar(select(ShuWorksheet.computed_at).where(ShuWorksheet.cooperative_id == coop.id))
    s = login("lurah.kebonjeruk")
    for verb in ("hitung", "bagikan"):
        r = s.post(f"/shu/{coop.id}/{year}/{verb}", {}, form_url=f"/shu/{coop.id}/{year}")
        assert r.status_code in (302, 403)
    sysdb.expire_all()
    ws = sysdb.scalar(select(ShuWorksheet).where(ShuWorksheet.cooperative_id == coop.id))
    assert ws.status == "dihitung" and ws.computed_at == before


def test_a_split_of_99_99_percent_on_the_rule_form_is_refused_and_nothing_changes(app, sysdb, login):
    coop = _coop(sysdb, OWN)
    year = local_today(coop).year - 1
    before = _rule_state(sysdb, coop.id)
    url = f"/shu/{coop.id}/{year}/aturan"
    data = {"pct_cadangan": "40", "pct_jasa_modal": "20", "pct_jasa_usaha": "20", "pct_dana_pengurus": "5",
            "pct_dana_karyawan": "5", "pct_dana_pendidikan": "5", "pct_dana_sosial": "4,99",
            "jm_basis": "pokok_wajib", "balance_basis": "akhir_tahun", "leaver_rule": "sampai_keluar",
            "quorum_percent": "50"}
    r = login("pengurus.kebonjeruk").post(url, data, form_url=url)
    assert r.status_code == 200
    assert "tepat 100,00% (sekarang 99,99%)" in r.get_data(as_text=True)
    assert _rule_state(sysdb, coop.id) == before


def test_computing_a_year_that_is_not_closed_is_refused_by_the_api_with_the_reason(app, sysdb, client):
    coop = _coop(sysdb, NOT_CLOSED)
    year = local_today(coop).year - 1
    headers = api_token(client, "admin")
    r = client.post(f"/api/v1/shu/{coop.id}/{year}/compute", headers=headers)
    assert r.status_code == 422
    assert f"Tahun buku {year} belum ditutup" in r.get_data(as_text=True)
    assert sysdb.scalar(select(func.count(ShuWorksheet.id)).where(ShuWorksheet.cooperative_id == coop.id)) == 0
    assert client.get(f"/api/v1/shu/{coop.id}/{year}/members", headers=headers).status_code == 404
    lurah = api_token(client, "lurah.kebonjeruk")
    own = _coop(sysdb, OWN)
    assert client.post(f"/api/v1/shu/{own.id}/{year}/compute", headers=lurah).status_code == 403


def test_the_rule_api_refuses_100_01_percent_and_lists_only_rules_in_scope(app, sysdb, client):
    coop, other = _coop(sysdb, OWN), _coop(sysdb, OTHER_CITY)
    year = local_today(coop).year - 1
    headers = api_token(client, "pengurus.kebonjeruk")
    before = _rule_state(sysdb, coop.id)
    body = {"cooperative_id": coop.id, "year": year,
            "allocations": [{"kind": "cadangan", "percent": "40.01"}, {"kind": "jasa_modal", "percent": "60"}]}
    r = client.post("/api/v1/shu_rule/", json=body, headers=headers)
    assert r.status_code == 422 and "100,01" in r.get_data(as_text=True)
    assert _rule_state(sysdb, coop.id) == before
    listed = client.get("/api/v1/shu_rule/?q=(page_size:100)", headers=headers).json
    assert {row["cooperative_id"] for row in listed["result"]} == {coop.id}
    body["cooperative_id"] = other.id
    assert client.post("/api/v1/shu_rule/", json=body, headers=headers).status_code == 404


def test_the_rat_package_workbook_holds_the_statements_the_decision_members_attendance_and_rapb(app, sysdb, login):
    coop = _coop(sysdb, OWN)
    year = local_today(coop).year - 1
    r = login("camat.kebonjeruk").get(f"/shu/{coop.id}/{year}/rat.xlsx")
    assert r.status_code == 200
    wb = load_workbook(io.BytesIO(r.data), read_only=True)
    assert wb.sheetnames == ["Ringkasan RAT", "Posisi keuangan", "PHU", "Perubahan ekuitas", "Arus kas",
                             "Neraca saldo", "Pembagian SHU", "SHU anggota", "Daftar hadir", "RAPB"]
    summary = "\n".join(str(c) for row in wb["Ringkasan RAT"].iter_rows(values_only=True) for c in row if c)
    assert f"30/06/{year + 1}" in summary and "Disiapkan" in summary


def test_the_sudin_may_verify_only_a_reported_rat_and_the_lurah_not_at_all(app, sysdb, login):
    coop = _coop(sysdb, OWN)
    rat = sysdb.scalar(select(RatMeeting).where(RatMeeting.cooperative_id == coop.id))
    show = f"/shu/{coop.id}/{rat.year}/rat"
    r = login("lurah.kebonjeruk").post(f"/shu/rat/{rat.id}/verifikasi", {}, form_url=show)
    assert r.status_code in (302, 403)
    s = login("sudin.jakbar")
    r = s.post(f"/shu/rat/{rat.id}/verifikasi", {}, form_url=show)
    assert r.status_code == 302 and r.headers["Location"].endswith(show)
    assert "tidak dapat diubah dari Disiapkan" in s.get(show).get_data(as_text=True)
    sysdb.expire_all()
    assert sysdb.get(RatMeeting, rat.id).status == "disiapkan"


def test_the_demo_cooperative_has_a_closed_last_year_whose_member_shares_add_up_to_the_member_parts(app, sysdb,
                                                                                                   login):
    """After `make run` the SHU screens show a real year: KKMP Kebon Jeruk's last year is closed by the ledger's
    own close, its worksheet computed from the gerai sales and the savings, and the rounded member shares plus
    the rounding remainder (to cadangan) are the jasa modal and jasa usaha parts to the rupiah."""
    from app.ledger.models import LedgerYear
    from app.shu.models import ShuMemberShare

    coop = _coop(sysdb, OWN)
    year = local_today(coop).year - 1
    assert sysdb.scalar(select(LedgerYear.id).where(LedgerYear.cooperative_id == coop.id, LedgerYear.year == year))
    ws = sysdb.scalar(select(ShuWorksheet).where(ShuWorksheet.cooperative_id == coop.id, ShuWorksheet.year == year))
    assert ws.shu_total > 0 and ws.member_count >= 5 and ws.ju_source == "Penjualan gerai"
    shares = sysdb.scalars(select(ShuMemberShare).where(ShuMemberShare.worksheet_id == ws.id)).all()
    assert sum(s.total_rounded for s in shares) == ws.member_shares_total
    assert ws.member_shares_total + ws.cadangan_rounding == ws.jm_amount + ws.ju_amount
    assert ws.cadangan_total + ws.funds_total + ws.member_shares_total == ws.shu_total
    page = login("pengurus.kebonjeruk").get(f"/shu/{coop.id}/{year}/anggota").get_data(as_text=True)
    assert shares[0].member.name in page


def test_the_api_refuses_a_distribution_before_the_rat_and_a_negative_part_with_indonesian_reasons(app, sysdb,
                                                                                                    client):
    """The demo's RAT is still being prepared: posting the distribution is 422 with the reason and writes nothing;
    a rule with a negative part is 422 and the rules stay as they were."""
    from app.ledger.models import JournalEntry

    coop = _coop(sysdb, OWN)
    year = local_today(coop).year - 1
    headers = api_token(client, "pengurus.kebonjeruk")
    entries = sysdb.scalar(select(func.count(JournalEntry.id)).where(JournalEntry.cooperative_id == coop.id))
    r = client.post(f"/api/v1/shu/{coop.id}/{year}/distribute", headers=headers)
    assert r.status_code == 422
    assert f"setelah RAT tahun buku {year} dilaksanakan" in r.json["message"]
    sysdb.expire_all()
    assert sysdb.scalar(select(ShuWorksheet.status).where(ShuWorksheet.cooperative_id == coop.id,
                                                          ShuWorksheet.year == year)) == "dihitung"
    assert sysdb.scalar(select(func.count(JournalEntry.id)).where(JournalEntry.cooperative_id == coop.id)) == entries

    before = _rule_state(sysdb, coop.id)
    body = {"cooperative_id": coop.id, "year": year,
            "allocations": [{"kind": "cadangan", "percent": "90"}, {"kind": "jasa_modal", "percent": "-10"},
                            {"kind": "jasa_usaha", "percent": "20"}]}
    r = client.post("/api/v1/shu_rule/", json=body, headers=headers)
    assert r.status_code == 422 and "tidak boleh negatif" in r.get_data(as_text=True)
    assert _rule_state(sysdb, coop.id) == before
    r = client.get(f"/api/v1/shu/{coop.id}/{year}/members?after=x", headers=headers)
    assert r.status_code == 400 and "bilangan bulat" in r.json["message"]


def test_the_member_api_pages_by_keyset_with_exact_and_rounded_shares(app, sysdb, client):
    coop = _coop(sysdb, OWN)
    year = local_today(coop).year - 1
    headers = api_token(client, "camat.kebonjeruk")
    first = client.get(f"/api/v1/shu/{coop.id}/{year}/members?page_size=2", headers=headers).json["result"]
    assert len(first["members"]) == 2 and first["next_after"] == first["members"][-1]["id"]
    rest = client.get(f"/api/v1/shu/{coop.id}/{year}/members?page_size=500&after={first['next_after']}",
                      headers=headers).json["result"]
    every = first["members"] + rest["members"]
    assert rest["next_after"] is None and len(every) == first["member_count"]
    assert sum(D(m["total_rounded"]) for m in every) == D(first["member_shares_total"])
    assert all(D(m["total_rounded"]) == D(m["total_exact"]).quantize(D("1"), rounding=ROUND_HALF_UP)
               for m in every)


def test_a_big_cooperatives_worksheet_asked_through_the_api_is_a_job_the_caller_follows(app, sysdb, client,
                                                                                        monkeypatch):
    """Above KKMP_SHU_JOB_MEMBERS the API does not compute in the request: 202 with the job; the job's status is
    the starter's to read (another cooperative's secretary, or the starter's own, gets 404), and once done the shares are there."""
    monkeypatch.setitem(app.config, "KKMP_SHU_JOB_MEMBERS", -1)
    coop = _coop(sysdb, OWN)
    year = local_today(coop).year - 1
    headers = api_token(client, "pengurus.kebonjeruk")
    r = client.post(f"/api/v1/shu/{coop.id}/{year}/compute", headers=headers)
    assert r.status_code == 202, r.get_data(as_text=True)
    job_id = r.json["result"]["job_id"]
    assert r.json["result"]["status_url"] == f"/api/v1/job/{job_id}"
    status = client.get(f"/api/v1/job/{job_id}", headers=headers)  # the tests' queue runs the job at once
    assert status.status_code == 200
    result = status.json["result"]
    sysdb.expire_all()
    ws = sysdb.scalar(select(ShuWorksheet).where(ShuWorksheet.cooperative_id == coop.id, ShuWorksheet.year == year))
    assert (result["kind"], result["status"], result["percent"]) == ("shu_compute", "done", 100)
    assert result["summary"] == f"Kertas kerja SHU tahun buku {year} dihitung: {ws.member_count} anggota."
    members = client.get(f"/api/v1/shu/{coop.id}/{year}/members", headers=headers)
    assert members.status_code == 200 and len(members.json["result"]["members"]) == min(ws.member_count, 100)
    for name in ("sekretaris.lempake", "sekretaris.kebonjeruk"):  # elsewhere, and beside the starter: not theirs
        assert client.get(f"/api/v1/job/{job_id}", headers=api_token(client, name)).status_code == 404
    assert client.get(f"/api/v1/job/{job_id}").status_code == 401
