"""A Pengurus in a real browser, on the demo's closed year: sets the SHU rule (a split that misses 100 % is refused
with its reason, then the right one is kept), computes the SHU of the closed year, opens a member's share and its
slip (amount in words), and prints the RAT package: the printable page to PDF through the app's print path (the
print button, print CSS) and its workbook. Any console error, page error, HTTP 5xx or server exception fails the
test."""
import io
import re

import openpyxl
from playwright.sync_api import expect
from sqlalchemy import select

from app.cooperatives.models import Cooperative
from app.core.dates import local_today
from app.shu.models import ShuAllocation, ShuMemberShare, ShuRule, ShuWorksheet

OWN = "31.73.05.1001"


def _rule_split(sysdb, cid, year):
    sysdb.expire_all()
    rule = sysdb.scalar(select(ShuRule).where(ShuRule.cooperative_id == cid, ShuRule.year == year))
    return {a.kind: a.percent for a in sysdb.scalars(select(ShuAllocation).where(ShuAllocation.rule_id == rule.id))}


def test_pengurus_sets_the_rule_computes_the_shu_reads_a_share_and_prints_the_rat_package(
        page, login, live_server, page_problems, shots_dir, sysdb):
    coop = sysdb.scalar(select(Cooperative).where(Cooperative.region_code == OWN))
    year = local_today(coop).year - 1
    before = _rule_split(sysdb, coop.id, year)
    login("pengurus.kebonjeruk")

    # 1. From the menu to the closed year's worksheet, then to the rule.
    page.goto(live_server("/shu/"))
    with page.expect_navigation():
        page.locator(f"a[href='/shu/{coop.id}/{year}']").first.click()
    with page.expect_navigation():
        page.click("#shu-rule")
    page.fill("#pct_dana_pendidikan", "5,5")  # 100.50 %: refused, nothing kept
    with page.expect_navigation():
        page.click("#rule-save")
    expect(page.locator("#rule-error")).to_contain_text("100,50%")
    assert _rule_split(sysdb, coop.id, year) == before
    page.fill("#pct_dana_pendidikan", "6")
    page.fill("#pct_dana_sosial", "4")
    page.fill("#decision_ref", "01/RAT/KKMP-KJ/uji")
    with page.expect_navigation():
        page.click("#rule-save")
    page_problems.assert_none("saving the rule")
    split = _rule_split(sysdb, coop.id, year)
    assert str(split["dana_pendidikan"]) == "6.00" and str(split["dana_sosial"]) == "4.00"
    assert sum(split.values()) == 100

    # 2. Compute the SHU of the closed year.
    page.goto(live_server(f"/shu/{coop.id}/{year}"))
    with page.expect_navigation():
        page.click("#shu-compute")
    expect(page.locator(".alert-success")).to_contain_text("dihitung")
    page.screenshot(path=str(shots_dir / "shu-01-worksheet.png"), full_page=True)
    page_problems.assert_none("computing the SHU")
    sysdb.expire_all()
    ws = sysdb.scalar(select(ShuWorksheet).where(ShuWorksheet.cooperative_id == coop.id, ShuWorksheet.year == year))
    assert ws.status == "dihitung" and ws.member_count > 0
    expect(page.locator("#shu-total")).to_have_text(re.compile(r"^Rp[\d.]+(,\d\d)?$"))

    # 3. A member's share: the member list, then the slip with the amount in words.
    with page.expect_navigation():
        page.click("#shu-members")
    share = sysdb.scalars(select(ShuMemberShare).where(ShuMemberShare.worksheet_id == ws.id)
                          .order_by(ShuMemberShare.id)).first()
    row = page.locator("#shu-member-table tbody tr").first
    expect(row).to_contain_text(share.member.name)
    with page.expect_navigation():
        row.locator("a.kkmp-shu-slip").click()
    amount = f"Rp{int(share.total_rounded):,}".replace(",", ".")
    expect(page.locator("#slip-amount")).to_have_text(amount)
    from app.savings.terbilang import terbilang_title

    expect(page.locator("#slip-words")).to_have_text(terbilang_title(share.total_rounded))
    page_problems.assert_none("reading a member's share")

    # 4. The RAT package: printable page (PDF through the print CSS) and the workbook.
    page.goto(live_server(f"/shu/{coop.id}/{year}/rat"))
    expect(page.locator("#kkmp-print")).to_be_visible()
    expect(page.locator("#rat-shu")).to_contain_text("SHU tahun buku")
    page.screenshot(path=str(shots_dir / "shu-02-rat.png"), full_page=True)
    page.emulate_media(media="print")
    expect(page.locator("#kkmp-print")).to_be_hidden()
    expect(page.locator("#rat-form")).to_be_hidden()
    pdf = page.pdf(print_background=True)
    (shots_dir / "shu-rat-package.pdf").write_bytes(pdf)
    assert pdf[:4] == b"%PDF" and len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf)) >= 2
    page.emulate_media(media="screen")
    with page.expect_download() as download:
        page.click("#rat-xlsx")
    book = openpyxl.load_workbook(io.BytesIO(open(download.value.path(), "rb").read()), read_only=True)
    assert "Pembagian SHU" in book.sheetnames and "SHU anggota" in book.sheetnames
    page_problems.assert_none("printing the RAT package")
