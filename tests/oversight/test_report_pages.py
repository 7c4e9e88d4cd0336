"""Laporan bulanan on screen: the month's figures are the ledger's own, the buttons are those of whoever's turn it
is, and the forms walk the same chain as the API."""
import re
from datetime import date
from calendar import monthrange

from sqlalchemy import select

from app.cooperatives.models import Cooperative
from app.oversight.models import MonthlyReport

from .conftest import OWN


def _report_of(sysdb, coop, year, month):
    sysdb.expire_all()
    return sysdb.scalar(select(MonthlyReport).where(MonthlyReport.cooperative_id == coop,
                                                    MonthlyReport.year == year, MonthlyReport.month == month))


def test_the_reports_figures_are_the_ledgers_result_and_cash_of_that_month(app, sysdb):
    """The demo report of Kebon Jeruk (a month with sales, cost, electricity): the month's result equals the
    PHU of that month and kas plus bank the balances at its end, both computed by the ledger itself."""
    from app.core.scope import system_scope
    from app.extensions import db
    from app.ledger import services as ledger
    from app.ledger.statements import ReportPeriod, income_statement
    from app.oversight.figures import books_of

    own = sysdb.scalar(select(Cooperative.id).where(Cooperative.region_code == OWN))
    report = sysdb.scalars(select(MonthlyReport).where(MonthlyReport.cooperative_id == own)
                           .order_by(MonthlyReport.id)).first()
    with app.app_context(), system_scope():
        coop = db.session.get(Cooperative, own)
        shu = income_statement(db.session, coop, ReportPeriod(report.year, report.month)).data["shu"]
        end = date(report.year, report.month, monthrange(report.year, report.month)[1])
        cash = sum((b.debit - b.credit) for b in ledger.account_balances(db.session, own, date_to=end)
                   if b.code in ("111000", "112000"))
        books = books_of(db.session, [own], report.year, report.month)
        db.session.remove()
    assert books["shu"] == shu and shu != 0
    assert books["kas_bank"] == cash and cash > 0


def test_only_the_reviewer_whose_turn_it_is_sees_the_buttons(app, login, sysdb):
    own = sysdb.scalar(select(Cooperative.id).where(Cooperative.region_code == OWN))
    report = sysdb.scalars(select(MonthlyReport).where(MonthlyReport.cooperative_id == own,
                                                       MonthlyReport.status == "lurah_approved")).first()
    assert report is not None
    for username, sees in (("camat.kebonjeruk", True), ("lurah.kebonjeruk", False), ("sudin.jakbar", False),
                           ("pengurus.kebonjeruk", False), ("sekretaris.kebonjeruk", False)):
        html = login(username).get(f"/laporan-bulanan/show/{report.id}").get_data(as_text=True)
        assert ('id="kkmp-approve-form"' in html) == sees, username
        assert 'id="report-shu"' in html and 'id="report-steps"' in html  # everyone in the chain reads it
        assert "lurah (demo)" in html or "Lurah (demo)" in html


def test_the_forms_submit_approve_and_refuse_a_send_back_without_a_reason(app, login, sysdb, closed_month):
    coop, year, month = closed_month
    pengurus = login("pengurus.kebonjeruk")
    r = pengurus.post("/laporan-bulanan/ajukan", {"month": str(month), "year": str(year)},
                      form_url="/laporan-bulanan/list/")
    assert r.status_code == 302
    report = _report_of(sysdb, coop, year, month)
    assert report.status == "submitted"
    lurah = login("lurah.kebonjeruk")
    show = f"/laporan-bulanan/show/{report.id}"
    assert lurah.post(f"/laporan-bulanan/kembalikan/{report.id}", {"comment": " "}, form_url=show).status_code == 302
    assert _report_of(sysdb, coop, year, month).status == "submitted"
    page = lurah.get(show).get_data(as_text=True)
    assert re.search(r"paling sedikit 5 karakter|at least 5 characters", page)
    assert lurah.post(f"/laporan-bulanan/setujui/{report.id}", {"comment": ""}, form_url=show).status_code == 302
    assert _report_of(sysdb, coop, year, month).status == "lurah_approved"
    # The camat's list of what waits for him now holds it.
    waiting = login("camat.kebonjeruk").get("/laporan-bulanan/list/?menunggu=1").get_data(as_text=True)
    assert f"/laporan-bulanan/show/{report.id}\"" in waiting
