"""Bulk entry of deposits from Excel: the downloadable template and the all-or-nothing import.

Unsafe files (too large, not .xlsx, macros, zip and XML bombs, formulas) are refused before parsing by the members
domain's ``refuse_unsafe`` (reused, not copied). Each row then goes through ``do_deposit`` - the same rules as the
form - inside a savepoint; one bad row rolls the whole import back and the report lists every bad row.
"""
import hashlib
import os
import tempfile
from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import gettext
from sqlalchemy import select

from app.core.dates import latest_today
from app.core.dates import parse_date
from app.core.errors import DomainError, ValidationFailed
from app.core.xlsx_import import MAX_ROWS, ImportRefused, read_sheet_rows, refuse_unsafe

from . import services
from .models import SavingsImport

SHEET_NAME = "Setoran"
# (field, header, example, width)
COLUMNS = [
    ("member_number", "Nomor Anggota", "A-000001", 16),
    ("kind", "Jenis Simpanan (pokok/wajib/sukarela)", "sukarela", 22),
    ("amount", "Jumlah (Rp)", "50000", 16),
    ("tx_date", "Tanggal", None, 14),
    ("note", "Keterangan", "Setoran kolektif RT 03", 30),
]
HEADERS = [c[1] for c in COLUMNS]
KIND_WORDS = {"pokok": "pokok", "simpanan pokok": "pokok", "wajib": "wajib", "simpanan wajib": "wajib",
              "sukarela": "sukarela", "simpanan sukarela": "sukarela"}


@dataclass
class ImportResult:
    ok: bool
    created: int = 0
    errors: list = field(default_factory=list)  # [(row number, column header, message)]


HELP = {
    "member_number": "Nomor anggota seperti tertulis di kartu anggota; anggota harus aktif.",
    "kind": "pokok, wajib atau sukarela. Setoran wajib melunasi tagihan tertua lebih dahulu.",
    "amount": "Rupiah utuh tanpa sen, lebih dari nol.",
    "tx_date": "dd/mm/yyyy; tidak di masa depan dan tidak di periode yang sudah ditutup.",
    "note": "Keterangan (boleh kosong).",
}


def write_template(today=None):
    """The deposits template: the 'Setoran' sheet holds only the headers (and the cell formats); the example
    deposit and the help per column are on the 'Petunjuk' sheet, which the importer never reads."""
    import xlsxwriter

    from app.core.xlsx_import import write_help_sheet

    today = today or latest_today()
    fd, path = tempfile.mkstemp(suffix=".xlsx", prefix="kkmp-setoran-")
    os.close(fd)
    wb = xlsxwriter.Workbook(path, {"strings_to_formulas": False, "strings_to_urls": False,
                                    "strings_to_numbers": False})
    ws = wb.add_worksheet(SHEET_NAME)
    head = wb.add_format({"bold": True, "bg_color": "#C00000", "font_color": "#FFFFFF", "border": 1,
                          "text_wrap": True})
    text = wb.add_format({"num_format": "@"})
    date_fmt = wb.add_format({"num_format": "dd/mm/yyyy"})
    number = wb.add_format({"num_format": "#,##0"})
    for c, (name, header, sample, width) in enumerate(COLUMNS):
        ws.write_string(0, c, header, head)
        ws.set_column(c, c, width, date_fmt if name == "tx_date" else number if name == "amount" else text)
    ws.data_validation(1, 1, MAX_ROWS, 1, {"validate": "list", "source": ["pokok", "wajib", "sukarela"]})
    ws.freeze_panes(1, 0)
    ws.set_row(0, 32)
    steps = [
        f"1. Satu baris per setoran di lembar '{SHEET_NAME}', mulai baris 2 (di bawah judul kolom).",
        "2. Contoh pengisian ada di tabel di bawah ini; lembar Petunjuk ini tidak diimpor.",
        "3. Jangan memakai rumus. Bila ada satu baris salah, seluruh berkas ditolak dan kesalahan ditampilkan "
        "per baris. Berkas yang sama tidak dapat diimpor dua kali.",
    ]
    fields = [(header, HELP[name], today if name == "tx_date" else sample)
              for name, header, sample, _width in COLUMNS]
    write_help_sheet(wb, "Petunjuk", "Petunjuk pengisian setoran simpanan", steps, fields, SHEET_NAME)
    wb.close()
    return path


def _text(value):
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _date(value):
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    day = parse_date(_text(value))
    if day is not None:
        return day
    raise ValidationFailed(gettext("Tanggal harus dd/mm/yyyy, contoh 05/11/2026."), "tx_date")


def read_rows(data):
    return read_sheet_rows(data, SHEET_NAME, COLUMNS, gettext(
        "Judul kolom tidak sesuai templat setoran. Unduh templat dan gunakan kolom-kolomnya tanpa diubah."))


def import_deposits(session, cooperative, filename, data, acting_user, today=None, progress=None):
    """Check the file, then every row through ``do_deposit``; commit all rows or none. Returns ImportResult.

    ``progress(done, total)``: called as rows are checked (a background job's progress bar), never while writing,
    so that a SQLite job's progress connection does not wait on this transaction's write lock."""
    from app.members.models import Member

    services.require_role(acting_user, services.ENTRY_ROLES,
                          gettext("Hanya Sekretaris atau Pengurus yang dapat mengimpor setoran."))
    refuse_unsafe(filename, data)
    sha = hashlib.sha256(data).hexdigest()
    if session.execute(select(SavingsImport.id).where(SavingsImport.cooperative_id == cooperative.id,
                                                      SavingsImport.sha256 == sha)).first():
        raise ImportRefused(gettext("Berkas yang sama persis sudah pernah diimpor ke koperasi ini."))
    rows = read_rows(data)
    if not rows:
        raise ImportRefused(gettext("Berkas tidak berisi baris setoran."))
    headers = {c[0]: c[1] for c in COLUMNS}
    headers.update(member="Nomor Anggota", idempotency_key="Nomor Anggota")
    # Pass 1 checks every row without writing (no savepoints: pysqlite would commit on RELEASE); pass 2 writes
    # them in order through do_deposit, and the first refusal (a rule that depends on earlier rows, such as
    # paying more wajib than is billed) rolls everything back.
    errors, checked = [], []
    coop = cooperative
    for done, (number, values) in enumerate(rows, 1):
        if progress is not None and (done % 100 == 0 or done == len(rows)):
            progress(done, len(rows))
        try:
            member_number = _text(values["member_number"]).upper()
            member = session.execute(select(Member).where(Member.cooperative_id == coop.id,
                                                          Member.member_number == member_number)).scalar()
            if member is None:
                raise ValidationFailed(gettext("Nomor anggota %(n)s tidak ada di koperasi ini.",
                                               n=member_number or "-"), "member_number")
            kind = KIND_WORDS.get(_text(values["kind"]).lower())
            if kind is None:
                raise ValidationFailed(gettext("Jenis simpanan harus pokok, wajib atau sukarela."), "kind")
            if member.status != "aktif" and not (kind == "pokok" and member.status == "disetujui"):
                raise ValidationFailed(gettext("Anggota %(n)s tidak aktif.", n=member_number), "member_number")
            amount = values["amount"]
            amount = services.parse_amount(amount.strip() if isinstance(amount, str) else amount, "amount")
            tx_date = services.check_tx_date(session, coop, _date(values["tx_date"]), today)
            checked.append((number, member, kind, amount, tx_date, _text(values["note"])[:255]))
        except ValidationFailed as e:
            errors.append((number, headers.get(e.field, e.field or ""), str(e)))
    if errors:
        session.rollback()
        return ImportResult(ok=False, errors=errors)
    created = 0
    for number, member, kind, amount, tx_date, note in checked:
        try:
            services.do_deposit(session, member=member, kind=kind, amount=amount, tx_date=tx_date,
                                idempotency_key=f"impor-{sha[:24]}-{number}", note=note or gettext("Impor Excel"),
                                acting_user=acting_user, today=today)
            created += 1
        except DomainError as e:
            session.rollback()
            return ImportResult(ok=False, errors=[(number, headers.get(e.field, e.field or ""), str(e))])
    session.add(SavingsImport(cooperative=cooperative, cooperative_id=cooperative.id, sha256=sha,
                              filename=(filename or "")[:255], row_count=created,
                              username=services.actor_name(acting_user)))
    session.flush()
    return ImportResult(ok=True, created=created)
