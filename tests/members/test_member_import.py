"""Bulk entry from Excel: the template, an all-or-nothing import with a per-row report, and every class of bad
file refused fast, writing nothing."""
import io
import zipfile
from datetime import date, datetime

import pytest
import xlsxwriter
from openpyxl import load_workbook
from sqlalchemy import func, select

from app.members import imports
from app.members.models import Member, MemberImport

from .helpers import KEBON_JERUK, make_nik


def count(sysdb):
    sysdb.expire_all()
    return sysdb.scalar(select(func.count()).select_from(Member))


def workbook(rows, formula=False):
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_formulas": False, "strings_to_numbers": False})
    ws = wb.add_worksheet(imports.SHEET_NAME)
    date_format = wb.add_format({"num_format": "dd/mm/yyyy"})
    for c, header in enumerate(imports.HEADERS):
        ws.write_string(0, c, header)
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            if isinstance(value, date):
                ws.write_datetime(r, c, datetime(value.year, value.month, value.day), date_format)
            elif value is not None:
                ws.write_string(r, c, str(value))
    if formula:
        ws.write_formula(len(rows) + 1, 0, "=1+1")
    wb.close()
    return buf.getvalue()


def row(name="Warga Impor", sex="L", born=date(1980, 5, 17), nik=None, **over):
    values = {"nik": nik or make_nik(born, sex), "name": name, "sex": sex, "birth_date": born,
              "address": "Jl. Kebon Jeruk Raya No. 9", "rt": "4", "rw": "2", "domicile_code": KEBON_JERUK,
              "phone": "081299998888", "occupation": "Pedagang", "join_date": date(2025, 10, 2)}
    values.update(over)
    return [values[c[0]] for c in imports.COLUMNS]


def upload(s, data, filename="anggota.xlsx"):
    return s.post("/anggota/impor", {"region_code": KEBON_JERUK, "file": (io.BytesIO(data), filename)},
                  form_url="/", content_type="multipart/form-data")


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


def test_the_members_template_has_indonesian_headers_and_its_example_only_on_the_help_sheet(login):
    r = login("sekretaris.kebonjeruk").get("/anggota/templat.xlsx")
    assert r.status_code == 200
    wb = load_workbook(io.BytesIO(r.data))
    ws = wb[imports.SHEET_NAME]
    assert [c.value for c in ws[1]][:len(imports.HEADERS)] == imports.HEADERS
    assert ws.max_row == 1 or all(c.value in (None, "") for c in ws[2])  # no example row to be imported
    example = {row[0].value: row[2] for row in wb["Petunjuk"].iter_rows() if len(row) > 2}
    assert example["NIK"].data_type == "s" and len(example["NIK"].value) == 16
    assert example["Kode Kelurahan Domisili (KTP)"].value == KEBON_JERUK
    assert example["Tanggal Lahir"].number_format == "dd/mm/yyyy"


def test_a_valid_workbook_is_imported_as_applications_and_the_same_file_twice_is_refused(login, sysdb):
    s = login("sekretaris.kebonjeruk")
    data = workbook([row("Imam Impor Satu"), row("Nurul Impor Dua", sex="P", born=date(1992, 1, 30))])
    before = count(sysdb)
    r = upload(s, data)
    assert r.status_code == 302, r.get_data(as_text=True)[:2000]
    assert count(sysdb) == before + 2
    m = sysdb.scalar(select(Member).where(Member.name == "Nurul Impor Dua"))
    assert m.status == "permohonan" and m.sex == "P" and m.rt == "004"
    assert sysdb.scalar(select(func.count()).select_from(MemberImport)) >= 1
    r = upload(s, data, "salinan.xlsx")
    assert r.status_code == 422 and "sudah pernah diimpor" in r.get_data(as_text=True)
    assert count(sysdb) == before + 2


def test_one_bad_row_rejects_the_whole_file_with_an_escaped_per_row_report(login, sysdb):
    s = login("sekretaris.kebonjeruk")
    dup = make_nik(date(1979, 2, 3), "L")
    data = workbook([row("Baris Benar"),
                     row("<b>Salah</b>", nik="3173O56010900009"),
                     row("Tanggal Salah", born=date(1981, 6, 7), nik=make_nik(date(1981, 6, 8), "L")),
                     row("Kembar Satu", nik=dup, born=date(1979, 2, 3)),
                     row("Kembar Dua", nik=dup, born=date(1979, 2, 3)),
                     row("Luar Wilayah", domicile_code="31.73.05.1002")])
    before = count(sysdb)
    r = upload(s, data)
    html = r.get_data(as_text=True)
    assert r.status_code == 422 and count(sysdb) == before
    assert sysdb.scalar(select(Member.id).where(Member.name == "Baris Benar")) is None
    report = html[html.index('id="import-errors"'):]
    for line in ("<td>3</td>", "<td>4</td>", "<td>6</td>", "<td>7</td>"):
        assert line in report
    assert "<td>2</td>" not in report
    assert "Tanggal lahir tidak cocok dengan NIK" in report and "sudah ada di baris 5" in report
    assert "<b>Salah</b>" not in html


def test_a_file_over_the_size_limit_is_refused_before_reading(login, sysdb):
    before = count(sysdb)
    data = b"PK\x03\x04" + b"\0" * (imports.MAX_BYTES + 10)
    r = upload(login("sekretaris.kebonjeruk"), data)
    assert r.status_code == 422 and "terlalu besar" in r.get_data(as_text=True) and count(sysdb) == before


@pytest.mark.parametrize("filename,content", [
    ("anggota.csv", b"NIK,Nama\n3173054408900003,Siti\n"),
    ("anggota.xlsx", b"NIK,Nama\n3173054408900003,Siti\n"),  # a CSV renamed
    ("anggota.xlsx", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"),
    ("anggota.xlsx", b"MZ\x90\x00\x03\x00\x00\x00"),
    ("anggota.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"),
])
def test_a_file_that_is_not_a_real_xlsx_is_refused(login, sysdb, filename, content):
    before = count(sysdb)
    r = upload(login("sekretaris.kebonjeruk"), content, filename)
    html = r.get_data(as_text=True)
    assert r.status_code == 422 and ("Hanya berkas Excel .xlsx" in html or "bukan berkas Excel" in html)
    assert count(sysdb) == before


def test_a_zip_without_content_types_is_not_an_xlsx(login, sysdb):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("hello.txt", "hi")
    r = upload(login("sekretaris.kebonjeruk"), out.getvalue())
    assert r.status_code == 422 and "bukan berkas Excel" in r.get_data(as_text=True)


def test_macro_enabled_files_are_refused(login, sysdb):
    s = login("sekretaris.kebonjeruk")
    before = count(sysdb)
    data = workbook([row("Makro")])
    r = upload(s, data, "anggota.xlsm")
    assert r.status_code == 422 and "makro" in r.get_data(as_text=True)
    r = upload(s, rezip(data, extra={"xl/vbaProject.bin": b"\0" * 64}))
    assert r.status_code == 422 and "makro" in r.get_data(as_text=True)
    assert count(sysdb) == before


def test_a_zip_bomb_is_refused_from_the_zip_directory_before_parsing(login, sysdb):
    before = count(sysdb)
    data = rezip(workbook([row("Bom")]), extra={"xl/media/padding.xml": b"0" * (40 * 1024 * 1024)})
    assert len(data) < imports.MAX_BYTES
    r = upload(login("sekretaris.kebonjeruk"), data)
    assert r.status_code == 422 and "zip bomb" in r.get_data(as_text=True) and count(sysdb) == before
    many = rezip(workbook([row("Banyak")]), extra={f"xl/x{i}.xml": b"<a/>" for i in range(imports.MAX_ENTRIES)})
    r = upload(login("sekretaris.kebonjeruk"), many)
    assert r.status_code == 422 and "zip bomb" in r.get_data(as_text=True) and count(sysdb) == before


def test_an_xml_bomb_is_refused_before_any_reader_sees_the_file(login, sysdb):
    laughs = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
              b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>')
    data = rezip(workbook([row("Bom XML")]),
                 changes={"xl/sharedStrings.xml": lambda c: laughs + c.split(b"?>", 1)[1]})
    before = count(sysdb)
    r = upload(login("sekretaris.kebonjeruk"), data)
    assert r.status_code == 422 and "DOCTYPE" in r.get_data(as_text=True) and count(sysdb) == before


def test_formula_cells_are_refused(login, sysdb):
    before = count(sysdb)
    r = upload(login("sekretaris.kebonjeruk"), workbook([row("Rumus")], formula=True))
    assert r.status_code == 422 and "rumus" in r.get_data(as_text=True) and count(sysdb) == before


def test_a_lurah_cannot_import_and_nobody_imports_into_a_cooperative_outside_their_area(login, sysdb):
    before = count(sysdb)
    assert upload(login("lurah.kebonjeruk"), workbook([row("Lurah")])).status_code == 403
    s = login("sekretaris.cemorokandang")
    r = upload(s, workbook([row("Asing")]))
    assert r.status_code == 422 and "tidak ditemukan di wilayah Anda" in r.get_data(as_text=True)
    assert count(sysdb) == before


def test_a_nik_typed_as_a_number_refuses_the_file_naming_its_cell(login, sysdb):
    """Excel keeps 15 digits of a number, so a NIK stored as one has lost its last digit (and a 16-digit number
    read back through a float may not be the one written): the file is refused at that cell, never imported with
    a NIK that is someone else's."""
    nik = make_nik(date(1980, 5, 17), "L")
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    ws = wb.add_worksheet(imports.SHEET_NAME)
    for c, header in enumerate(imports.HEADERS):
        ws.write_string(0, c, header)
    for c, value in enumerate(row("Angka Panjang", nik=nik)):
        if c == 0:
            ws.write_number(1, 0, int(nik))
        elif isinstance(value, date):
            ws.write_datetime(1, c, datetime(value.year, value.month, value.day))
        else:
            ws.write_string(1, c, str(value))
    wb.close()
    before = count(sysdb)
    r = upload(login("sekretaris.kebonjeruk"), buf.getvalue())
    html = r.get_data(as_text=True)
    assert r.status_code == 422 and count(sysdb) == before
    assert "Sel A2 berisi angka 16 digit atau lebih" in html and "diketik sebagai teks" in html
    assert sysdb.scalar(select(Member.id).where(Member.name == "Angka Panjang")) is None
