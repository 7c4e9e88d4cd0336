"""Two member and savings journeys in a real browser.

1. The Sekretaris of KKMP Kebon Jeruk registers a member through the add form, the Pengurus approves and
   activates the application, and the Sekretaris takes a sukarela deposit through the deposit form (picking the
   member in the searchable picker) and opens the printable receipt (kwitansi).
2. The Lurah of Kebon Jeruk reads the arrears list (months, rupiah, WhatsApp reminder links), downloads it as
   .xlsx, and has no way to take a deposit (no button, no menu entry, the form answers 403).

Any console error, page error, HTTP 5xx or server exception fails the test.
"""
import re
import time
from datetime import date
from urllib.parse import urlsplit

import openpyxl
from playwright.sync_api import expect
from sqlalchemy import select

from app.cooperatives.models import Cooperative
from app.core.dates import local_today
from app.members.models import Member
from app.savings.models import SavingsTransaction

OWN = "31.73.05.1001"
KECAMATAN = "317305"
DEPOSIT_URL = "/simpanan/transaksi/setor"
ARREARS_URL = "/simpanan/transaksi/tunggakan"
RUPIAH = re.compile(r"^Rp\d{1,3}(\.\d{3})*$")


def _fresh_member():
    """A woman with a NIK consistent with her birth date and sex, and a name nobody else in the demo has.

    The serial (NIK digits 13-16), the day of birth and the name tag come from the clock, so re-runs against a
    kept database do not collide with an earlier run's member."""
    stamp = time.time_ns() // 1_000_000
    serial = 1000 + stamp % 9000
    born = date(1986, 1 + (stamp // 9000) % 12, 1 + (stamp // 108_000) % 28)
    nik = f"{KECAMATAN}{born.day + 40:02d}{born.month:02d}{born.year % 100:02d}{serial:04d}"
    letters = "bcdfghjklmnpqrstvwxz"
    tag = "".join(letters[(stamp // 20 ** i) % 20] for i in range(5)).capitalize()
    return {"nik": nik, "born": born, "name": f"Siti Peramban {tag}", "search": f"Peramban {tag}"}


def _logout(page, live_server):
    page.goto(live_server("/logout/"))
    page.context.clear_cookies()


def test_secretary_registers_member_pengurus_activates_and_secretary_prints_a_deposit_receipt(
        page, login, live_server, page_problems, shots_dir, sysdb):
    person = _fresh_member()
    coop_name = sysdb.scalar(select(Cooperative.name).where(Cooperative.region_code == OWN))
    # The forms prefill the cooperative's own date (WIB here), not the server's: after 17:00 UTC it is tomorrow.
    today = local_today(sysdb.scalar(select(Cooperative).where(Cooperative.region_code == OWN)))

    # 1. The Sekretaris fills in the member form (an application, "permohonan").
    login("sekretaris.kebonjeruk")
    page_problems.assert_none("while the Sekretaris logs in")
    page.goto(live_server("/anggota/add"))
    coop_select = page.locator("select#cooperative")
    if coop_select.count():
        # FAB's relation picker (select2): open it and pick the cooperative by its name, like a user would.
        page.locator("#cooperative + .select2 .select2-selection, #s2id_cooperative").first.click()
        page.locator(".select2-container--open .select2-results__option", has_text=coop_name).first.click()
        expect(coop_select).not_to_have_value("")
    page.fill("#nik", person["nik"])
    page.fill("#name", person["name"])
    page.select_option("#sex", "P")
    # The birth date typed key by key the way every page shows dates; the join date pasted in ISO form.
    page.locator("#birth_date").press_sequentially(person["born"].strftime("%d/%m/%Y"))
    page.fill("#address", "Jl. Kebon Jeruk Raya No. 7")
    page.fill("#rt", "3")
    page.fill("#rw", "5")
    page.fill("#domicile_code", OWN)
    page.fill("#phone", "0812-3456-7890")
    page.fill("#occupation", "Pedagang")
    page.locator("#join_date").fill(today.isoformat())
    page.locator(".panel-heading").first.click()  # leave the field
    expect(page.locator("#birth_date")).to_have_value(person["born"].strftime("%d/%m/%Y"))
    expect(page.locator("#join_date")).to_have_value(today.strftime("%d/%m/%Y"))
    with page.expect_navigation():
        page.locator("form#model_form button[type=submit], form#model_form input[type=submit]").first.click()
    page.screenshot(path=str(shots_dir / "member-01-registered.png"), full_page=True)
    expect(page.locator(".has-error, .alert-danger")).to_have_count(0)
    page_problems.assert_none("registering the member")
    sysdb.expire_all()
    member = sysdb.scalar(select(Member).where(Member.name == person["name"]))
    assert member is not None, f"the member {person['name']} was not stored (page {page.url})"
    assert member.status == "permohonan", member.status
    member_id = member.id

    # 2. The Pengurus finds the application in the register, approves it and activates the member.
    _logout(page, live_server)
    login("pengurus.kebonjeruk")
    page.goto(live_server(f"/anggota/list/?_flt_2_name={person['search']}"))
    rows = page.locator("table.table-bordered tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(person["name"])
    expect(rows.first).to_contain_text("Permohonan")
    with page.expect_navigation():
        rows.first.locator(f"a[href*='/anggota/show/{member_id}']").first.click()
    expect(page.locator("body")).to_contain_text(person["name"])
    # The register shows the NIK masked only.
    expect(page.locator("body")).not_to_contain_text(person["nik"])
    with page.expect_navigation():
        page.get_by_role("button", name="Setujui permohonan").click()
    expect(page.locator(".alert-success")).to_contain_text("Disetujui")
    with page.expect_navigation():
        page.get_by_role("button", name="Aktifkan anggota").click()
    expect(page.locator(".alert-success")).to_contain_text("Aktif")
    expect(page.locator("#member-history")).to_contain_text("Aktif")
    page.screenshot(path=str(shots_dir / "member-02-activated.png"), full_page=True)
    page_problems.assert_none("approving and activating the member")
    sysdb.expire_all()
    member = sysdb.get(Member, member_id)
    assert member.status == "aktif" and member.member_number, (member.status, member.member_number)
    number = member.member_number

    # 3. The Sekretaris takes a sukarela deposit, picking the member by typing part of her name.
    _logout(page, live_server)
    login("sekretaris.kebonjeruk")
    page.goto(live_server("/simpanan/transaksi/list/"))
    with page.expect_navigation():
        page.click("#kkmp-deposit")
    assert urlsplit(page.url).path.rstrip("/") == DEPOSIT_URL, page.url
    page.locator("#member + .select2 .select2-selection").click()
    search = page.locator(".select2-container--open .select2-search__field")
    search.fill(person["search"])
    choice = page.locator(".select2-container--open .select2-results__option:not(.loading-results)",
                          has_text=person["name"])
    expect(choice).to_have_count(1)
    expect(choice).to_contain_text(number)
    choice.click()
    expect(page.locator("#member")).to_have_value(str(member_id))
    expect(page.locator("#member + .select2 .select2-selection__rendered")).to_contain_text(person["name"])
    page.select_option("#kind", "sukarela")
    page.fill("#amount", "275.000")
    expect(page.locator("#tx_date")).to_have_value(today.strftime("%d/%m/%Y"))
    page.fill("#note", "Setoran sukarela (uji peramban)")
    with page.expect_navigation():
        page.click("#kkmp-money-submit")
    assert "/simpanan/transaksi/show/" in urlsplit(page.url).path, page.url
    flash = page.locator(".alert-success")
    expect(flash).to_contain_text("Tersimpan: kwitansi KW-")
    receipt_number = re.search(r"KW-\d{4}-\d{6}", flash.inner_text()).group(0)
    expect(page.locator("body")).to_contain_text("Rp275.000")
    page.screenshot(path=str(shots_dir / "savings-01-deposit.png"), full_page=True)
    page_problems.assert_none("taking the deposit")
    sysdb.expire_all()
    tx = sysdb.scalar(select(SavingsTransaction).where(SavingsTransaction.receipt_number == receipt_number))
    assert tx is not None and tx.member_id == member_id and tx.amount == 275000, tx

    # 4. The receipt opens in a new tab; as printed, it shows the number, the amount and the amount in words.
    with page.context.expect_page() as new_tab:
        page.click("#kkmp-receipt-a5")
    receipt = new_tab.value
    receipt.wait_for_load_state()
    assert f"/simpanan/transaksi/kwitansi/{tx.id}" in receipt.url, receipt.url
    receipt.emulate_media(media="print")
    expect(receipt.locator(".noprint")).to_be_hidden()
    expect(receipt.locator("h1")).to_have_text("KWITANSI")
    expect(receipt.locator("#receipt-number")).to_have_text(receipt_number)
    expect(receipt.locator("#receipt-amount")).to_have_text("Rp275.000")
    expect(receipt.locator("#receipt-words")).to_have_text(re.compile(r"dua ratus tujuh puluh lima ribu rupiah",
                                                                      re.I))
    body = receipt.locator("body")
    expect(body).to_contain_text(person["name"])
    expect(body).to_contain_text(number)
    expect(body).to_contain_text(coop_name)
    receipt.screenshot(path=str(shots_dir / "savings-02-receipt.png"), full_page=True)
    page_problems.assert_none("on the receipt")


def test_lurah_reads_arrears_downloads_them_and_cannot_take_deposits(page, login, live_server, page_problems,
                                                                     shots_dir, sysdb, tmp_path):
    coop_name = sysdb.scalar(select(Cooperative.name).where(Cooperative.region_code == OWN))
    login("lurah.kebonjeruk")
    page_problems.assert_none("while the Lurah logs in")

    # The arrears list, reached from the menu.
    page.goto(live_server("/"))
    entry = page.locator(f".navbar a[href='{ARREARS_URL}']")
    page.locator(".navbar li.dropdown", has=page.locator(f"a[href='{ARREARS_URL}']")).locator(
        "a.dropdown-toggle").first.click()
    with page.expect_navigation():
        entry.click()
    assert urlsplit(page.url).path == ARREARS_URL, page.url
    rows = page.locator("#arrears-table tbody tr")
    expect(rows.first).to_be_visible()
    cells = rows.evaluate_all("trs => trs.map(tr => [...tr.children].map(td => td.innerText.trim()))")
    assert cells and all(len(r) == 7 for r in cells), f"no arrears rows: {cells}"
    for coop, _number, name, months, amount, since, _reminder in cells:
        assert coop == coop_name, f"the Lurah sees arrears of another cooperative: {coop}"
        assert name, cells
        assert months.isdigit() and int(months) >= 1, f"months in arrears of {name}: {months!r}"
        assert RUPIAH.match(amount) and amount != "Rp0", f"arrears of {name}: {amount!r}"
        assert since, f"no 'since' month for {name}"
    wa = page.locator("#arrears-table a.kkmp-wa")
    expect(wa.first).to_be_visible()
    hrefs = wa.evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert hrefs and all(h.startswith("https://wa.me/62") for h in hrefs), hrefs
    assert "text=" in hrefs[0], hrefs[0]
    page.screenshot(path=str(shots_dir / "savings-03-arrears-lurah.png"), full_page=True)
    page_problems.assert_none("on the arrears list")

    # The Excel export.
    with page.expect_download() as info:
        page.click("#arrears-xlsx")
    download = info.value
    assert download.failure() is None, download.failure()
    target = tmp_path / download.suggested_filename
    download.save_as(str(target))
    assert target.suffix == ".xlsx" and target.stat().st_size > 0, target
    ws = openpyxl.load_workbook(target).active
    values = {str(c) for row in ws.iter_rows(values_only=True) for c in row if c is not None}
    assert cells[0][2] in values, f"{cells[0][2]} missing from the downloaded arrears"
    page_problems.assert_none("downloading the arrears")

    # No way to take a deposit: no button on the transactions list, no menu entry, no link anywhere, and the
    # form itself is refused.
    page.goto(live_server("/simpanan/transaksi/list/"))
    expect(page.locator("#kkmp-deposit")).to_have_count(0)
    expect(page.locator("#kkmp-money-form")).to_have_count(0)
    expect(page.locator(f"a[href^='{DEPOSIT_URL}']")).to_have_count(0)
    page_problems.assert_none("on the transactions list")
    response = page.request.get(live_server(DEPOSIT_URL), max_redirects=0)
    assert response.status == 403, (f"GET {DEPOSIT_URL} as the Lurah answered HTTP {response.status} "
                                    f"(Location: {response.headers.get('location')})")
    page_problems.assert_none("at the end")
