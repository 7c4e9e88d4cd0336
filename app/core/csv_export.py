"""CSV exports: RFC 4180, UTF-8 with a byte-order mark (so Excel reads the Indonesian text right), ISO dates and
plain decimal numbers (so any tool reads them the same way), and no cell that a spreadsheet would run as a formula.
"""
import csv
import io
from datetime import date, datetime
from decimal import Decimal

BOM = "\ufeff"
# A spreadsheet opening a CSV runs a cell starting with these as a formula (ASVS 5.0 1.2.10, CWE-1236). A CSV cell
# has no type to say "text", so such a cell gets a leading apostrophe. (Our xlsx files need none: app/core/xlsx.py.)
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\0")


def safe_text(value):
    text = str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def _csv_value(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Ya" if value else "Tidak"
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, (int, float, Decimal)):
        return str(value)
    return safe_text(value)


def csv_chunks(headers, rows, batch=2000):
    """Yield the CSV text in chunks of ``batch`` rows: memory stays flat whatever the number of rows."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    buf.write(BOM)
    writer.writerow([safe_text(h) for h in headers])
    n = 0
    for row in rows:
        writer.writerow([_csv_value(v) for v in row])
        n += 1
        if n % batch == 0:
            yield buf.getvalue().encode("utf-8")
            buf.seek(0)
            buf.truncate()
    yield buf.getvalue().encode("utf-8")
