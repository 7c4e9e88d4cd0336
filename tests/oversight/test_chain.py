"""The monthly review chain as its users meet it through the API: the Pengurus submits a closed month, the Lurah,
then the Camat, then the Sudin approve; anyone else, or anyone out of turn or out of area, is refused and nothing
is written."""
from sqlalchemy import func, select

from app.core.audit import AuditEvent
from app.oversight.models import MonthlyReport, MonthlyReportStep
from tests.conftest import api_token

from .conftest import OTHER_CITY, SIBLING, coop_id, free_month

BASE = "/api/v1/monthly_report/"


def _tokens(client, *names):
    return {n: api_token(client, n) for n in names}


def _submit(client, headers, coop, year, month):
    return client.post(BASE, json={"cooperative_id": coop, "year": year, "month": month}, headers=headers)


def _state(sysdb, pk):
    sysdb.expire_all()
    report = sysdb.get(MonthlyReport, pk)
    steps = sysdb.scalars(select(MonthlyReportStep).where(MonthlyReportStep.report_id == pk)
                          .order_by(MonthlyReportStep.id)).all()
    return report.status, [(s.action, s.role, s.username) for s in steps]


def test_the_chain_completes_lurah_then_camat_then_sudin_each_step_dated_and_audited(app, sysdb, closed_month):
    coop, year, month = closed_month
    client = app.test_client()
    t = _tokens(client, "pengurus.kebonjeruk", "lurah.kebonjeruk", "camat.kebonjeruk", "sudin.jakbar")
    r = _submit(client, t["pengurus.kebonjeruk"], coop, year, month)
    assert r.status_code == 201, r.get_data(as_text=True)
    pk = r.json["id"]
    assert r.json["result"]["status"] == "submitted" and r.json["result"]["submitted_by"] == "pengurus.kebonjeruk"
    audits_before = sysdb.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.table_name == "monthly_report", AuditEvent.record_id == str(pk)))
    assert audits_before == 1  # the creation
    for who, status in (("lurah.kebonjeruk", "lurah_approved"), ("camat.kebonjeruk", "camat_approved"),
                        ("sudin.jakbar", "approved")):
        r = client.post(f"{BASE}{pk}/approve", json={}, headers=t[who])
        assert r.status_code == 200, (who, r.get_data(as_text=True))
        assert r.json["result"]["status"] == status
    status, steps = _state(sysdb, pk)
    assert status == "approved"
    assert steps == [("submit", "Pengurus", "pengurus.kebonjeruk"), ("approve", "Lurah", "lurah.kebonjeruk"),
                     ("approve", "Camat", "camat.kebonjeruk"), ("approve", "Sudin", "sudin.jakbar")]
    report = sysdb.get(MonthlyReport, pk)
    assert report.lurah_at and report.camat_at and report.sudin_at
    assert (report.lurah_by, report.camat_by, report.sudin_by) == ("lurah.kebonjeruk", "camat.kebonjeruk",
                                                                   "sudin.jakbar")
    updates = sysdb.execute(select(AuditEvent.username).where(
        AuditEvent.table_name == "monthly_report", AuditEvent.record_id == str(pk),
        AuditEvent.action == "update").order_by(AuditEvent.id)).scalars().all()
    assert updates == ["lurah.kebonjeruk", "camat.kebonjeruk", "sudin.jakbar"]
    # Done: nobody acts on it again.
    assert client.post(f"{BASE}{pk}/approve", json={}, headers=t["sudin.jakbar"]).status_code == 409


def test_the_camat_cannot_approve_before_the_lurah_nor_the_sudin_before_the_camat(app, sysdb, closed_month):
    coop, year, month = closed_month
    client = app.test_client()
    t = _tokens(client, "pengurus.kebonjeruk", "lurah.kebonjeruk", "camat.kebonjeruk", "sudin.jakbar")
    pk = _submit(client, t["pengurus.kebonjeruk"], coop, year, month).json["id"]
    for who in ("camat.kebonjeruk", "sudin.jakbar"):
        r = client.post(f"{BASE}{pk}/approve", json={}, headers=t[who])
        assert r.status_code == 409, (who, r.status_code)
        assert client.post(f"{BASE}{pk}/send_back", json={"comment": "Kas tidak cocok"},
                           headers=t[who]).status_code == 409
    assert _state(sysdb, pk)[0] == "submitted"
    assert client.post(f"{BASE}{pk}/approve", json={}, headers=t["lurah.kebonjeruk"]).status_code == 200
    assert client.post(f"{BASE}{pk}/approve", json={}, headers=t["sudin.jakbar"]).status_code == 409
    assert client.post(f"{BASE}{pk}/approve", json={}, headers=t["lurah.kebonjeruk"]).status_code == 409
    assert _state(sysdb, pk)[0] == "lurah_approved"


def test_roles_outside_the_review_get_403_and_write_nothing(app, sysdb, closed_month):
    coop, year, month = closed_month
    client = app.test_client()
    t = _tokens(client, "pengurus.kebonjeruk", "sekretaris.kebonjeruk", "lurah.kebonjeruk")
    # Only the Pengurus submits: the Sekretaris and the Lurah are refused.
    assert _submit(client, t["sekretaris.kebonjeruk"], coop, year, month).status_code == 403
    assert _submit(client, t["lurah.kebonjeruk"], coop, year, month).status_code == 403
    assert sysdb.scalar(select(MonthlyReport.id).where(MonthlyReport.cooperative_id == coop,
                                                       MonthlyReport.year == year,
                                                       MonthlyReport.month == month)) is None
    pk = _submit(client, t["pengurus.kebonjeruk"], coop, year, month).json["id"]
    for who in ("pengurus.kebonjeruk", "sekretaris.kebonjeruk"):
        assert client.post(f"{BASE}{pk}/approve", json={}, headers=t[who]).status_code == 403
        assert client.post(f"{BASE}{pk}/send_back", json={"comment": "Tolong perbaiki"},
                           headers=t[who]).status_code == 403
    assert _state(sysdb, pk) == ("submitted", [("submit", "Pengurus", "pengurus.kebonjeruk")])


def test_a_reviewer_of_another_area_gets_404_like_a_missing_report(app, sysdb):
    """Kebon Jeruk's lurah cannot see, let alone approve, the sibling kelurahan's report; the camat of Kebon Jeruk
    cannot touch a Malang report."""
    client = app.test_client()
    t = _tokens(client, "lurah.kebonjeruk", "camat.kebonjeruk", "sudin.jakbar")
    sibling = sysdb.scalar(select(MonthlyReport.id).where(MonthlyReport.cooperative_id == coop_id(sysdb, SIBLING)))
    malang = sysdb.scalar(select(MonthlyReport.id).where(MonthlyReport.cooperative_id == coop_id(sysdb, OTHER_CITY)))
    before = {pk: _state(sysdb, pk) for pk in (sibling, malang)}
    assert client.get(f"{BASE}{sibling}", headers=t["lurah.kebonjeruk"]).status_code == 404
    assert client.post(f"{BASE}{sibling}/approve", json={}, headers=t["lurah.kebonjeruk"]).status_code == 404
    assert client.post(f"{BASE}{sibling}/send_back", json={"comment": "bukan wilayah saya"},
                       headers=t["lurah.kebonjeruk"]).status_code == 404
    for who in ("camat.kebonjeruk", "sudin.jakbar"):
        assert client.post(f"{BASE}{malang}/approve", json={}, headers=t[who]).status_code == 404
    assert client.post(f"{BASE}999999/approve", json={}, headers=t["lurah.kebonjeruk"]).status_code == 404
    assert {pk: _state(sysdb, pk) for pk in (sibling, malang)} == before


def test_sending_back_needs_a_comment_and_returns_the_month_to_the_cooperative(app, sysdb, closed_month):
    coop, year, month = closed_month
    client = app.test_client()
    t = _tokens(client, "pengurus.kebonjeruk", "lurah.kebonjeruk", "camat.kebonjeruk")
    pk = _submit(client, t["pengurus.kebonjeruk"], coop, year, month).json["id"]
    assert client.post(f"{BASE}{pk}/approve", json={}, headers=t["lurah.kebonjeruk"]).status_code == 200
    for body in ({}, {"comment": ""}, {"comment": "   "}, {"comment": "ok"}):
        r = client.post(f"{BASE}{pk}/send_back", json=body, headers=t["camat.kebonjeruk"])
        assert r.status_code == 422, (body, r.status_code)
        assert "comment" in r.json["message"]
    assert _state(sysdb, pk)[0] == "lurah_approved"
    r = client.post(f"{BASE}{pk}/send_back", json={"comment": "Saldo kas tidak sesuai buku kas"},
                    headers=t["camat.kebonjeruk"])
    assert r.status_code == 200 and r.json["result"]["status"] == "sent_back"
    assert r.json["result"]["last_comment"] == "Saldo kas tidak sesuai buku kas"
    # Back with the cooperative: the reviewers have nothing to do, the Pengurus submits again, from the Lurah on.
    assert client.post(f"{BASE}{pk}/approve", json={}, headers=t["lurah.kebonjeruk"]).status_code == 409
    r = client.post(f"{BASE}{pk}/submit", json={}, headers=t["pengurus.kebonjeruk"])
    assert r.status_code == 200 and r.json["result"]["status"] == "submitted"
    assert r.json["result"]["lurah_at"] is None
    status, steps = _state(sysdb, pk)
    assert [s[0] for s in steps] == ["submit", "approve", "send_back", "submit"]
    assert sysdb.scalars(select(MonthlyReportStep.comment).where(MonthlyReportStep.report_id == pk,
                                                                 MonthlyReportStep.action == "send_back")).one() \
        == "Saldo kas tidak sesuai buku kas"
    # A report in review cannot be submitted twice.
    assert client.post(f"{BASE}{pk}/submit", json={}, headers=t["pengurus.kebonjeruk"]).status_code == 409


def test_an_open_month_cannot_be_submitted(app, sysdb):
    coop, year, month = free_month(app, close=False)
    client = app.test_client()
    r = _submit(client, api_token(client, "pengurus.kebonjeruk"), coop, year, month)
    assert r.status_code == 409
    assert "ditutup" in r.json["message"] or "closed" in r.json["message"]
    assert sysdb.scalar(select(MonthlyReport.id).where(MonthlyReport.cooperative_id == coop,
                                                       MonthlyReport.year == year,
                                                       MonthlyReport.month == month)) is None


def test_reopening_a_reviewed_month_resets_the_chain_and_says_so(app, sysdb, login, closed_month):
    coop, year, month = closed_month
    client = app.test_client()
    t = _tokens(client, "pengurus.kebonjeruk", "lurah.kebonjeruk", "camat.kebonjeruk", "sudin.jakbar")
    pk = _submit(client, t["pengurus.kebonjeruk"], coop, year, month).json["id"]
    for who in ("lurah.kebonjeruk", "camat.kebonjeruk", "sudin.jakbar"):
        assert client.post(f"{BASE}{pk}/approve", json={}, headers=t[who]).status_code == 200
    from app.ledger.models import Period

    period = sysdb.scalar(select(Period.id).where(Period.cooperative_id == coop, Period.year == year,
                                                  Period.month == month))
    sudin = login("sudin.jakbar")
    reason = "Salah catat penjualan, perlu jurnal koreksi"
    r = sudin.post(f"/periode/buka/{period}", {"reason": reason}, form_url=f"/periode/show/{period}")
    assert r.status_code == 302
    sysdb.expire_all()
    report = sysdb.get(MonthlyReport, pk)
    assert report.status == "reopened" and report.last_comment == reason
    assert report.lurah_at is None and report.camat_at is None and report.sudin_at is None
    last = sysdb.scalars(select(MonthlyReportStep).where(MonthlyReportStep.report_id == pk)
                         .order_by(MonthlyReportStep.id.desc())).first()
    assert (last.action, last.username, last.comment) == ("reset", "sudin.jakbar", reason)
    # The page says so to everyone in the chain.
    page = login("lurah.kebonjeruk").get(f"/laporan-bulanan/show/{pk}").get_data(as_text=True)
    assert "dibuka kembali" in page and reason in page
    # Not submittable while the month is open; after closing again the review starts from the Lurah.
    assert client.post(f"{BASE}{pk}/submit", json={}, headers=t["pengurus.kebonjeruk"]).status_code == 409
    from app.core.scope import system_scope
    from app.extensions import db
    from app.ledger import services as ledger

    with app.app_context(), system_scope():
        ledger.close_period(db.session, coop, year, month)
        db.session.commit()
        db.session.remove()
    r = client.post(f"{BASE}{pk}/submit", json={}, headers=t["pengurus.kebonjeruk"])
    assert r.status_code == 200 and r.json["result"]["status"] == "submitted"
    assert client.post(f"{BASE}{pk}/approve", json={}, headers=t["camat.kebonjeruk"]).status_code == 409


def test_the_review_history_shows_each_step_once_in_the_cooperatives_own_time(app, sysdb, closed_month, login):
    """It printed the UTC time twice ("03/12/2026 02:05 02:05") under "Waktu (UTC)"; now once, in WIB."""
    import re
    from datetime import timedelta

    coop, year, month = closed_month
    client = app.test_client()
    r = _submit(client, api_token(client, "pengurus.kebonjeruk"), coop, year, month)
    assert r.status_code == 201, r.get_data(as_text=True)
    sysdb.expire_all()
    step = sysdb.scalar(select(MonthlyReportStep).where(MonthlyReportStep.report_id == r.json["id"]))
    html = login("lurah.kebonjeruk").get(f"/laporan-bulanan/show/{r.json['id']}").get_data(as_text=True)
    history = html.split('id="report-steps"', 1)[1].split("</table>", 1)[0]
    wib = step.at + timedelta(hours=7)  # Kebon Jeruk keeps WIB, UTC+7
    assert f"<td>{wib:%d/%m/%Y %H:%M} WIB</td>" in history, history
    assert "UTC" not in history and not re.search(r"\d\d:\d\d \d\d:\d\d", history)
