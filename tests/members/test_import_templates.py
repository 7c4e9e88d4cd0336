"""Issue 11.7: an import template filled in the way people do (two real rows typed under the headers of the
downloaded file, nothing deleted) imports exactly those rows: the example lives on the 'Petunjuk' sheet, which
the importer never reads, together with the help for every column."""
import io
import re
from datetime import date

from openpyxl import load_workbook
from sqlalchemy import func, select

from app.cooperatives.models import Cooperative
from app.members import imports as member_imports
from app.members.models import Member
from app.savings import imports as savings_imports
from app.savings.models import SavingsTransaction

from .helpers import KEBON_JERUK, make_nik


def _fill(template_bytes, sheet, rows):
    """Type ``rows`` into the first empty rows under the headers of the downloaded template, as a clerk does."""
    wb = load_workbook(io.BytesIO(template_bytes))
    ws = wb[sheet]
    start = ws.max_row + 1 if any(c.value not in (None, "") for c in ws[ws.max_row]) and ws.max_row > 1 else 2
    for r, values in enumerate(rows, start=start):
        for c, value in enumerate(values, start=1):
            ws.cell(row=r, column=c, value=value)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _help_sheet(template_bytes):
    wb = load_workbook(io.BytesIO(template_bytes))
    return [[c.value for c in row] for row in wb["Petunjuk"].iter_rows()]


def test_two_members_typed_into_the_member_template_import_as_two(login, sysdb):
    s = login("sekretaris.kebonjeruk")
    template = s.get("/anggota/templat.xlsx").data
    rows = []
    for name, sex, born in (("Warga Templat Satu", "L", date(1981, 3, 9)), ("Warga Templat Dua", "P",
                                                                            date(1984, 6, 21))):
        rows.append([make_nik(born, sex), name, sex, born, "Jl. Kebon Jeruk Raya No. 3", "001", "002", KEBON_JERUK,
                     "081288887777", "Guru", date(2025, 10, 3)])
    before = sysdb.scalar(select(func.count()).select_from(Member))
    r = s.post("/anggota/impor", {"region_code": KEBON_JERUK, "file": (io.BytesIO(_fill(
        template, member_imports.SHEET_NAME, rows)), "anggota.xlsx")}, form_url="/",
        content_type="multipart/form-data")
    assert r.status_code == 302, r.get_data(as_text=True)[-2000:]
    sysdb.expire_all()
    assert sysdb.scalar(select(func.count()).select_from(Member)) == before + 2
    assert "2 anggota diimpor" in s.get(r.headers["Location"]).get_data(as_text=True)
    # the example and the help for every column are on the second sheet
    help_rows = _help_sheet(template)
    by_header = {row[0]: row for row in help_rows if row[0] in member_imports.HEADERS}
    assert set(by_header) == set(member_imports.HEADERS)
    assert all(row[1] and row[2] not in (None, "") for h, row in by_header.items() if h not in ("Telepon",))
    assert re.fullmatch(r"\d{16}", by_header["NIK"][2])


def test_two_deposits_typed_into_the_deposit_template_import_as_two(login, sysdb):
    coop_id = sysdb.scalar(select(Cooperative.id).where(Cooperative.region_code == KEBON_JERUK))
    numbers = list(sysdb.scalars(select(Member.member_number).where(
        Member.cooperative_id == coop_id, Member.status == "aktif").order_by(Member.id).limit(2)))
    s = login("sekretaris.kebonjeruk")
    template = s.get("/simpanan/transaksi/templat.xlsx").data
    today = date.today()
    data = _fill(template, savings_imports.SHEET_NAME,
                 [[numbers[0], "sukarela", 12000, today, "templat 1"], [numbers[1], "sukarela", 13000, today, None]])
    sysdb.expire_all()
    before = sysdb.scalar(select(func.count(SavingsTransaction.id)))
    r = s.post("/simpanan/transaksi/impor", {"file": (io.BytesIO(data), "setoran.xlsx")},
               form_url="/simpanan/transaksi/impor", content_type="multipart/form-data")
    assert r.status_code == 302, r.get_data(as_text=True)[-2000:]
    sysdb.expire_all()
    assert sysdb.scalar(select(func.count(SavingsTransaction.id))) == before + 2
    by_header = {row[0]: row for row in _help_sheet(template) if row[0] in savings_imports.HEADERS}
    assert set(by_header) == set(savings_imports.HEADERS)
