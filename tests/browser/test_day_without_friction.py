"""Issue 11, points 4, 6, 7, 9 and 10 in a real browser, as the users who met them.

4. From a member's page the Sekretaris reaches the deposit form with the member chosen, and from an arrears row
   the deposit of exactly what is due; a new member's form lands on that member; the Camat narrows the member
   list to one cooperative with the picker above it.
6. The Sudin's city report opens on the whole running year, as its form says, with the figures of that year.
7. The member template's first sheet has no example row to be imported (checked on the downloaded file).
9. select2 pickers speak Indonesian; the Sudin chooses a user's scope from a picker of their own city; the user
   list reads Ya, role names and the cooperative's name.
10. After switching to English the menus and pages read English.
Any console error, page error, HTTP 5xx or server exception fails the test.
"""
import io
import re
import time
from datetime import date
from urllib.parse import parse_qs, urlsplit

import openpyxl
from playwright.sync_api import expect
from sqlalchemy import select

from app.cooperatives.models import Cooperative
from app.members.models import Member

OWN = "31.73.05.1001"


def _logout(page, live_server):
    page.goto(live_server("/logout/"))
    page.context.clear_cookies()


def _active_member(sysdb):
    coop = sysdb.scalar(select(Cooperative.id).where(Cooperative.region_code == OWN))
    return sysdb.scalars(select(Member).where(Member.cooperative_id == coop, Member.status == "aktif")
                         .order_by(Member.id)).first()


def test_4_the_secretary_goes_from_a_member_to_a_deposit_and_from_arrears_to_paying_them(
        page, login, live_server, page_problems, sysdb):
    member = _active_member(sysdb)
    login("sekretaris.kebonjeruk")
    page.goto(live_server(f"/anggota/show/{member.id}"))
    for link in ("#member-deposit", "#member-withdraw", "#member-passbook", "#member-bills"):
        expect(page.locator(link)).to_be_visible()
    with page.expect_navigation():
        page.click("#member-deposit")
    expect(page.locator("#member")).to_have_value(str(member.id))
    expect(page.locator("#member + .select2 .select2-selection__rendered")).to_contain_text(member.name)
    expect(page.locator("#kind")).to_have_value("wajib")

    page.goto(live_server("/simpanan/transaksi/tunggakan"))
    expect(page.locator("#arrears-totals")).to_contain_text("anggota menunggak")
    expect(page.locator("#arrears-total-amount")).to_have_text(re.compile(r"^Rp\d"))
    first = page.locator("#arrears-table tbody tr").first
    due = first.locator("td").nth(4).inner_text().strip()  # "Rp30.000"
    with page.expect_navigation():
        first.locator("a.kkmp-pay").click()
    query = parse_qs(urlsplit(page.url).query)
    expect(page.locator("#kind")).to_have_value("wajib")
    expect(page.locator("#amount")).to_have_value(due.replace("Rp", "").replace(".", ""))
    expect(page.locator("#member")).to_have_value(query["member"][0])
    page_problems.assert_none("going from a member and from arrears to the deposit form")


def test_4_a_new_member_lands_on_their_page_and_the_camat_narrows_the_list_to_one_cooperative(
        page, login, live_server, page_problems, sysdb):
    login("sekretaris.kebonjeruk")
    page.goto(live_server("/anggota/add"))
    stamp = time.time_ns() // 1_000_000  # a NIK and name no earlier run used
    tag, born = str(stamp % 100_000), date(1990, 8, 1 + (stamp // 9000) % 28)
    nik = f"317305{born.day + 40:02d}0890{1000 + stamp % 9000:04d}"
    page.fill("#nik", nik)
    page.fill("#name", f"Rina Mendarat {tag}")
    page.select_option("#sex", "P")
    page.locator("#birth_date").press_sequentially(born.isoformat())
    page.fill("#address", "Jl. Kebon Jeruk Raya No. 1")
    page.fill("#rt", "1")
    page.fill("#rw", "2")
    page.fill("#domicile_code", OWN)
    page.locator("#join_date").press_sequentially(date.today().isoformat())
    page.locator(".panel-heading").first.click()
    with page.expect_navigation():
        page.locator("form#model_form button[type=submit], form#model_form input[type=submit]").first.click()
    sysdb.expire_all()
    new = sysdb.scalar(select(Member).where(Member.name == f"Rina Mendarat {tag}"))
    assert new is not None, page.locator(".alert, .has-error").all_inner_texts()
    assert urlsplit(page.url).path == f"/anggota/show/{new.id}", page.url
    page_problems.assert_none("adding a member")
    _logout(page, live_server)

    login("camat.kebonjeruk")
    page.goto(live_server("/anggota/list/"))
    picker = page.locator("#kkmp-koperasi")
    expect(picker).to_be_visible()
    name = sysdb.scalar(select(Cooperative.name).where(Cooperative.region_code == OWN))
    picker.select_option(label=name)
    with page.expect_navigation():
        page.click("#kkmp-coop-apply")
    cells = page.locator("table.table-bordered tbody tr td:last-child").all_inner_texts()
    assert cells and {c.strip() for c in cells} == {name}, cells
    expect(page.locator("#kkmp-koperasi")).to_have_value(re.compile(r"^\d+$"))
    page_problems.assert_none("the Camat narrowing the member list")


def test_6_the_sudins_city_report_opens_on_the_whole_running_year(page, login, live_server, page_problems):
    login("sudin.jakbar")
    page.goto(live_server("/laporan-konsolidasi/"))
    expect(page.locator("#bulan option:checked")).to_have_text("Setahun penuh")
    expect(page.locator("#kkmp-report-konsolidasi")).to_contain_text(f"Tahun {date.today().year} (1 Januari")
    opened = page.locator("#kkmp-report-konsolidasi table").inner_text()
    with page.expect_navigation():
        page.locator("#kkmp-report-filter button[type=submit]").click()
    assert page.locator("#kkmp-report-konsolidasi table").inner_text() == opened, \
        "pressing Tampilkan on the form as it opened changes the figures"
    page_problems.assert_none("opening the city report")


def test_7_the_downloaded_member_template_has_no_example_row_on_its_first_sheet(page, login, live_server):
    login("sekretaris.kebonjeruk")
    page.goto(live_server("/anggota/list/"))
    with page.expect_download() as info:
        page.click("#member-template")
    wb = openpyxl.load_workbook(io.BytesIO(open(info.value.path(), "rb").read()))
    first = wb.worksheets[0]
    assert all(c.value in (None, "") for row in first.iter_rows(min_row=2) for c in row)
    assert "Petunjuk" in wb.sheetnames


def test_9_pickers_speak_indonesian_and_the_sudin_picks_a_scope_of_their_city(
        page, login, live_server, page_problems):
    login("sudin.jakbar")
    page.goto(live_server("/users/list/"))
    body = page.locator("table.table-bordered tbody").inner_text()
    assert "True" not in body and "[" not in body and "koperasi #" not in body
    assert "Koperasi Kelurahan Merah Putih Kebon Jeruk" in body

    page.goto(live_server("/users/add"))
    expect(page.locator("body")).not_to_contain_text("LDAP")
    page.locator("#scope_code + .select2 .select2-selection").click()
    expect(page.locator(".select2-container--open .select2-results")).to_contain_text("Ketik paling sedikit")
    page.locator(".select2-container--open .select2-search__field").fill("zzzz")
    expect(page.locator(".select2-container--open .select2-results")).to_contain_text("Tidak ditemukan")
    page.locator(".select2-container--open .select2-search__field").fill("sukabumi")
    choice = page.locator(".select2-container--open .select2-results__option:not(.loading-results)",
                          has_text="31.73.05.1002")
    expect(choice).to_have_count(1)
    choice.click()
    expect(page.locator("#scope_code")).to_have_value("31.73.05.1002")
    page_problems.assert_none("the Sudin's user form")


def test_10_after_switching_to_english_the_menus_and_pages_read_english(page, login, live_server, page_problems):
    login("sekretaris.kebonjeruk")
    page.goto(live_server("/lang/en"))
    page.goto(live_server("/simpanan/transaksi/tunggakan"))
    expect(page.locator(".navbar")).to_contain_text("Savings")
    expect(page.locator(".navbar")).to_contain_text("Membership")
    expect(page.locator(".kkmp-arrears h3")).to_have_text("Compulsory savings arrears")
    page.goto(live_server("/simpanan/transaksi/setor"))
    expect(page.locator("#kkmp-money-submit")).to_contain_text("Save and print receipt")
    page.goto(live_server("/lang/id"))
    page.goto(live_server("/simpanan/transaksi/tunggakan"))
    expect(page.locator(".kkmp-arrears h3")).to_have_text("Tunggakan simpanan wajib")
    page_problems.assert_none("switching languages")
