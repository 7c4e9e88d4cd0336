"""Bulk deposits from Excel: the template, the all-or-nothing import, the per-row report, and every bad-file class
refused fast without a crash."""
import io
import zipfile
from datetime import date

import pytest
from sqlalchemy import func, select

from app.cooperatives.models import Cooperative
from app.members.models import Member
from app.savings.models import SavingsImport, SavingsTransaction

KEBON_JERUK = "31.73.05.1001"
URL = "/simpanan/transaksi/impor"


def _count(sysdb):
    sysdb.expire_all()
    return sysdb.scalar(select(func.count(SavingsTransaction.id)))


def _numbers(sysdb, n):
    coop_id = sysdb.scalar(select(Cooperative.id).where(Cooperative.region_code == KEBON_JERUK))
    return list(sysdb.scalars(select(Member.member_number).where(Member.cooperative_id == coop_id,
                                                                 Member.status == "aktif")
                              .order_by(Member.id).limit(n)))


def workbook(rows, headers=None):
    from openpyxl import Workbook

    from app.savings.imports import HEADERS

    wb = Workbook()
    ws = wb.active
    ws.title = "Setoran"
    ws.append(headers or HEADERS)
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def upload(s, data, name="setoran.xlsx"):
    return s.post(URL, {"file": (io.BytesIO(data), name)}, form_url=URL, content_type="multipart/form-data")


def test_the_deposit_template_downloads_as_xlsx_with_the_expected_headers(login):
    from openpyxl import load_workbook

    from app.savings.imports import HEADERS

    r = login("sekretaris.kebonjeruk").get("/simpanan/transaksi/templat.xlsx")
    assert r.status_code == 200
    ws = load_workbook(io.BytesIO(r.data)).worksheets[0]
    assert [c.value for c in ws[1]] == HEADERS


def test_a_valid_file_is_imported_whole_and_the_same_file_twice_is_refused(login, sysdb):
    a, b = _numbers(sysdb, 2)
    today = date.today()
    data = workbook([[a, "sukarela", 15000, today, "kolektif RT 1"], [b, "Sukarela", "20.000", today.strftime(
        "%d/%m/%Y"), None]])
    s = login("sekretaris.kebonjeruk")
    before = _count(sysdb)
    r = upload(s, data)
    assert r.status_code == 302, r.get_data(as_text=True)[-3000:]
    assert _count(sysdb) == before + 2
    again = upload(s, data)
    assert again.status_code == 422 and "sudah pernah diimpor" in again.get_data(as_text=True)
    assert _count(sysdb) == before + 2


def test_one_bad_row_refuses_the_whole_file_with_a_report_per_row(login, sysdb):
    a, b = _numbers(sysdb, 2)
    today = date.today()
    data = workbook([[a, "sukarela", 10000, today, "ok"], [b, "tabungan", 10000, today, None],
                     ["A-999999", "sukarela", 10000, today, None], [a, "sukarela", -5, today, None],
                     [a, "sukarela", 1000, "31/02/2025", None], [a, "sukarela", 1000, date(2999, 1, 1), None]])
    s = login("sekretaris.kebonjeruk")
    before = _count(sysdb)
    imports_before = sysdb.scalar(select(func.count(SavingsImport.id)))
    r = upload(s, data)
    html = r.get_data(as_text=True)
    assert r.status_code == 422
    for row, text in ((3, "Jenis simpanan harus"), (4, "A-999999"), (5, "tidak boleh negatif"), (6, "dd/mm/yyyy"),
                      (7, "masa depan")):
        assert f"<td>{row}</td>" in html and text in html, (row, text)
    assert "<td>2</td>" not in html
    assert _count(sysdb) == before
    sysdb.expire_all()
    assert sysdb.scalar(select(func.count(SavingsImport.id))) == imports_before


def test_a_row_refused_only_after_earlier_rows_count_rolls_back_the_whole_file(login, sysdb):
    a, = _numbers(sysdb, 1)
    today = date.today()
    # the wajib row passes the row checks but exceeds what is billed plus a year paid ahead: refused while writing, after row 2
    data = workbook([[a, "sukarela", 5000, today, "ok"], [a, "wajib", 900000000, today, "terlalu banyak"]])
    s = login("sekretaris.kebonjeruk")
    before = _count(sysdb)
    r = upload(s, data)
    html = r.get_data(as_text=True)
    assert r.status_code == 422 and "<td>3</td>" in html and "di muka paling banyak" in html
    assert _count(sysdb) == before


def _zip(entries):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, content in entries.items():
            z.writestr(name, content)
    return buf.getvalue()


CT = b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"></Types>'


@pytest.mark.parametrize("name,data,message", [
    ("besar.xlsx", b"PK\x03\x04" + b"0" * (2 * 1024 * 1024 + 10), "terlalu besar"),
    ("data.xlsx", b"nomor;jenis;jumlah\nA-1;sukarela;1000\n", "bukan berkas Excel"),
    ("laporan.pdf", b"%PDF-1.4 ...", "Hanya berkas Excel .xlsx"),
    ("makro.xlsm", b"PK\x03\x04", "makro"),
    ("makro.xlsx", _zip({"[Content_Types].xml": CT, "xl/vbaProject.bin": b"x"}), "makro"),
    ("bom.xlsx", _zip({"[Content_Types].xml": CT, "xl/worksheets/sheet1.xml": b"0" * (20 * 1024 * 1024)}),
     "zip bomb"),
    ("tawa.xlsx", _zip({"[Content_Types].xml": CT, "xl/sharedStrings.xml":
                        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]>'
                        b'<sst>&lol2;</sst>'}), "DOCTYPE"),
    ("rusak.xlsx", b"PK\x03\x04garbage", "bukan berkas Excel"),
])
def test_unsafe_or_wrong_files_are_refused_fast_without_a_crash(login, sysdb, name, data, message):
    s = login("sekretaris.kebonjeruk")
    before = _count(sysdb)
    r = upload(s, data, name)
    assert r.status_code in (413, 422)
    if r.status_code == 422:
        assert message in r.get_data(as_text=True)
    assert _count(sysdb) == before


def test_a_lurah_cannot_import_deposits(login, sysdb):
    s = login("lurah.kebonjeruk")
    assert s.get(URL).status_code in (302, 403)
