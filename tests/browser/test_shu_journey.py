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


# -- the year after the RAT: a cooperative of its own, so the demo's worksheet and RAT stay as the other tests
#    read them (the distribution journal cannot be taken back) -------------------------------------------------

FRESH = "31.73.01.1003"  # Rawa Buaya, Jakarta Barat: no demo cooperative, in the Sudin Jakarta Barat's area
FRESH_PENGURUS = "pengurus.rawabuaya"
# Words of FAB's or the browser's English that must not show on the Indonesian pages of the journey.
ENGLISH = re.compile(r"\b(Save|Submit|Print|Back|Search|Edit|Delete|Cancel|Next|Previous|Logout|Paid|Unpaid|"
                     r"Amount|Members?|Records?|Verify|Report|Download|Attendance|Signature|Minutes|Quorum|"
                     r"Reserve|Balance|Total)\b")


def _fresh_closed_year(app):
    """KKMP Rawa Buaya, founded the year before last: three members with pokok and wajib, last year's sales to
    members booked and the year closed by the ledger's own close, the SHU rule set, and its Pengurus."""
    from datetime import date
    from decimal import Decimal as D

    from app.cooperatives.services import create_cooperative
    from app.core.scope import system_scope
    from app.extensions import appbuilder, db
    from app.shu import services
    from tests.conftest import DEMO_PASSWORD
    from tests.shu.conftest import PENGURUS, close, make_member, post, save

    with app.app_context(), system_scope():
        s = db.session
        coop = s.scalar(select(Cooperative).where(Cooperative.region_code == FRESH))
        year = local_today(coop).year - 1 if coop else local_today(None).year - 1
        if coop is None:
            coop = create_cooperative(FRESH, session=s, musyawarah_date=date(year - 1, 5, 31), akta_number="21",
                                      akta_date=date(year - 1, 6, 20), notary_name="Notaris Uji")
            for name, wajib in (("Rahmawati", 300_000), ("Slamet Riyadi", 150_000), ("Tuti Alawiyah", 50_000)):
                member = make_member(s, coop, name)
                save(s, coop, member, "pokok", 100_000, date(year, 1, 8))
                save(s, coop, member, "wajib", wajib, date(year, 6, 8))
            post(s, coop, date(year, 6, 30), [("kas", D(3_000_000), 0), ("411100", 0, D(3_000_000))])
            post(s, coop, date(year, 7, 31), [("521000", D(1_000_000), 0), ("kas", 0, D(1_000_000))])
            close(s, coop, year)
            services.do_set_rule(s, cooperative_id=coop.id, year=year, acting_user=PENGURUS, quorum_percent="50",
                                 allocations=[("cadangan", None, "40"), ("jasa_modal", None, "40"),
                                              ("dana_pengurus", None, "10"), ("dana_pendidikan", None, "10")])
        if appbuilder.sm.find_user(username=FRESH_PENGURUS) is None:
            user = appbuilder.sm.add_user(FRESH_PENGURUS, "Bendahara", "Rawa Buaya", "pengurus@rawabuaya.kkmp.local",
                                          [appbuilder.sm.find_role("Pengurus")], password=DEMO_PASSWORD)
            user.scope_cooperative_id = coop.id
        s.commit()
        return coop.id, year


def _indonesian(page, where):
    text = page.inner_text("body")
    found = sorted(set(ENGLISH.findall(text)))
    assert not found, f"English on the page ({where}): {found}"


def test_pengurus_holds_the_rat_posts_the_distribution_pays_a_member_and_the_sudin_verifies(
        page, app, login, live_server, page_problems, shots_dir, sysdb):
    from app.ledger.models import JournalEntry
    from app.shu.models import RatMeeting

    cid, year = _fresh_closed_year(app)
    coop = sysdb.get(Cooperative, cid)
    today = local_today(coop).strftime("%d/%m/%Y")
    login(FRESH_PENGURUS)

    # 1. Compute the SHU of the closed year: SHU Rp2.000.000, jasa modal 40 % = Rp800.000 on pokok + wajib.
    page.goto(live_server(f"/shu/{cid}/{year}"))
    with page.expect_navigation():
        page.click("#shu-compute")
    expect(page.locator(".alert-success")).to_contain_text("dihitung")
    expect(page.locator("#shu-total")).to_have_text("Rp2.000.000")
    expect(page.locator("#shu-member-total")).to_have_text("Rp800.000")
    _indonesian(page, "worksheet")
    page_problems.assert_none("computing the SHU")

    # 2. The RAT: held today, two of three members present (quorum 50 %), the decision and the minutes.
    with page.expect_navigation():
        page.click("#shu-rat")
    page.fill("#held_date", today)
    page.fill("#members_total", "3")
    page.fill("#attendance", "2")
    page.fill("#decision_ref", f"01/RAT/KKMP-RB/{year + 1}")
    page.fill("#chair_name", "Rahmawati")
    page.fill("#minutes_taker", "Tuti Alawiyah")
    page.fill("#minutes", "Laporan pertanggungjawaban pengurus diterima.\nPembagian SHU disetujui.")
    page.check("input[name=rapb]")
    with page.expect_navigation():
        page.click("#rat-save")
    expect(page.locator(".alert-success")).to_contain_text("Data RAT disimpan")
    expect(page.locator("#rat-attendance-summary")).to_contain_text("66,66")
    expect(page.locator("#rat-quorum-reached")).to_have_text("tercapai")
    _indonesian(page, "RAT package")

    # 3. The printed package: the attendance list (every member, a line to sign) and the quorum are on paper.
    page.emulate_media(media="print")
    expect(page.locator("#rat-form")).to_be_hidden()
    expect(page.locator("#rat-attendance")).to_be_visible()
    expect(page.locator("#rat-attendance tbody tr")).to_have_count(3)
    expect(page.locator("#rat-attendance")).to_contain_text("Slamet Riyadi")
    expect(page.locator("#rat-attendance-summary")).to_be_visible()
    expect(page.locator(".kkmp-rat-data").first).to_contain_text(f"01/RAT/KKMP-RB/{year + 1}")
    pdf = page.pdf(format="A4", print_background=True)
    (shots_dir / "shu-rat-package-held.pdf").write_bytes(pdf)
    assert pdf[:4] == b"%PDF" and len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf)) >= 2
    page.emulate_media(media="screen")

    # 4. The RAT is recorded as held, then the distribution journal is posted.
    with page.expect_navigation():
        page.click("#rat-advance")
    expect(page.locator("#rat-status-label")).to_have_text("Dilaksanakan")
    page.goto(live_server(f"/shu/{cid}/{year}"))
    with page.expect_navigation():
        page.click("#shu-distribute")
    expect(page.locator(".alert-success")).to_be_visible()
    expect(page.locator("#shu-distributed")).to_contain_text("JU-")
    expect(page.locator("#shu-compute")).to_have_count(0)
    _indonesian(page, "distributed worksheet")
    page_problems.assert_none("posting the distribution")
    sysdb.expire_all()
    entry = sysdb.scalar(select(JournalEntry).where(JournalEntry.cooperative_id == cid,
                                                    JournalEntry.source_type == "shu_distribution"))
    assert entry is not None and sum(line.debit for line in entry.lines) == 2_000_000

    # 5. One member's SHU credited to her simpanan sukarela, with its receipt; she leaves the unpaid list.
    with page.expect_navigation():
        page.click("#shu-members")
    with page.expect_navigation():
        page.click("#shu-unpaid")
    expect(page.locator("#shu-member-table tbody tr")).to_have_count(3)
    row = page.locator("#shu-member-table tbody tr", has_text="Rahmawati")
    row.locator("select[name=method]").select_option("sukarela")
    with page.expect_navigation():
        row.locator("button[type=submit]").click()
    expect(page.locator("#slip-amount")).to_be_visible()
    _indonesian(page, "SHU slip")
    share = sysdb.scalar(select(ShuMemberShare).join(ShuWorksheet).where(ShuWorksheet.cooperative_id == cid)
                         .where(ShuMemberShare.paid_on.isnot(None)))
    sysdb.refresh(share)
    assert share.member.name == "Rahmawati" and share.payment_method == "sukarela" and share.receipt_number
    page.goto(live_server(f"/shu/{cid}/{year}/anggota?belum=1"))
    expect(page.locator("#shu-member-table tbody tr")).to_have_count(2)
    expect(page.locator("#shu-member-table")).not_to_contain_text("Rahmawati")
    page_problems.assert_none("paying a member's SHU")

    # 6. Reported to the Sudin, who verifies it.
    page.goto(live_server(f"/shu/{cid}/{year}/rat"))
    with page.expect_navigation():
        page.click("#rat-advance")
    expect(page.locator("#rat-status-label")).to_have_text("Dilaporkan")
    page.goto(live_server("/logout/"))
    page.context.clear_cookies()
    login("sudin.jakbar")
    page.goto(live_server(f"/shu/{cid}/{year}/rat"))
    expect(page.locator("#rat-advance")).to_have_text("Verifikasi RAT")
    with page.expect_navigation():
        page.click("#rat-advance")
    expect(page.locator("#rat-status-label")).to_have_text("Diverifikasi Sudin")
    _indonesian(page, "verified RAT")
    page.screenshot(path=str(shots_dir / "shu-03-rat-verified.png"), full_page=True)
    page_problems.assert_none("verifying the RAT")
    sysdb.expire_all()
    assert sysdb.scalar(select(RatMeeting.status).where(RatMeeting.cooperative_id == cid)) == "diverifikasi"
