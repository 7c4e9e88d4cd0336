"""Accounting reports: exact Decimal figures on a small fixed set of postings in a fresh cooperative, the balanced
checks, comparison columns, business-unit filter, member / non-member split, xlsx exports, and scope over HTTP."""
import io
import os
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
from sqlalchemy import select

from app.cooperatives.models import BusinessUnit, Cooperative
from app.ledger import statements as st
from app.ledger.statement_exports import report_xlsx

from .conftest import D, post

MAR, APR = st.ReportPeriod(2026, 3), st.ReportPeriod(2026, 4)
Y2026 = st.ReportPeriod(2026)


@pytest.fixture()
def books(uow, coop):
    """The fixed postings (see the figures worked out in each test)."""
    unit = BusinessUnit(cooperative_id=coop.id, kind="sembako", status="beroperasi")
    uow.add(unit)
    uow.flush()
    post(uow, coop, date(2025, 12, 15), [("kas", D("10000000"), 0), ("311000", 0, D("4000000")),
                                          ("312000", 0, D("6000000"))], "Modal awal")
    post(uow, coop, date(2026, 3, 2), [("bank", D("3000000"), 0), ("kas", 0, D("3000000"))], "Setor ke bank")
    post(uow, coop, date(2026, 3, 5), [("114000", D("5000000"), 0), ("212000", 0, D("5000000"))], "Beli sembako",
         business_unit_id=unit.id)
    post(uow, coop, date(2026, 3, 20), [("kas", D("2500000"), 0), ("411100", 0, D("1500000")),
                                         ("411200", 0, D("1000000"))], "Penjualan", business_unit_id=unit.id)
    post(uow, coop, date(2026, 3, 20), [("511000", D("1800000"), 0), ("114000", 0, D("1800000"))], "HPP",
         business_unit_id=unit.id)
    post(uow, coop, date(2026, 3, 28), [("522000", D("200000.50"), 0), ("kas", 0, D("200000.50"))], "Listrik")
    post(uow, coop, date(2026, 4, 10), [("212000", D("2000000"), 0), ("bank", 0, D("2000000"))], "Bayar utang",
         business_unit_id=unit.id)
    post(uow, coop, date(2026, 4, 15), [("kas", D("700000"), 0), ("411100", 0, D("700000"))], "Penjualan",
         business_unit_id=unit.id)
    post(uow, coop, date(2026, 4, 16), [("120000", D("1000000"), 0), ("kas", 0, D("1000000"))], "Beli etalase")
    post(uow, coop, date(2026, 4, 20), [("521000", D("300000"), 0), ("kas", 0, D("300000"))], "Honor")
    return coop, unit


def test_trial_balance_of_a_month_has_exact_opening_movements_closing_and_is_balanced(uow, books):
    coop, _unit = books
    r = st.trial_balance_report(uow, coop, MAR)
    rows = r.data["rows"]
    assert rows["111000"] == (D("10000000.00"), 0, D("2500000.00"), D("3200000.50"), D("9299999.50"), 0)
    assert rows["212000"] == (0, 0, 0, D("5000000.00"), 0, D("5000000.00"))
    assert rows["311000"] == (0, D("4000000.00"), 0, 0, 0, D("4000000.00"))
    assert r.data["md"] == r.data["mc"] == D("12500000.50")
    assert r.data["cd"] == r.data["cc"] == D("17500000.00")
    assert r.data["od"] == r.data["oc"] == D("10000000.00")
    assert r.balanced and all(c.ok for c in r.checks)
    assert all(isinstance(v, Decimal) for row in rows.values() for v in row if v)
    assert "120000" not in rows  # bought in April


def test_the_screen_shows_sen_only_where_there_are_sen(uow, books, app):
    coop, _ = books
    r = st.trial_balance_report(uow, coop, MAR)
    with app.test_request_context():
        from flask import render_template_string
        html = render_template_string('{% import "ledger/reports/_macros.html" as m %}{{ m.table(r) }}', r=r)
    assert "Rp9.299.999,50" in html and "Rp17.500.000<" in html and "Rp17.500.000,00" not in html


def test_an_unbalanced_trial_balance_shows_the_warning(uow, books, app):
    coop, _ = books
    r = st.trial_balance_report(uow, coop, MAR)
    r.checks[0] = st._balanced_check("Saldo akhir", D("1.00"), D("0.00"))
    assert not r.balanced and "selisih" in r.checks[0].detail
    with app.test_request_context():
        from flask import render_template_string
        html = render_template_string('{% import "ledger/reports/_macros.html" as m %}{{ m.checks(r) }}', r=r)
    assert "kkmp-unbalanced" in html and "alert-danger" in html


def test_financial_position_shows_the_open_shu_in_equity_and_balances_both_dates(uow, books):
    coop, _ = books
    r = st.financial_position(uow, coop, MAR)
    d = r.data
    assert d["aset"] == D("15499999.50")
    assert d["kewajiban"] == D("5000000.00")
    assert d["shu_berjalan"] == D("499999.50") and d["shu_lalu"] == 0
    assert d["ekuitas"] == D("10499999.50")
    assert d["aset"] == d["kewajiban"] + d["ekuitas"]
    assert (d["prev_aset"], d["prev_kewajiban"], d["prev_ekuitas"]) == (D("10000000.00"), 0, D("10000000.00"))
    assert r.balanced
    labels = [row.cells[1] for row in r.rows]
    assert "SHU tahun berjalan (belum dibukukan)" in labels


def test_income_statement_separates_member_and_non_member_results_exactly(uow, books):
    coop, _ = books
    m = st.income_statement(uow, coop, MAR).data
    assert (m["pendapatan_anggota"], m["pendapatan_non_anggota"], m["pendapatan_lain"]) == (
        D("1500000.00"), D("1000000.00"), 0)
    assert (m["hpp"], m["beban"], m["shu"]) == (D("1800000.00"), D("200000.50"), D("499999.50"))
    # costs 2.000.000,50 x 1,5/2,5 = 1.200.000,30 -> member 299.999,70 -> half-up to the rupiah 300.000
    assert m["hasil_anggota"] == D("300000.00") and m["hasil_non_anggota"] == D("199999.50")
    assert m["prev"]["shu"] == 0  # February: nothing
    y = st.income_statement(uow, coop, Y2026).data
    assert (y["pendapatan_anggota"], y["beban"], y["shu"]) == (D("2200000.00"), D("500000.50"), D("899999.50"))
    assert (y["hasil_anggota"], y["hasil_non_anggota"]) == (D("618750.00"), D("281249.50"))
    assert y["hasil_anggota"] + y["hasil_non_anggota"] == y["shu"]


def test_comparison_columns_hold_the_previous_period(uow, books):
    coop, _ = books
    apr = st.income_statement(uow, coop, APR)
    assert apr.data["shu"] == D("400000.00") and apr.data["prev"]["shu"] == D("499999.50")
    assert apr.compare == "Maret 2026" and apr.period == "April 2026"
    shu_row = next(r for r in apr.rows if r.cells[1].startswith("SISA HASIL USAHA"))
    assert shu_row.cells[2:] == (D("400000.00"), D("499999.50"))
    year = st.financial_position(uow, coop, Y2026)
    assert year.data["prev_aset"] == D("10000000.00") and year.compare == "Tahun 2025"


def test_equity_changes_end_at_the_equity_of_the_financial_position(uow, books):
    coop, _ = books
    for period in (MAR, APR, Y2026):
        r = st.equity_changes(uow, coop, period)
        assert r.data["closing"] == st.financial_position(uow, coop, period).data["ekuitas"]
        assert r.balanced
    mar = st.equity_changes(uow, coop, MAR).data
    assert (mar["opening"], mar["additions"], mar["reductions"], mar["closing"]) == (
        D("10000000.00"), D("499999.50"), 0, D("10499999.50"))
    y = st.equity_changes(uow, coop, Y2026).data
    assert (y["opening"], y["closing"], y["prev_additions"]) == (D("10000000.00"), D("10899999.50"),
                                                                 D("10000000.00"))


def test_cash_flow_direct_method_classifies_by_counter_account_and_reconciles(uow, books):
    coop, _ = books
    mar = st.cash_flow(uow, coop, MAR).data
    assert (mar["operasi"], mar["investasi"], mar["pendanaan"]) == (D("2299999.50"), 0, 0)
    assert (mar["opening"], mar["closing"]) == (D("10000000.00"), D("12299999.50"))
    apr = st.cash_flow(uow, coop, APR)
    assert (apr.data["operasi"], apr.data["investasi"], apr.data["net"]) == (
        D("-1600000.00"), D("-1000000.00"), D("-2600000.00"))
    assert apr.data["closing"] == D("9699999.50") and apr.data["prev_net"] == D("2299999.50")
    assert apr.balanced
    y = st.cash_flow(uow, coop, Y2026)
    assert (y.data["operasi"], y.data["investasi"], y.data["pendanaan"]) == (
        D("699999.50"), D("-1000000.00"), 0)
    financing_2025 = next(r for r in y.rows if r.cells[1] == "Kas bersih dari aktivitas pendanaan")
    assert financing_2025.cells[3] == D("10000000.00")


def test_cash_book_and_ledger_have_running_balances(uow, books):
    coop, _ = books
    kas_ids = st.purpose_account_ids(uow, coop.id, "kas")
    r = st.ledger_report(uow, coop, MAR, kas_ids, "Buku Kas", "buku-kas")
    rows = list(r.rows)
    assert rows[0].cells[7] == D("10000000.00")
    assert [x.cells[7] for x in rows[1:-1]] == [D("7000000.00"), D("9500000.00"), D("9299999.50")]
    assert rows[-1].cells[5:] == (D("2500000.00"), D("3200000.50"), D("9299999.50"))
    assert (r.data["prev_opening"], r.data["prev_closing"]) == (D("10000000.00"), D("10000000.00"))
    utang = uow.scalar(select(st.Account.id).where(st.Account.cooperative_id == coop.id,
                                                   st.Account.code == "212000"))
    r = st.ledger_report(uow, coop, APR, [utang], "Buku Besar", "buku-besar")
    assert (r.data["opening"], r.data["debit"], r.data["closing"]) == (D("5000000.00"), D("2000000.00"),
                                                                       D("3000000.00"))
    assert [x.cells[7] for x in list(r.rows)[1:-1]] == [D("3000000.00")]  # credit-normal: shown positive
    bank = st.ledger_report(uow, coop, Y2026, st.purpose_account_ids(uow, coop.id, "bank"), "Buku Bank",
                            "buku-bank")
    assert bank.data["closing"] == D("1000000.00")


def test_the_business_unit_filter_keeps_only_that_units_entries(uow, books):
    coop, unit = books
    phu = st.income_statement(uow, coop, MAR, unit.id, "Gerai sembako").data
    assert (phu["pendapatan"], phu["hpp"], phu["beban"], phu["shu"]) == (
        D("2500000.00"), D("1800000.00"), 0, D("700000.00"))
    tb = st.trial_balance_report(uow, coop, MAR, unit.id)
    assert tb.data["md"] == tb.data["mc"] == D("9300000.00") and tb.balanced
    pos = st.financial_position(uow, coop, MAR, unit.id)
    assert pos.balanced and pos.unit == "" or pos.balanced


def test_consolidated_view_covers_only_the_city_and_adds_up(uow, books):
    coop, _ = books
    r = st.consolidated(uow, coop.city_code, MAR)
    assert r.data["codes"] and all(c.startswith(coop.city_code + ".") for c in r.data["codes"])
    mine = next(row for row in r.rows if row.cells[0] == coop.region_code)
    assert mine.cells[2:11] == (D("15499999.50"), D("5000000.00"), D("10499999.50"), D("1500000.00"),
                                D("1000000.00"), D("2500000.00"), D("2000000.50"), D("499999.50"),
                                D("12299999.50"))
    assert mine.cells[11] == "Seimbang"
    lines = [row for row in r.rows if row.style == "line"]
    assert r.data["aset"] == sum((row.cells[2] for row in lines), D(0))
    assert r.rows[-1].style == "total"


def _sheet(path, remove=False):
    wb = openpyxl.load_workbook(path)
    if remove:
        os.remove(path)
    return wb.active


def test_xlsx_exports_carry_numbers_as_numbers_text_as_text_and_print_settings(uow, books):
    coop, _ = books
    post(uow, coop, date(2026, 3, 29), [("kas", D("1000"), 0), ("419000", 0, D("1000"))],
         "=HYPERLINK(\"http://x\")")
    builders = [st.trial_balance_report(uow, coop, MAR), st.financial_position(uow, coop, MAR),
                st.income_statement(uow, coop, MAR), st.equity_changes(uow, coop, MAR),
                st.cash_flow(uow, coop, MAR),
                st.ledger_report(uow, coop, MAR, st.purpose_account_ids(uow, coop.id, "kas"), "Buku Kas",
                                 "buku-kas", all_lines=True)]
    for report in builders:
        path = report_xlsx(report, printed_by="uji")
        try:
            ws = _sheet(path)
            assert ws["A1"].value == coop.name and ws["A2"].value == report.title
            assert "Maret 2026" in ws["A3"].value
            assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9
            # one page wide (1 is the file format's default, so it may be omitted), unlimited pages tall
            assert int(ws.page_setup.fitToWidth or 1) == 1 and int(ws.page_setup.fitToHeight) == 0
            assert ws.sheet_properties.pageSetUpPr.fitToPage
            assert [c.value for c in ws[7]][:len(report.headers)] == report.headers
            money = [c for row in ws.iter_rows(min_row=8) for i, c in enumerate(row)
                     if i in report.money_columns and c.value is not None]
            assert money and all(isinstance(c.value, (int, float)) for c in money)
            assert all("Rp" in c.number_format for c in money)
            # formula-looking text stays a text cell (never evaluated), so no apostrophe is needed
            assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)
        finally:
            os.remove(path)
    # The buku kas streams its lines from the cursor once: build it again for a second workbook.
    ws = _sheet(report_xlsx(st.ledger_report(uow, coop, MAR, st.purpose_account_ids(uow, coop.id, "kas"),
                                             "Buku Kas", "buku-kas", all_lines=True)), remove=True)
    descriptions = [row[2].value for row in ws.iter_rows(min_row=8) if row[2].value]
    assert "=HYPERLINK(\"http://x\")" in descriptions  # as typed
    closing = [row for row in ws.iter_rows(min_row=8) if row[2].value == "Saldo akhir"][0]
    assert Decimal(str(closing[7].value)) == D("9300999.50")
    tb = _sheet(report_xlsx(builders[0]), remove=True)
    total = [row for row in tb.iter_rows(min_row=8) if row[1].value == "Jumlah"][0]
    assert Decimal(str(total[6].value)) == Decimal(str(total[7].value)) == D("17501000")


# -- through HTTP, as the demo users --------------------------------------------------------------------------

OWN = "31.73.05.1001"
KEYS = ["neraca-saldo", "buku-besar", "buku-kas", "buku-bank", "posisi-keuangan", "hasil-usaha",
        "perubahan-ekuitas", "arus-kas"]


def _coop_id(sysdb, code):
    return sysdb.scalar(select(Cooperative.id).where(Cooperative.region_code == code))


@pytest.mark.parametrize("username", ["pengurus.kebonjeruk", "lurah.kebonjeruk", "camat.kebonjeruk",
                                      "sudin.jakbar"])
def test_every_report_opens_and_exports_for_a_cooperative_in_scope(login, sysdb, username):
    cid = _coop_id(sysdb, OWN)
    s = login(username)
    for key in KEYS:
        for query in (f"?koperasi={cid}", f"?koperasi={cid}&tahun=2026&bulan=", f"?koperasi={cid}&bulan=1"):
            r = s.get(f"/laporan-keuangan/{key}/{query}")
            html = r.get_data(as_text=True)
            assert r.status_code == 200, (key, query, r.status_code)
            assert "kkmp-report-table" in html and "kkmp-unbalanced" not in html, (key, query)
    r = s.get(f"/laporan-keuangan/neraca-saldo/?koperasi={cid}&tahun=2026")
    assert "Seimbang" in r.get_data(as_text=True)
    x = s.get(f"/laporan-keuangan/posisi-keuangan/xlsx?koperasi={cid}&tahun=2026")
    assert x.status_code == 200 and x.mimetype.endswith("spreadsheetml.sheet")
    assert "attachment" in x.headers["Content-Disposition"]
    ws = openpyxl.load_workbook(io.BytesIO(x.data)).active
    assert ws["A2"].value == "Laporan Posisi Keuangan"


def test_the_screen_figures_are_the_service_figures(app, login, sysdb):
    from app.core.scope import system_scope
    from app.extensions import db

    cid = _coop_id(sysdb, OWN)
    s = login("lurah.kebonjeruk")
    x = s.get(f"/laporan-keuangan/posisi-keuangan/xlsx?koperasi={cid}&tahun=2026")
    ws = openpyxl.load_workbook(io.BytesIO(x.data)).active
    total_assets = [row for row in ws.iter_rows(min_row=8) if row[1].value == "Jumlah aset"][0][2].value
    with app.app_context(), system_scope():
        coop = db.session.get(Cooperative, cid)
        expected = st.financial_position(db.session, coop, Y2026).data["aset"]
        db.session.remove()
    assert Decimal(str(total_assets)) == expected


@pytest.mark.parametrize("username", ["lurah.kebonjeruk", "camat.kebonjeruk", "pengurus.kebonjeruk",
                                      "sudin.jakbar"])
def test_a_cooperative_outside_the_users_area_is_a_404(login, sysdb, username):
    other = _coop_id(sysdb, "35.73.03.1010")
    s = login(username)
    for key in ("neraca-saldo", "hasil-usaha", "buku-kas"):
        assert s.get(f"/laporan-keuangan/{key}/?koperasi={other}").status_code == 404
        assert s.get(f"/laporan-keuangan/{key}/xlsx?koperasi={other}").status_code == 404
    assert s.get("/laporan-keuangan/neraca-saldo/?koperasi=35.73.03.1010").status_code == 404


def test_a_foreign_business_unit_or_account_is_a_404(login, sysdb):
    cid = _coop_id(sysdb, OWN)
    other = _coop_id(sysdb, "35.73.03.1010")
    unit = sysdb.scalar(select(BusinessUnit.id).where(BusinessUnit.cooperative_id == other))
    s = login("pengurus.kebonjeruk")
    assert s.get(f"/laporan-keuangan/hasil-usaha/?koperasi={cid}&unit={unit}").status_code == 404
    assert s.get(f"/laporan-keuangan/buku-besar/?koperasi={cid}&akun=999999").status_code == 404
    assert s.get(f"/laporan-keuangan/neraca-saldo/?koperasi={cid}&bulan=13").status_code == 400


def test_a_lurah_only_chooses_among_the_cooperatives_in_scope(login, sysdb):
    s = login("camat.kebonjeruk")
    html = s.get("/laporan-keuangan/neraca-saldo/").get_data(as_text=True)
    assert 'name="koperasi"' in html and "31.73.05.1001" in html and "35.73.03.1010" not in html


def test_the_sudin_consolidated_view_covers_the_city_only(login, sysdb):
    s = login("sudin.jakbar")
    r = s.get("/laporan-konsolidasi/?tahun=2026")
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and "31.73.05.1001" in html and "35.73.03.1010" not in html
    assert "64.72" not in html
    # Another city asked for by URL is not served: the Sudin's own city is used.
    html = s.get("/laporan-konsolidasi/?kota=35.73&tahun=2026").get_data(as_text=True)
    assert "35.73.03.1010" not in html
    x = s.get("/laporan-konsolidasi/xlsx?tahun=2026")
    ws = openpyxl.load_workbook(io.BytesIO(x.data)).active
    codes = [row[0].value for row in ws.iter_rows(min_row=8) if row[0].value]
    assert codes and all(c.startswith("31.73.") for c in codes[:-1] if c.count(".") == 3)
    assert any(row[1].value and str(row[1].value).startswith("JUMLAH") for row in ws.iter_rows(min_row=8))
    for username in ("lurah.kebonjeruk", "camat.kebonjeruk", "pengurus.kebonjeruk"):
        assert login(username).get("/laporan-konsolidasi/").status_code == 403


@pytest.mark.parametrize("username", ["pengurus.kebonjeruk", "sudin.jakbar"])
def test_every_statement_and_the_city_view_answer_in_at_most_eight_sql_statements(app, login, sysdb, username):
    """The statements read the kept balances: a handful of statements per page however big the books (issue 12),
    not one per account or per purpose."""
    from sqlalchemy import event

    from app.extensions import db

    cid = _coop_id(sysdb, OWN)
    s = login(username)
    urls = [f"/laporan-keuangan/{key}/?koperasi={cid}&tahun=2026&bulan=" for key in KEYS]
    urls += [f"/laporan-keuangan/{key}/xlsx?koperasi={cid}&tahun=2026" for key in KEYS]
    if username == "sudin.jakbar":
        urls += ["/laporan-konsolidasi/?tahun=2026&bulan=", "/laporan-konsolidasi/xlsx?tahun=2026"]
    with app.app_context():
        engine = db.engine
    for url in urls:
        assert s.get(url).status_code == 200, url  # warm: the navbar cache, the user's permissions
        seen = []
        listener = lambda conn, cursor, statement, *args: seen.append(statement)  # noqa: E731
        event.listen(engine, "before_cursor_execute", listener)
        try:
            r = s.get(url)
        finally:
            event.remove(engine, "before_cursor_execute", listener)
        assert r.status_code == 200, url
        if os.environ.get("KKMP_SQL_DUMP"):
            open(os.environ["KKMP_SQL_DUMP"], "a").write(url + "\n" + "\n".join(" ".join(q.split())[:250] for q in seen) + "\n\n")
        assert len(seen) <= 8, (url, len(seen))
