"""Spreadsheet exports that are safe to open: no cell a user typed is ever read by Excel as a formula."""
import os
import tempfile
from datetime import date, datetime
from decimal import Decimal

import xlsxwriter

# Excel and LibreOffice treat a cell starting with these as a formula (ASVS 5.0 1.2.10, CWE-1236).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\0")


def safe_text(value):
    text = str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def write_xlsx(title, headers, rows, sheet_name="Data"):
    """Write rows to a temporary .xlsx file (constant memory) and return its path; the caller removes it.

    Strings are always written as text cells, never parsed for formulas or URLs; numbers, Decimals and dates keep
    their type so the sheet can be summed and sorted.
    """
    fd, path = tempfile.mkstemp(suffix=".xlsx", prefix="kkmp-")
    os.close(fd)
    wb = xlsxwriter.Workbook(path, {"constant_memory": True, "strings_to_formulas": False,
                                    "strings_to_urls": False, "strings_to_numbers": False})
    ws = wb.add_worksheet(sheet_name[:31])
    bold = wb.add_format({"bold": True, "bg_color": "#EEEEEE", "border": 1})
    title_fmt = wb.add_format({"bold": True, "font_size": 13})
    date_fmt = wb.add_format({"num_format": "dd/mm/yyyy"})
    money_fmt = wb.add_format({"num_format": '"Rp"#,##0'})
    ws.write_string(0, 0, safe_text(title), title_fmt)
    for c, header in enumerate(headers):
        ws.write_string(2, c, str(header), bold)
        ws.set_column(c, c, max(12, min(40, len(str(header)) + 4)))
    r = 3
    for row in rows:
        for c, value in enumerate(row):
            if value is None:
                ws.write_blank(r, c, None)
            elif isinstance(value, bool):
                ws.write_string(r, c, "Ya" if value else "Tidak")
            elif isinstance(value, Decimal):
                ws.write_number(r, c, float(value), money_fmt)
            elif isinstance(value, (int, float)):
                ws.write_number(r, c, value)
            elif isinstance(value, (date, datetime)):
                ws.write_datetime(r, c, value if isinstance(value, datetime) else datetime(value.year, value.month,
                                                                                            value.day), date_fmt)
            else:
                ws.write_string(r, c, safe_text(value))
        r += 1
    ws.freeze_panes(3, 0)
    wb.close()
    return path
