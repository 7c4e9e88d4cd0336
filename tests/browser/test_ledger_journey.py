"""A Pengurus in a real browser: posts a manual journal entry, closes the month it is dated in (the latest open
month before last month: last month stays open for the tests that take deposits at 00:30 WIB on its first day), and reads and downloads the statements of that month. Any console error, page error,
HTTP 5xx or server exception fails the test."""
from datetime import date
from urllib.parse import urlsplit

import openpyxl
from playwright.sync_api import expect
from sqlalchemy import select

from app.cooperatives.models import Cooperative
from app.core.dates import local_today
from app.ledger.models import JournalEntry, Period
from app.ledger.statement_views import REPORTS

OWN = "31.73.05.1001"


def _previous_open_month(sysdb, cid, today):
    closed = {(y, m) for y, m in sysdb.execute(select(Period.year, Period.month).where(
        Period.cooperative_id == cid, Period.status == "closed"))}
    year, month = today.year, today.month - 1  # last month is left open for other tests of the same cooperative
    if month == 0:
        year, month = year - 1, 12
    for _ in range(24):
        month -= 1
        if month == 0:
            year, month = year - 1, 12
        if (year, month) not in closed:
            return year, month
    raise AssertionError("no open month in the last two years")


def test_pengurus_posts_closes_a_month_and_downloads_the_statements(page, login, live_server, page_problems,
                                                                    shots_dir, sysdb, tmp_path):
    cid = sysdb.scalar(select(Cooperative.id).where(Cooperative.region_code == OWN))
    year, month = _previous_open_month(sysdb, cid, local_today(sysdb.get(Cooperative, cid)))
    day = date(year, month, 15)
    reference = f"BR-{year}{month:02d}-JOURNEY"

    login("pengurus.kebonjeruk")
    page_problems.assert_none("while logging in")

    # 1. Post a manual journal entry dated in that month.
    page.goto(live_server("/jurnal/baru"))
    page.fill("#entry_date", day.strftime("%d/%m/%Y"))
    page.fill("#reference", reference)
    page.fill("#description", "Penjualan tunai gerai (uji peramban)")
    page.select_option("select[name=account-0]", "111000")
    page.fill("input[name=debit-0]", "1.250.000")
    page.select_option("select[name=account-1]", "411100")
    page.fill("input[name=credit-1]", "1250000")
    with page.expect_navigation():
        page.click("#kkmp-journal-form button[type=submit]")
    assert "/jurnal/show/" in urlsplit(page.url).path, page.url
    expect(page.locator("body")).to_contain_text("Rp1.250.000")
    page.screenshot(path=str(shots_dir / "ledger-01-posted.png"), full_page=True)
    page_problems.assert_none("posting the journal entry")
    sysdb.expire_all()
    assert sysdb.scalar(select(JournalEntry.number).where(JournalEntry.reference == reference))

    # 2. Close that month.
    page.goto(live_server("/periode/list/"))
    page.fill("#close-month", str(month))
    page.fill("#close-year", str(year))
    with page.expect_navigation():
        page.click("#kkmp-close-form button[type=submit]")
    expect(page.locator("body")).to_contain_text(f"{month:02d}/{year}")
    page_problems.assert_none("closing the month")
    sysdb.expire_all()
    assert sysdb.scalar(select(Period.status).where(Period.cooperative_id == cid, Period.year == year,
                                                    Period.month == month)) == "closed"

    # 3. The reports, reached from the Pembukuan menu, then each one downloaded.
    page.goto(live_server("/"))
    page.locator(".navbar li.dropdown", has=page.locator("a[href='/laporan-keuangan/neraca-saldo/']")).locator(
        "a.dropdown-toggle").first.click()
    with page.expect_navigation():
        page.locator(".navbar a[href='/laporan-keuangan/neraca-saldo/']").click()
    page.fill("#tahun", str(year))
    page.select_option("#bulan", str(month))
    with page.expect_navigation():
        page.click("#kkmp-report-filter button[type=submit]")
    expect(page.locator(".kkmp-balanced").first).to_be_visible()
    expect(page.locator(".kkmp-unbalanced")).to_have_count(0)
    expect(page.locator("#kkmp-report-table")).to_contain_text("411100")
    page.screenshot(path=str(shots_dir / "ledger-02-neraca-saldo.png"), full_page=True)
    page_problems.assert_none("on the trial balance")

    for key in REPORTS:
        page.goto(live_server(f"/laporan-keuangan/{key}/?tahun={year}&bulan={month}"))
        expect(page.locator("#kkmp-report-table")).to_be_visible()
        expect(page.locator(".kkmp-unbalanced")).to_have_count(0)
        with page.expect_download() as info:
            page.click("#kkmp-export")
        download = info.value
        assert download.failure() is None, (key, download.failure())
        target = tmp_path / download.suggested_filename
        download.save_as(str(target))
        assert target.suffix == ".xlsx" and target.stat().st_size > 0, key
        ws = openpyxl.load_workbook(target).active
        assert ws["A1"].value and ws["A2"].value and ws.max_row > 7, key
        page_problems.assert_none(f"on the {key} report and its download")
    page.goto(live_server(f"/laporan-keuangan/posisi-keuangan/?tahun={year}&bulan={month}"))
    page.screenshot(path=str(shots_dir / "ledger-03-posisi-keuangan.png"), full_page=True)
    page_problems.assert_none("at the end")
