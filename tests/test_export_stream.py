"""List exports: the xlsx is streamed while the rows are read and holds the list as the CSV does; the CSV says its
type and charset once."""
import csv
import io

from openpyxl import load_workbook

from app.core.xlsx import stream_xlsx
from tests.conftest import Session


def test_csv_export_says_text_csv_and_utf8_once(app):
    """The CSV's Content-Type is exactly ``text/csv; charset=utf-8`` (the charset named once, not twice)."""
    r = Session(app, "sekretaris.kebonjeruk").get("/anggota/export/csv")
    assert r.status_code == 200
    assert r.headers["Content-Type"] == "text/csv; charset=utf-8"


def test_xlsx_export_starts_before_the_rows_are_all_read():
    """The first bytes of the xlsx leave after the first batch of rows, not after the last: a big export starts
    at once (a proxy's timeout cannot cut it, a worker holds no whole file)."""
    read = []

    def rows():
        for i in range(100_000):
            read.append(i)
            yield [f"Nama {i}", i]

    chunks = stream_xlsx("Anggota", ["Nama", "No"], rows(), batch=500)
    first = next(iter(chunks))
    assert first.startswith(b"PK")  # a zip's local header
    assert len(read) < 5_000


def test_streamed_member_xlsx_has_the_lists_cells(app):
    """The member register's xlsx opens in a spreadsheet reader with the title, the Indonesian headers and the
    same cells as the CSV of the same list: the NIK masked, text that looks like a formula kept as text."""
    s = Session(app, "sekretaris.kebonjeruk")
    x = s.get("/anggota/export/xlsx")
    assert x.status_code == 200 and x.is_streamed
    assert x.headers["Content-Disposition"] == "attachment; filename=anggota.xlsx"
    rows = list(load_workbook(io.BytesIO(x.data), read_only=True).active.iter_rows(values_only=True))
    table = list(csv.reader(io.StringIO(s.get("/anggota/export/csv").get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][0] == "Anggota"
    headers = [h for h in rows[2] if h is not None]
    assert headers == table[0] and "NIK" in headers and "Nama" in headers
    data = rows[3:]
    assert len(data) == len(table) - 1 > 5
    nik = headers.index("NIK")
    for cells, line in zip(data, table[1:]):
        assert str(cells[nik]) == line[nik] and line[nik].startswith("\u2022" * 12)  # masked in both
        for value, text in zip(cells, line):
            if isinstance(value, str):
                # the CSV guards a formula-looking cell with an apostrophe; the xlsx keeps it as a text cell
                assert text in (value, "'" + value)
