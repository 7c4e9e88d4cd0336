"""Excel exports of the accounting reports, formatted for printing (A4 landscape, fit to one page wide, header
rows repeated on every page, rupiah number format), in Bahasa Indonesia.

Text that came from users (cooperative, account and entry descriptions, references) is written with
``write_string`` (and ``strings_to_formulas`` off): a text cell, which Excel never evaluates, so it reads back as
typed. Amounts are written as numbers (rupiah format), dates as dates. The workbook is written in xlsxwriter's
``constant_memory`` mode row by row, so a buku besar of a whole year streams from the database cursor to the file
with flat memory.
"""
import os
import tempfile
from datetime import date, datetime
from decimal import Decimal

import xlsxwriter

from app.core.dates import local_now
from app.core.formatting import tanggal

RUPIAH_FORMAT = '"Rp"#,##0;[Red]-"Rp"#,##0;"-"'


def report_xlsx(report, printed_by="", zone=None):
    """Write ``report`` (a statements.Report) to a temporary .xlsx; return its path (the caller removes it)."""
    fd, path = tempfile.mkstemp(suffix=".xlsx", prefix="kkmp-laporan-")
    os.close(fd)
    wb = xlsxwriter.Workbook(path, {"constant_memory": True, "strings_to_formulas": False,
                                    "strings_to_urls": False, "strings_to_numbers": False})
    ws = wb.add_worksheet(report.title[:31].replace("/", "-").replace("(", "").replace(")", ""))
    f = {
        "title": wb.add_format({"bold": True, "font_size": 14}),
        "sub": wb.add_format({"bold": True, "font_size": 11}),
        "meta": wb.add_format({"italic": True, "font_color": "#555555"}),
        "head": wb.add_format({"bold": True, "bg_color": "#DDDDDD", "border": 1, "text_wrap": True,
                               "valign": "vcenter", "align": "center"}),
        "text": wb.add_format({"border": 1}),
        "money": wb.add_format({"num_format": RUPIAH_FORMAT, "border": 1}),
        "date": wb.add_format({"num_format": "dd/mm/yyyy", "border": 1, "align": "center"}),
        "ok": wb.add_format({"bold": True, "font_color": "#1E7B34"}),
        "bad": wb.add_format({"bold": True, "font_color": "#C00000"}),
    }
    for style in ("section", "subtotal", "total"):
        f[style + "_text"] = wb.add_format({"bold": True, "border": 1,
                                            "bg_color": "#F2F2F2" if style != "section" else "#FFFFFF",
                                            "top": 2 if style == "total" else 1})
        f[style + "_money"] = wb.add_format({"bold": True, "border": 1, "num_format": RUPIAH_FORMAT,
                                             "bg_color": "#F2F2F2" if style != "section" else "#FFFFFF",
                                             "top": 2 if style == "total" else 1})
        f[style + "_date"] = wb.add_format({"bold": True, "border": 1, "num_format": "dd/mm/yyyy",
                                            "bg_color": "#F2F2F2"})

    ws.write_string(0, 0, str(report.cooperative), f["sub"])
    ws.write_string(1, 0, str(report.title), f["title"])
    period = f"Periode: {report.period}" + (f" (pembanding: {report.compare})" if report.compare else "")
    ws.write_string(2, 0, period, f["sub"])
    ws.write_string(3, 0, f"Unit usaha: {report.unit}" if report.unit else "Unit usaha: semua",
                    f["meta"])
    ws.write_string(4, 0, f"Dicetak {tanggal(local_now(zone).replace(tzinfo=None))}" + (f" oleh {printed_by}"
                                                                   if printed_by else ""), f["meta"])
    head_row = 6
    widths = [12] * len(report.headers)
    for c, header in enumerate(report.headers):
        widths[c] = 16 if c in report.money_columns else (12 if c in report.date_columns else 14)
    if len(report.headers) > 1 and 1 not in report.money_columns:
        widths[1] = 42
    if report.key in ("buku-besar", "buku-kas", "buku-bank"):
        widths[2] = 45
    for c, w in enumerate(widths):
        ws.set_column(c, c, w)
    ws.set_row(head_row, 32)
    for c, header in enumerate(report.headers):
        ws.write_string(head_row, c, str(header), f["head"])
    r = head_row + 1
    for row in report.rows:
        prefix = "" if row.style == "line" else row.style + "_"
        if row.style == "note":
            prefix = ""
        for c, value in enumerate(row.cells):
            if value is None or value == "":
                ws.write_blank(r, c, None, f[prefix + ("money" if c in report.money_columns else "text")])
            elif isinstance(value, Decimal):
                # The file format stores numbers as IEEE doubles: the one conversion, at the boundary (exact
                # for rupiah amounts with sen up to ~90 trillion).
                ws.write_number(r, c, float(value), f[prefix + "money"])
            elif isinstance(value, bool):
                ws.write_string(r, c, "Ya" if value else "Tidak", f[prefix + "text"])
            elif isinstance(value, int):
                ws.write_number(r, c, value, f[prefix + "text"])
            elif isinstance(value, (date, datetime)):
                day = value if isinstance(value, datetime) else datetime(value.year, value.month, value.day)
                ws.write_datetime(r, c, day, f[prefix + "date"])
            else:
                ws.write_string(r, c, str(value), f[prefix + "text"])
        r += 1
    r += 1
    for check in report.checks:
        text = f"{check.label}: " + ("Seimbang" if check.ok else f"TIDAK SEIMBANG ({check.detail})")
        ws.write_string(r, 0, str(text), f["ok" if check.ok else "bad"])
        r += 1
    for note in report.notes:
        ws.write_string(r, 0, str(note), f["meta"])
        r += 1

    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.fit_to_pages(1, 0)  # one page wide, as many pages tall as needed
    ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    ws.repeat_rows(head_row)
    ws.set_header(f"&L&8{_header_text(report.cooperative)}&R&8{_header_text(report.title)}")
    ws.set_footer("&C&8Halaman &P dari &N")
    ws.freeze_panes(head_row + 1, 0)
    wb.close()
    return path


def _header_text(value):
    """Text for a print header: '&' starts a control code there, so it is doubled."""
    return str(value).replace("&", "&&")[:80]


def filename(report, coop_code=""):
    base = f"{report.key}-{coop_code}-{report.period}".replace(" ", "-").replace("/", "-").replace(".", "")
    return "".join(ch for ch in base if ch.isalnum() or ch in "-_") + ".xlsx"
