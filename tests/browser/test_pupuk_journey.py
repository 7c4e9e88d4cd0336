"""The fertiliser kiosk in a real browser: the Petugas of Cemorokandang types a farmer's NIK, sees the remaining
quota of the season, redeems for the farmer and then for a proxy, and prints receipts with the amount in words and
the remaining quota; the Camat of Kedungkandang reads the kecamatan's realisation. Any console error, page error,
HTTP 5xx or server exception fails the test."""
from playwright.sync_api import expect

SLAMET, WARTINI = "3573030101700005", "3573034202900006"


def _redeem(page, live_server, nik, code, kg, proxy=None):
    page.goto(live_server("/pupuk/penebusan/kios"))
    page.fill("#nik", nik)
    page.click("#kiosk-find")
    expect(page.locator("#kiosk-quota")).to_be_visible()
    before = page.locator(f"#kiosk-quota tr[data-type={code}] .kiosk-remaining").inner_text()
    page.select_option("#pupuk_type", code)
    page.fill("#kg", str(kg))
    if proxy:
        page.click("#kiosk-proxy summary")
        page.fill("#proxy_nik", proxy)
        page.fill("#proxy_name", "Sri Wahyuni")
        page.select_option("#proxy_relation", "suami_istri")
    page.click("#kiosk-redeem")
    expect(page.locator("#receipt-words")).to_contain_text("rupiah")
    return int(before.replace(".", "").split(",")[0])


def test_a_kiosk_clerk_redeems_for_a_farmer_and_for_a_proxy(page, login, live_server, page_problems):
    login("petugas.cemorokandang")
    page_problems.assert_none("while logging in")
    left = _redeem(page, live_server, SLAMET, "npk", 20)
    expect(page.locator("#receipt-remaining")).to_contain_text(f"{left - 20} kg")
    left = _redeem(page, live_server, WARTINI, "urea", 6, proxy="3573031507800003")
    expect(page.locator("#receipt-remaining")).to_contain_text(f"{left - 6}")
    expect(page.locator("body")).to_contain_text("0003")
    expect(page.locator("body")).not_to_contain_text("3573031507800003")
    page_problems.assert_none("at the kiosk")


def test_a_camat_reads_the_realisation_of_the_kecamatan(page, login, live_server, page_problems):
    login("camat.kedungkandang")
    page.goto(live_server("/pupuk/laporan/?tingkat=kecamatan"))
    expect(page.locator("#report-rows")).to_contain_text("35.73.03")
    page.select_option("#tingkat", "petani")
    page.click("#report-form button[type=submit]")
    expect(page.locator("#report-rows")).to_contain_text("Slamet Riyadi")
    page_problems.assert_none("reading the report")
