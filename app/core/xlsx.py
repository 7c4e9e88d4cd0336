"""Spreadsheet exports that are safe to open and fast to write.

No cell a user typed is ever read by Excel as a formula: strings are written as inline text cells (``t="inlineStr"``),
which Excel and LibreOffice show as text and never evaluate, so a name typed as ``=HYPERLINK(...)`` or a phone
``+62812...`` reads back exactly as typed, without the apostrophe CSV needs (app/core/csv_export.py: a CSV cell
has no type, so there the guard is the only defence; ASVS 5.0 1.2.10, CWE-1236).

Why not xlsxwriter here: a list export is a plain table, and xlsxwriter spends ~18 µs of Python per cell
(measured: 5,600 rows/s for the member register's 17 columns), so the 500,000-member register would take 90 s.
This writer streams the sheet XML straight into the zip, a row at a time, in constant memory: the same table in
a fraction of that (see bench/README.md). xlsxwriter stays for the formatted pieces (import templates, financial
statements), where its layout features matter and the sheets are small.
"""
import os
import re
import tempfile
from datetime import date, datetime
from decimal import Decimal

_EPOCH = date(1899, 12, 30).toordinal()  # Excel's day 0 (with the 1900 leap-year bug already folded in)
_XML_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"})
# Characters XML 1.0 cannot carry at all (control characters other than tab, newline, carriage return).
_XML_INVALID = {c: None for c in range(32) if c not in (9, 10, 13)}
_XML_INVALID.update({0xFFFE: None, 0xFFFF: None})

# Style indexes in _STYLES: 0 plain, 1 date, 2 rupiah, 3 header, 4 title.
_DATE, _MONEY, _HEADER, _TITLE = 1, 2, 3, 4


def column_letters(index):
    """``0`` -> ``A``, ``26`` -> ``AA``: the column as the spreadsheet names it."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


# Any character that needs work: most cells have none, and one C-level search is far cheaper than two
# str.translate passes over every string (measured: translate was the largest cost of a 500,000-row export).
_NEEDS_WORK = re.compile('[&<>"\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]').search


def _text(value):
    value = str(value)
    if _NEEDS_WORK(value) is None:
        return value
    return value.translate(_XML_INVALID).translate(_XML_ESCAPES)


def _cell(ref, value):
    """One <c> element; None gives nothing (the reference of the next cell keeps the columns right)."""
    if value is None:
        return ""
    kind = type(value)
    if kind is str:
        return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{_text(value)}</t></is></c>'
    if kind is bool:
        return f'<c r="{ref}" t="inlineStr"><is><t>{"Ya" if value else "Tidak"}</t></is></c>'
    if kind is Decimal:
        return f'<c r="{ref}" s="{_MONEY}"><v>{value}</v></c>'
    if kind is int or kind is float:
        return f'<c r="{ref}"><v>{value!r}</v></c>'
    if kind is date:
        return f'<c r="{ref}" s="{_DATE}"><v>{value.toordinal() - _EPOCH}</v></c>'
    if kind is datetime:
        serial = value.toordinal() - _EPOCH + (value.hour * 3600 + value.minute * 60 + value.second) / 86400
        return f'<c r="{ref}" s="{_DATE}"><v>{serial!r}</v></c>'
    return _cell(ref, str(value))


_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/styles.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    '</Types>')
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'officeDocument" Target="xl/workbook.xml"/></Relationships>')
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" '
    'Target="styles.xml"/></Relationships>')
_STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<numFmts count="2"><numFmt numFmtId="164" formatCode="dd/mm/yyyy"/>'
    '<numFmt numFmtId="165" formatCode="&quot;Rp&quot;#,##0"/></numFmts>'
    '<fonts count="3"><font><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/></font><font><b/><sz val="13"/><name val="Calibri"/></font></fonts>'
    '<fills count="3"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>'
    '<fill><patternFill patternType="solid"><fgColor rgb="FFEEEEEE"/><bgColor indexed="64"/></patternFill></fill>'
    '</fills>'
    '<borders count="2"><border><left/><right/><top/><bottom/><diagonal/></border>'
    '<border><left style="thin"/><right style="thin"/><top style="thin"/><bottom style="thin"/><diagonal/></border>'
    '</borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="5"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="0" fontId="1" fillId="2" borderId="1" xfId="0" applyFont="1" applyFill="1" applyBorder="1"/>'
    '<xf numFmtId="0" fontId="2" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    '</styleSheet>')


def _workbook(sheet_name):
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            f'<sheets><sheet name="{_text(sheet_name)}" sheetId="1" r:id="rId1"/></sheets></workbook>')


def _sheet_name(name):
    # Excel refuses these characters in a sheet name, and more than 31 characters.
    cleaned = "".join(" " if ch in '[]:*?/\\' else ch for ch in str(name)).strip("' ")
    return (cleaned or "Data")[:31]


def _sheet_chunks(title, headers, rows, batch):
    """The worksheet XML as bytes, ``batch`` rows at a time: row 1 the title, row 3 the headers (frozen), data."""
    headers = [str(h) for h in headers]
    letters = [column_letters(i) for i in range(max(len(headers), 1))]
    cols = "".join(f'<col min="{i + 1}" max="{i + 1}" width="{max(12, min(40, len(h) + 4))}" '
                   f'customWidth="1"/>' for i, h in enumerate(headers))
    head = "".join(f'<c r="{letters[i]}3" s="{_HEADER}" t="inlineStr"><is><t>{_text(h)}</t></is></c>'
                   for i, h in enumerate(headers))
    yield ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
           '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
           '<sheetViews><sheetView workbookViewId="0">'
           '<pane ySplit="3" topLeftCell="A4" activePane="bottomLeft" state="frozen"/>'
           '</sheetView></sheetViews>'
           + (f"<cols>{cols}</cols>" if cols else "") +
           '<sheetData>'
           f'<row r="1"><c r="A1" s="{_TITLE}" t="inlineStr"><is><t>{_text(title)}</t></is></c></row>'
           f'<row r="3">{head}</row>').encode("utf-8")
    # The row loop is the export's hot path (every cell of every row): the common types (text, empty, whole
    # numbers, dates, rupiah) are written inline, without a call per cell; anything else goes through _cell.
    starts = [f'<c r="{letter}' for letter in letters]
    text_cell, text_end = '" t="inlineStr"><is><t xml:space="preserve">', "</t></is></c>"
    date_cell, money_cell, number_cell, value_end = f'" s="{_DATE}"><v>', f'" s="{_MONEY}"><v>', '"><v>', "</v></c>"
    needs_work, epoch, ncols = _NEEDS_WORK, _EPOCH, len(starts)
    r, chunk = 3, []
    append = chunk.append
    for row in rows:
        r += 1
        rs = str(r)
        append(f'<row r="{rs}">')
        for c, value in enumerate(row):
            if value is None:
                continue
            kind = type(value)
            start = starts[c] if c < ncols else f'<c r="{column_letters(c)}'
            if kind is str:
                if needs_work(value) is not None:
                    value = value.translate(_XML_INVALID).translate(_XML_ESCAPES)
                append(start + rs + text_cell + value + text_end)
            elif kind is date:
                append(start + rs + date_cell + str(value.toordinal() - epoch) + value_end)
            elif kind is int:
                append(start + rs + number_cell + str(value) + value_end)
            elif kind is Decimal:
                append(start + rs + money_cell + str(value) + value_end)
            else:
                append(_cell(start[6:] + rs, value))
        append("</row>")
        if (r - 3) % batch == 0:
            yield "".join(chunk).encode("utf-8")
            chunk.clear()
    yield ("".join(chunk) + "</sheetData></worksheet>").encode("utf-8")


def stream_xlsx(title, headers, rows, sheet_name="Data", batch=500):
    """The .xlsx file as an iterator of bytes, made while ``rows`` are read: the first bytes leave at once.

    The zip is written by stream-zip (a maintained streaming zip library: local headers with data descriptors,
    so no part's size must be known before it is sent, and zip64 for the sheet, which may pass 4 GB
    uncompressed). Deflate level 1, as before: the sheet's XML compresses well even so, and the higher levels
    cost more CPU than the network saves. Memory stays flat whatever the number of rows.
    """
    import zlib
    from stream_zip import ZIP_32, ZIP_64, stream_zip

    from .dates import utc_now

    moment = utc_now().replace(tzinfo=None)
    mode = 0o100644  # a regular file, readable by all (what an unzip tool restores)

    def small(name, text):
        return name, moment, mode, ZIP_32, (text.encode("utf-8"),)

    parts = (
        small("[Content_Types].xml", _CONTENT_TYPES),
        small("_rels/.rels", _ROOT_RELS),
        small("xl/workbook.xml", _workbook(_sheet_name(sheet_name))),
        small("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS),
        small("xl/styles.xml", _STYLES),
        ("xl/worksheets/sheet1.xml", moment, mode, ZIP_64, _sheet_chunks(title, headers, rows, batch)),
    )
    return stream_zip(parts, chunk_size=65536,
                      get_compressobj=lambda: zlib.compressobj(level=1, wbits=-zlib.MAX_WBITS))


def write_xlsx(title, headers, rows, sheet_name="Data", batch=2000, path=None):
    """Write rows to a temporary .xlsx file (or to ``path``: a job's result) and return its path; the caller
    removes it.

    The same file as ``stream_xlsx`` (for the small sheets sent whole: passbook, arrears, counts). Strings are
    text cells, never formulas; numbers, Decimals (as rupiah) and dates keep their type so the sheet can be summed
    and sorted.
    """
    if path is None:
        fd, path = tempfile.mkstemp(suffix=".xlsx", prefix="kkmp-")
        os.close(fd)
    try:
        with open(path, "wb") as out:
            for chunk in stream_xlsx(title, headers, rows, sheet_name=sheet_name, batch=batch):
                out.write(chunk)
    except BaseException:
        os.remove(path)
        raise
    return path
