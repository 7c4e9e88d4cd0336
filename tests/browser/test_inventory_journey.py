"""Two inventory journeys in a real browser (issue 15 §12).

1. The Petugas of KKMP Lempake sells three items to a member at the counter: the member picked in the picker,
   three barcodes scanned (Enter after each), the amount paid typed and Enter: the receipt opens with the three
   lines, the member price, the amount in words and its print button.
2. The Pengurus of KKMP Kebon Jeruk opens a stock count of a store room, enters the counts, and approves it.

Any console error, page error, HTTP 5xx or server exception fails the test.
"""
import time

from playwright.sync_api import expect
from sqlalchemy import select

from app.cooperatives.models import Cooperative
from app.inventory.models import Location, Sale, StockCount
from app.members.models import Member

LEMPAKE, KEBON_JERUK = "64.72.05.1003", "31.73.05.1001"
BARCODES = ["8991001000011", "8991001000028", "8991001000035"]


def _coop(sysdb, code):
    return sysdb.scalar(select(Cooperative).where(Cooperative.region_code == code))


def test_a_petugas_sells_three_items_to_a_member_and_prints_the_receipt(page, login, live_server, page_problems,
                                                                        sysdb):
    coop = _coop(sysdb, LEMPAKE)
    member = sysdb.scalar(select(Member).where(Member.cooperative_id == coop.id, Member.status == "aktif")
                          .order_by(Member.id))
    login("petugas.lempake")
    page.goto(live_server("/persediaan/penjualan/kasir"))
    page.locator("#member + .select2 .select2-selection").click()
    page.locator(".select2-container--open .select2-search__field").fill(member.name.split()[0])
    page.locator(".select2-container--open .select2-results__option", has_text=member.name).first.click()
    scan = page.locator("#scan")
    for n, code in enumerate(BARCODES, start=1):
        scan.fill(code)
        scan.press("Enter")
        expect(page.locator("#counter-lines tbody tr")).to_have_count(n)
    expect(page.locator("#counter-total")).not_to_have_text("0")
    page.fill("#paid", "200000")
    with page.expect_navigation():
        page.locator("#paid").press("Enter")
    assert "/persediaan/penjualan/struk/" in page.url
    body = page.locator("body")
    expect(body).to_contain_text("rupiah")
    expect(body).to_contain_text(member.name)
    for name in ("Beras SPHP", "Minyak goreng", "Gula pasir"):
        expect(body).to_contain_text(name)
    expect(page.locator("#kkmp-print")).to_be_visible()
    page_problems.assert_none("while the Petugas sells and opens the receipt")
    sysdb.expire_all()
    sale = sysdb.scalar(select(Sale).where(Sale.cooperative_id == coop.id, Sale.member_id == member.id)
                        .order_by(Sale.id.desc()))
    assert sale is not None and len(sale.lines) == 3


def test_a_pengurus_counts_a_store_room_and_approves_the_count(page, login, live_server, page_problems, sysdb):
    coop = _coop(sysdb, KEBON_JERUK)
    room = Location(cooperative_id=coop.id, name=f"Gudang opname {time.time_ns() // 1_000_000}", kind="gudang")
    sysdb.add(room)
    sysdb.commit()
    login("pengurus.kebonjeruk")
    page.goto(live_server("/persediaan/opname/buka"))
    page.select_option("#location", str(room.id))
    with page.expect_navigation():
        page.click("#count-open-submit")
    page_problems.assert_none("while the Pengurus opens the count")
    inputs = page.locator("#count-lines input[name^=first_]")
    assert inputs.count() >= 1
    for i in range(inputs.count()):
        inputs.nth(i).fill("0")
    with page.expect_navigation():
        page.click("#count-first-submit")
    expect(page.locator("#count-status")).to_have_text("Sudah dihitung")
    with page.expect_navigation():
        page.click("#count-approve")
    expect(page.locator("#count-status")).to_have_text("Disetujui")
    page_problems.assert_none("while the Pengurus counts and approves")
    sysdb.expire_all()
    assert sysdb.scalar(select(StockCount.status).where(StockCount.location_id == room.id)) == "disetujui"
