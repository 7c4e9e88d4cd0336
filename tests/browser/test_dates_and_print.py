"""Dates and paper in a real browser.

1. The Sekretaris types a birth date as dd/mm/yyyy, pastes a join date in ISO form, and picks a date in the
   Indonesian picker by jumping to the year and the month (no clicking back month by month); the member is saved.
2. A receipt printed to PDF comes out as A5, 80 mm or 58 mm wide (not Letter), a roll receipt no longer than
   itself, and its two signature names never overlap.
"""
import re
import time
from datetime import date

from playwright.sync_api import expect
from sqlalchemy import select

from app.members.models import Member
from app.savings.models import SavingsTransaction

OWN = "31.73.05.1001"
PT_PER_MM = 72 / 25.4


def _fresh_nik(born):
    serial = 1000 + (time.time_ns() // 1_000_000) % 9000
    return f"317305{born.day + 40:02d}{born:%m%y}{serial:04d}"


def test_dates_are_typed_pasted_and_picked_in_indonesian(page, login, live_server, page_problems, shots_dir, sysdb):
    born = date(1990, 8, 17)
    name = f"Ratna Tanggal {time.time_ns() % 100000}"
    login("sekretaris.kebonjeruk")
    page.goto(live_server("/anggota/add"))
    page.fill("#nik", _fresh_nik(born))
    page.fill("#name", name)
    page.select_option("#sex", "P")
    page.fill("#address", "Jl. Kebon Jeruk Raya No. 9")
    page.fill("#rt", "1")
    page.fill("#rw", "2")
    page.fill("#domicile_code", OWN)

    # Typed as every page shows dates; nothing rewrites or wipes it when the field is left.
    page.locator("#birth_date").press_sequentially("17/08/1990")
    page.locator("#name").click()
    expect(page.locator("#birth_date")).to_have_value("17/08/1990")

    # Pasted in ISO form (from a spreadsheet or another system): kept, shown as dd/mm/yyyy once the field is left.
    page.locator("#join_date").focus()
    page.keyboard.insert_text("2025-10-01")
    page.locator("#name").click()
    expect(page.locator("#join_date")).to_have_value("01/10/2025")

    # The picker: Indonesian names; its title jumps to the months, then to the years.
    page.locator("#join_date").fill("")
    page.locator("#join_date + .kkmp-date-open").click()
    picker = page.locator(".datepicker-dropdown")
    expect(picker).to_be_visible()
    expect(picker.locator(".datepicker-days thead")).to_contain_text("Sn")
    expect(picker.locator(".datepicker-days .datepicker-switch")).to_have_text(
        re.compile(r"^(Januari|Februari|Maret|April|Mei|Juni|Juli|Agustus|September|Oktober|November|Desember) \d{4}$"))
    picker.locator(".datepicker-days .datepicker-switch").click()   # -> months of the year
    expect(picker.locator(".datepicker-months")).to_contain_text("Agu")
    picker.locator(".datepicker-months .datepicker-switch").click()  # -> years of the decade
    years = picker.locator(".datepicker-years")
    expect(years).to_be_visible()
    for _ in range(10):  # back to the decade of 2025, a decade per click
        if years.locator("span.year", has_text="2025").count():
            break
        years.locator("th.prev").click()
    years.locator("span.year", has_text="2025").click()
    picker.locator(".datepicker-months span.month", has_text="Okt").click()
    picker.locator(".datepicker-days td.day:not(.old):not(.new)", has_text=re.compile(r"^2$")).click()
    expect(page.locator("#join_date")).to_have_value("02/10/2025")
    page.screenshot(path=str(shots_dir / "dates-01-member-form.png"), full_page=True)

    with page.expect_navigation(wait_until="domcontentloaded"):
        page.locator("form#model_form button[type=submit]").first.click()
    expect(page.locator(".has-error, .alert-danger")).to_have_count(0)
    page_problems.assert_none("entering dates")
    sysdb.expire_all()
    member = sysdb.scalar(select(Member).where(Member.name == name))
    assert member is not None and (member.birth_date, member.join_date) == (born, date(2025, 10, 2))


def test_a_wrong_date_keeps_what_was_typed_with_an_indonesian_message(page, login, live_server, page_problems):
    login("sekretaris.kebonjeruk")
    page.goto(live_server("/anggota/add"))
    page.fill("#nik", _fresh_nik(date(1990, 8, 17)))
    page.fill("#name", "Tanggal Salah")
    page.select_option("#sex", "P")
    page.fill("#address", "Jl. Kebon Jeruk Raya No. 9")
    page.fill("#rt", "1")
    page.fill("#rw", "2")
    page.fill("#domicile_code", OWN)
    page.locator("#birth_date").press_sequentially("31/02/1990")
    page.locator("#join_date").press_sequentially("01/10/2025")
    with page.expect_navigation(wait_until="domcontentloaded"):
        page.locator("form#model_form button[type=submit]").first.click()
    expect(page.locator("#birth_date")).to_have_value("31/02/1990")
    expect(page.locator("#join_date")).to_have_value("01/10/2025")
    expect(page.locator("body")).to_contain_text("Tanggal lahir: tulis tanggal sebagai dd/mm/yyyy, contoh 17/08/1990.")
    expect(page.locator("body")).not_to_contain_text("Not a valid date")
    page_problems.assert_none("refusing a wrong date")


def _media_box(pdf_bytes):
    width, height = re.search(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", pdf_bytes).groups()
    return float(width), float(height)


def test_receipts_print_on_a5_and_on_80_and_58_mm_rolls_with_signatures_apart(page, login, live_server,
                                                                                page_problems, shots_dir, sysdb):
    tx = sysdb.scalars(select(SavingsTransaction).order_by(SavingsTransaction.id)).first()
    login("sekretaris.kebonjeruk")
    for size, width_mm in (("a5", 148), ("80", 80), ("58", 58)):
        page.goto(live_server(f"/simpanan/transaksi/kwitansi/{tx.id}?ukuran={size}"))
        expect(page.locator("#kkmp-print")).to_be_visible()
        page.emulate_media(media="print")
        boxes = page.eval_on_selector_all(".sign > div .line", "els => els.map(e => e.getBoundingClientRect())"
                                          ".map(r => [r.left, r.top, r.right, r.bottom])")
        assert len(boxes) == 2
        (l1, t1, r1, b1), (l2, t2, r2, b2) = boxes
        assert r1 <= l2 or b1 <= t2, f"{size}: the two signature lines overlap: {boxes}"
        pdf = page.pdf(prefer_css_page_size=True, print_background=True)
        (shots_dir / f"receipt-{size}.pdf").write_bytes(pdf)
        width, height = _media_box(pdf)
        assert abs(width - width_mm * PT_PER_MM) < 1.5, f"{size}: page {width:.1f} pt wide, not {width_mm} mm"
        if size == "a5":
            assert abs(height - 210 * PT_PER_MM) < 1.5, f"A5 is 210 mm high, not {height / PT_PER_MM:.0f} mm"
        else:
            assert height < 200 * PT_PER_MM, f"{size} mm roll: {height / PT_PER_MM:.0f} mm long"
            pages = len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf))
            assert pages == 1, f"{size} mm roll: the receipt runs over {pages} pages"
        page.emulate_media(media="screen")
    page_problems.assert_none("printing receipts")
