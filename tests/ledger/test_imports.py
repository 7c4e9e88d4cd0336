"""Issue 4 item 7: opening balances (saldo awal) and the Excel cash book (buku kas) imported all or nothing, with a
per-row report, idempotent, and every class of bad file refused fast with zero rows written."""
import io
import re
import uuid
import zipfile
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
import xlsxwriter
from openpyxl import load_workbook
from sqlalchemy import func, select

from app.cooperatives.models import Cooperative
from app.ledger import imports, services
from app.ledger.import_models import LedgerImport
from app.ledger.models import Account, JournalEntry

from .conftest import balance_of

D = Decimal
CASH_HEADERS = ["tanggal", "uraian transaksi", "bukti", "kode akun lawan", "debet", "kredit", "saldo", "keterangan"]
XSS = "<script>alert(1)</script>"


# -- building workbooks in memory --------------------------------------------------------------------------------

def cash_book(sheets, headers=CASH_HEADERS, formula=False):
    """sheets: {title: [row values]}; dates are written as real Excel dates, strings as text cells."""
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_formulas": False, "strings_to_numbers": False})
    date_fmt = wb.add_format({"num_format": "dd/mm/yyyy"})
    for title, rows in sheets.items():
        ws = wb.add_worksheet(title)
        ws.write_string(0, 0, f"BUKU KAS {title.upper()}")
        for c, header in enumerate(headers):
            ws.write_string(2, c, header)
        for r, row in enumerate(rows, start=3):
            for c, value in enumerate(row):
                if isinstance(value, date):
                    ws.write_datetime(r, c, datetime(value.year, value.month, value.day), date_fmt)
                elif isinstance(value, (int, float)):
                    ws.write_number(r, c, value)
                elif value is not None:
                    ws.write_string(r, c, str(value))
        if formula:
            ws.write_formula(len(rows) + 3, 4, "=E4*2", None, 3000000)
    wb.close()
    return buf.getvalue()


def opening_book(session, coop, amounts):
    """The real downloaded template, filled in with openpyxl: amounts {code: (debet, kredit)}."""
    wb = load_workbook(io.BytesIO(imports.write_opening_template(session, coop)))
    ws = wb["Saldo Awal"]
    header = next(r for r in range(1, 10) if ws.cell(r, 1).value == "kode akun")
    rows = {ws.cell(r, 1).value: r for r in range(header + 1, ws.max_row + 1)}
    for code, (debit, credit) in amounts.items():
        r = rows.get(code)
        if r is None:  # an account not in the template (unknown): add a row
            r = ws.max_row + 1
            ws.cell(r, 1, code)
        if debit is not None:
            ws.cell(r, 3, debit)
        if credit is not None:
            ws.cell(r, 4, credit)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def rezip(data, changes=None, extra=None):
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            content = src.read(info.filename)
            if changes and info.filename in changes:
                content = changes[info.filename](content)
            dst.writestr(info.filename, content)
        for name, content in (extra or {}).items():
            dst.writestr(name, content)
    return out.getvalue()


# -- service level, on a fresh cooperative in a rolled-back transaction ------------------------------------------

def days(coop):
    today = services.local_today(coop)
    first = today.replace(day=1)
    return today, first, first - timedelta(days=1)


def counts(session, coop):
    session.flush()
    return (session.scalar(select(func.count()).select_from(JournalEntry).where(JournalEntry.cooperative_id == coop.id)),
            session.scalar(select(func.count()).select_from(LedgerImport).where(LedgerImport.cooperative_id == coop.id)))


GOOD_OPENING = {"111000": ("2.500.000", None), "112000": (10000000, None), "114000": ("1.500.000,50", None),
                "311000": (None, "5.000.000"), "312000": (None, 2000000), "212000": (None, "7.000.000,50")}


def test_opening_template_lists_the_active_accounts_with_indonesian_headers(uow, coop):
    wb = load_workbook(io.BytesIO(imports.write_opening_template(uow, coop)))
    ws = wb["Saldo Awal"]
    assert [ws.cell(4, c).value for c in range(1, 5)] == ["kode akun", "nama akun", "debet", "kredit"]
    codes = [ws.cell(r, 1).value for r in range(5, ws.max_row + 1)]
    assert "111000" in codes and "311000" in codes and "100000" not in codes  # no group accounts
    assert "Contoh" in ws.cell(2, 1).value
    book = load_workbook(io.BytesIO(imports.write_cash_book_template(uow, coop)))
    assert [book["Buku Kas"].cell(4, c).value for c in range(1, 9)] == CASH_HEADERS
    assert {"Petunjuk", "Daftar Akun"} <= set(book.sheetnames)


def test_good_opening_and_cash_book_files_post_exact_decimal_balances(uow, coop):
    today, first, opening_day = days(coop)
    result = imports.import_opening_balances(uow, coop, "saldo-awal.xlsx", opening_book(uow, coop, GOOD_OPENING),
                                             opening_day.strftime("%d/%m/%Y"))
    assert result.ok, result.errors
    entry = result.entries[0]
    assert entry.entry_type == "pembuka" and entry.entry_date == opening_day and entry.source_type == "saldo_awal"
    assert entry.total == D("14000000.50") and len(entry.lines) == 6
    assert balance_of(uow, coop.id, "114000") == D("1500000.50")
    assert balance_of(uow, coop.id, "212000") == D("-7000000.50")

    data = cash_book({
        "Bulan ini": [
            [None, "Saldo awal", None, None, None, None, 2500000, None],
            [first, "Setoran simpanan pokok " + XSS, "BKM-1", "311000", "1.500.000", None, 4000000, "3 anggota"],
            [first.strftime("%d/%m/%Y"), "Bayar listrik gerai", "BKK-1", 522000, None, 450000, "3.550.000", None],
        ],
        "Lanjutan": [[today, "Penjualan sembako anggota", "REKAP-1", "411100", 1250000, None, None, None]],
    })
    result = imports.import_cash_book(uow, coop, "buku-kas.xlsx", data)
    assert result.ok, result.errors
    assert len(result.entries) == 3 and result.skipped == 1 and result.record.entry_count == 3
    first_entry = result.entries[0]
    assert first_entry.description == "Setoran simpanan pokok " + XSS  # stored as text
    assert [(l.account.code, l.debit, l.credit, l.memo) for l in first_entry.lines] == [
        ("111000", D("1500000.00"), D("0.00"), "3 anggota"), ("311000", D("0.00"), D("1500000.00"), "3 anggota")]
    assert [(l.account.code, l.debit, l.credit) for l in result.entries[1].lines] == [
        ("522000", D("450000.00"), D("0.00")), ("111000", D("0.00"), D("450000.00"))]
    assert balance_of(uow, coop.id, "111000") == D("4800000.00")
    assert balance_of(uow, coop.id, "311000") == D("-6500000.00")
    assert balance_of(uow, coop.id, "522000") == D("450000.00")
    assert balance_of(uow, coop.id, "411100") == D("-1250000.00")
    _rows, debit, credit = services.trial_balance(uow, coop.id)
    assert debit == credit == D("16750000.50")

    before = counts(uow, coop)
    with pytest.raises(imports.ImportRefused, match="sudah pernah diimpor"):
        imports.import_cash_book(uow, coop, "lagi.xlsx", data)
    with pytest.raises(imports.ImportRefused, match="sudah mempunyai saldo awal"):
        imports.import_opening_balances(uow, coop, "saldo-2.xlsx", opening_book(uow, coop, {
            "111000": ("1", None), "311000": (None, "1")}), opening_day)
    assert counts(uow, coop) == before


def test_opening_is_refused_after_any_earlier_posting(uow, coop):
    _today, first, opening_day = days(coop)
    services.post_entry(uow, cooperative_id=coop.id, entry_date=opening_day, description="Lebih dulu",
                        lines=[("kas", D(100), 0), ("simpanan_pokok", 0, D(100))])
    before = counts(uow, coop)
    with pytest.raises(imports.ImportRefused, match="Sudah ada jurnal"):
        imports.import_opening_balances(uow, coop, "s.xlsx", opening_book(uow, coop, GOOD_OPENING), opening_day)
    assert counts(uow, coop) == before


def _closed_day(uow, coop):
    today = services.local_today(coop)
    last = today.replace(day=1) - timedelta(days=1)
    services.close_period(uow, coop.id, last.year, last.month)
    return last.replace(day=5)


@pytest.mark.parametrize("case,message", [
    ("missing_counter", "Kode akun lawan belum diisi"),
    ("unknown_account", "119999 tidak ada di bagan akun"),
    ("future", "masa depan"),
    ("closed", "sudah ditutup"),
    ("both_sides", "tepat satu dari debet atau kredit"),
    ("bad_amount", r"Kredit: tulis jumlah rupiah seperti .*tertulis: 1,500,000"),
    ("bad_date", "31/02/2026 tidak dapat dibaca"),
    ("running_balance", "seharusnya"),
    ("inactive", "tidak aktif"),
])
def test_one_bad_cash_book_row_rejects_the_whole_file_with_a_per_row_report(uow, coop, case, message):
    today, first, _ = days(coop)
    good = [first, "Setoran simpanan wajib", "BKM-9", "312000", "200.000", None, None, None]
    bad = {
        "missing_counter": [first, "Terima titipan", "BKM-10", None, "50.000", None, None, None],
        "unknown_account": [first, "Bayar sesuatu", "BKK-10", "119999", None, "50.000", None, None],
        "future": [today + timedelta(days=1), "Besok", "BKK-11", "529000", None, "50.000", None, None],
        "closed": [None, "Bulan tutup", "BKK-12", "529000", None, "50.000", None, None],
        "both_sides": [first, "Dua sisi", "BKK-13", "529000", "10.000", "10.000", None, None],
        "bad_amount": [first, "Format Inggris", "BKK-14", "529000", None, "1,500,000", None, None],
        "bad_date": ["31/02/2026", "Tanggal mustahil", "BKK-15", "529000", None, "50.000", None, None],
        "running_balance": [first, "Saldo salah", "BKK-16", "529000", None, "50.000", 999, None],
        "inactive": [first, "Akun nonaktif", "BKK-17", "523000", None, "50.000", None, None],
    }[case]
    if case == "closed":
        bad[0] = _closed_day(uow, coop)
    if case == "running_balance":
        good[6] = 1000000
    if case == "inactive":
        account = uow.scalar(select(Account).where(Account.cooperative_id == coop.id, Account.code == "523000"))
        account.is_active = False
        uow.flush()
    before = counts(uow, coop)
    result = imports.import_cash_book(uow, coop, "kas.xlsx", cash_book({"Jan": [good, bad, good[:6] + [None, None]]}))
    assert not result.ok
    assert any(re.search(message, msg) for _s, _r, _c, msg in result.errors), result.errors
    assert all(row == 5 for _s, row, _c, _m in result.errors), result.errors  # the bad row, named by its number
    assert counts(uow, coop) == before


def test_an_unbalanced_or_unknown_account_opening_is_refused_and_writes_nothing(uow, coop):
    _today, _first, opening_day = days(coop)
    before = counts(uow, coop)
    result = imports.import_opening_balances(uow, coop, "s.xlsx", opening_book(uow, coop, {
        "111000": ("2.500.000", None), "311000": (None, "2.400.000")}), opening_day)
    assert not result.ok and "tidak seimbang" in result.errors[0][3] and "Rp100.000" in result.errors[0][3]
    result = imports.import_opening_balances(uow, coop, "s2.xlsx", opening_book(uow, coop, {
        "111000": ("2.500.000", None), "311000": (None, "2.500.000"), "119999": ("5", None)}), opening_day)
    assert not result.ok and any("119999" in e[3] for e in result.errors)
    with pytest.raises(imports.ImportRefused, match="masa depan"):
        imports.import_opening_balances(uow, coop, "s3.xlsx", opening_book(uow, coop, GOOD_OPENING),
                                        services.local_today(coop) + timedelta(days=2))
    closed = _closed_day(uow, coop)
    with pytest.raises(imports.ImportRefused, match="sudah ditutup"):
        imports.import_opening_balances(uow, coop, "s4.xlsx", opening_book(uow, coop, GOOD_OPENING), closed)
    assert counts(uow, coop) == before


def _valid(coop):
    _today, first, _ = days(coop)
    return cash_book({"Jan": [[first, "Setoran", "BKM-1", "311000", "100.000", None, None, None]]})


def _zip_bomb(coop):
    # a small file whose sheet expands ~1000 times: refused from the zip directory, nothing decompressed
    return rezip(_valid(coop), changes={"xl/worksheets/sheet1.xml": lambda c: c + b" " * (5 * 1024 * 1024)})


def _laughs(coop):
    laughs = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
              + b"".join(b'<!ENTITY lol%d "%s">' % (i, b"&lol%d;" % (i - 1) * 10 if i > 1 else b"&lol;" * 10)
                         for i in range(1, 10))
              + b"]>")
    return rezip(_valid(coop), changes={"xl/sharedStrings.xml": lambda c: laughs + c.split(b"?>", 1)[1]})


@pytest.mark.parametrize("build,filename,message", [
    (lambda coop: b"PK\x03\x04" + b"\0" * (imports.MAX_BYTES + 10), "besar.xlsx", "terlalu besar"),
    (lambda coop: b"tanggal,uraian,bukti,debet,kredit\n01/01/2026,Setoran,BKM-1,100000,\n", "kas.xlsx",
     "bukan berkas Excel"),
    (lambda coop: b"%PDF-1.4\n1 0 obj << >> endobj\n%%EOF", "kas.xlsx", "bukan berkas Excel"),
    (lambda coop: b"%PDF-1.4\n", "kas.pdf", "Hanya berkas Excel .xlsx"),
    (_valid, "kas.xlsm", "makro"),
    (lambda coop: rezip(_valid(coop), extra={"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0" + b"\0" * 64}), "kas.xlsx",
     "makro"),
    (_zip_bomb, "kas.xlsx", "zip bomb"),
    (_laughs, "kas.xlsx", "DOCTYPE/ENTITY"),
    (lambda coop: cash_book({"Jan": [[days(coop)[1], "Rumus", "B", "311000", 100, None, None, None]]},
                            formula=True), "kas.xlsx", "rumus"),
    (lambda coop: cash_book({"Jan": [[days(coop)[1], "x", "B", "311000", 100, None, None, None]]},
                            headers=["tgl?", "apa", "debit?"]), "kas.xlsx", "Judul kolom tidak ditemukan"),
])
def test_every_bad_file_class_is_refused_with_a_clear_message_and_writes_nothing(uow, coop, build, filename,
                                                                                 message):
    data = build(coop)
    before = counts(uow, coop)
    with pytest.raises(imports.ImportRefused, match=message):
        imports.import_cash_book(uow, coop, filename, data)
    if filename.endswith(".xlsx") and message != "Judul kolom tidak ditemukan":
        _today, _first, opening_day = days(coop)
        with pytest.raises(imports.ImportRefused, match=message):
            imports.import_opening_balances(uow, coop, filename, data, opening_day)
    assert counts(uow, coop) == before


def test_a_forged_sheet_dimension_and_too_many_rows_are_refused_fast(uow, coop):
    import time

    _today, first, _ = days(coop)
    forged = rezip(_valid(coop), changes={"xl/worksheets/sheet1.xml": lambda c: re.sub(
        rb'<dimension ref="[^"]+"/>', b'<dimension ref="A1:XFD1048576"/>', c)})
    start = time.monotonic()
    assert imports.import_cash_book(uow, coop, "kas.xlsx", forged).ok
    assert time.monotonic() - start < 5
    rows = [[first, f"Setoran {i}", f"BKM-{i}", "311000", 1000, None, None, None] for i in range(imports.MAX_ROWS + 1)]
    with pytest.raises(imports.ImportRefused, match="Paling banyak"):
        imports.import_cash_book(uow, coop, "banyak.xlsx", cash_book({"Jan": rows}))


# -- through the screens ---------------------------------------------------------------------------------------

OWN = "31.73.05.1001"


def _demo(sysdb):
    sysdb.expire_all()
    cid = sysdb.scalar(select(Cooperative.id).where(Cooperative.region_code == OWN))
    return cid, (sysdb.scalar(select(func.count()).select_from(JournalEntry).where(JournalEntry.cooperative_id == cid)),
                 sysdb.scalar(select(func.count()).select_from(LedgerImport)))


def upload(s, url, data, filename="buku-kas.xlsx", **fields):
    return s.post(url, {"file": (io.BytesIO(data), filename), **fields}, form_url=url,
                  content_type="multipart/form-data")


def _today_wib():
    from zoneinfo import ZoneInfo
    return datetime.now(ZoneInfo("Asia/Jakarta")).date()


def test_pengurus_imports_a_cash_book_through_the_screen_and_sees_the_entries(login, sysdb):
    cid, before = _demo(sysdb)
    s = login("pengurus.kebonjeruk")
    page = s.get("/impor-pembukuan/buku-kas").get_data(as_text=True)
    assert 'name="csrf_token"' in page and 'enctype="multipart/form-data"' in page and "111000 Kas" in page
    template = s.get("/impor-pembukuan/buku-kas/templat.xlsx")
    assert template.status_code == 200 and template.data.startswith(b"PK\x03\x04")
    assert s.get("/impor-pembukuan/saldo-awal/templat.xlsx").status_code == 200
    tag = uuid.uuid4().hex[:8]
    day = _today_wib().replace(day=1)
    data = cash_book({"Kas": [[day, f"Setoran {tag}", "BKM-I1", "312000", "250.000", None, None, None],
                              [day, f"Beli ATK {tag} " + XSS, "BKK-I1", "529000", None, "75.000", None, None]]})
    r = upload(s, "/impor-pembukuan/buku-kas", data, cash_account="111000")
    assert r.status_code == 302, r.get_data(as_text=True)[-2000:]
    shown = s.get(r.headers["Location"]).get_data(as_text=True)
    assert f"Setoran {tag}" in shown and "JU-" in shown and "/jurnal/show/" in shown
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in shown and XSS not in shown
    _cid, after = _demo(sysdb)
    assert after == (before[0] + 2, before[1] + 1)
    from app.core.audit import AuditEvent
    record = sysdb.scalar(select(LedgerImport).order_by(LedgerImport.id.desc()))
    audited = set(sysdb.scalars(select(AuditEvent.table_name).where(AuditEvent.username == "pengurus.kebonjeruk")))
    assert record.kind == "buku_kas" and record.entry_count == 2 and {"ledger_import", "journal_entry"} <= audited
    r = upload(s, "/impor-pembukuan/buku-kas", data, cash_account="111000")
    assert r.status_code == 422 and "sudah pernah diimpor" in r.get_data(as_text=True)
    assert _demo(sysdb)[1] == after


def test_the_error_report_is_escaped_and_nothing_is_written(login, sysdb):
    _cid, before = _demo(sysdb)
    s = login("pengurus.kebonjeruk")
    day = _today_wib().replace(day=1)
    data = cash_book({"Kas": [[day, "Baik", "BKM-E1", "312000", "250.000", None, None, None],
                              [day, XSS, "BKK-E1", None, None, "75.000", None, None],
                              [day, "Kode " + XSS, "BKK-E2", XSS, None, "75.000", None, None]]})
    r = upload(s, "/impor-pembukuan/buku-kas", data)
    html = r.get_data(as_text=True)
    assert r.status_code == 422 and 'id="import-errors"' in html and "Kode akun lawan belum diisi" in html
    assert "<script>alert(1)" not in html and "&lt;script&gt;" in html
    assert _demo(sysdb)[1] == before


def test_an_opening_after_existing_postings_is_refused_on_screen(login, sysdb):
    _cid, before = _demo(sysdb)
    s = login("pengurus.kebonjeruk")
    data = cash_book({"x": []}, headers=["kode akun", "nama akun", "debet", "kredit"])
    r = upload(s, "/impor-pembukuan/saldo-awal", data, "saldo.xlsx",
               opening_date=_today_wib().strftime("%d/%m/%Y"))
    assert r.status_code == 422 and "Sudah ada jurnal" in r.get_data(as_text=True)
    for bad in (b"PK\x03\x04" + b"\0" * (imports.MAX_BYTES + 10), b"not a zip"):
        r = upload(s, "/impor-pembukuan/saldo-awal", bad, "saldo.xlsx", opening_date="01/01/2020")
        assert r.status_code == 422 and 'id="import-refused"' in r.get_data(as_text=True)
    assert _demo(sysdb)[1] == before


@pytest.mark.parametrize("username", ["sekretaris.kebonjeruk", "lurah.kebonjeruk"])
def test_sekretaris_and_lurah_cannot_import_and_nothing_is_written(login, sysdb, username):
    _cid, before = _demo(sysdb)
    s = login(username)
    day = _today_wib().replace(day=1)
    data = cash_book({"Kas": [[day, "Coba", "BKM-X", "312000", "250.000", None, None, None]]})
    for url in ("/impor-pembukuan/buku-kas", "/impor-pembukuan/saldo-awal"):
        assert s.get(url).status_code == 403
        r = s.client.post(url, data={"file": (io.BytesIO(data), "kas.xlsx"), "csrf_token": s.token("/"),
                                     "opening_date": "01/01/2020"}, content_type="multipart/form-data")
        assert r.status_code == 403
    assert s.get("/impor-pembukuan/buku-kas/templat.xlsx").status_code == 403
    assert _demo(sysdb)[1] == before
    if username.startswith("sekretaris"):
        assert s.get("/impor-pembukuan/list/").status_code == 200
