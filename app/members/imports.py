"""Bulk entry of members from Excel: the downloadable template and the all-or-nothing import.

An uploaded file is refused fast, before any parsing, when it is too large, not an .xlsx (extension, magic bytes
``PK\\x03\\x04`` and ``[Content_Types].xml``), macro-enabled (.xlsm, ``vbaProject.bin``, a macroEnabled content
type), a zip bomb (entry count, total uncompressed size, compression ratio from the zip directory), or carries a
DOCTYPE/ENTITY declaration (XML bombs) or formula cells. Only then is it read (``app.core.xlsx_import``, with
python-calamine), every row checked with the same
rules as the form, and written in one transaction, or not at all, with a per-row report in Bahasa Indonesia.
"""
import hashlib
import os
import tempfile
from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import gettext
from sqlalchemy import select

from app.core.dates import parse_date
from app.core.errors import ValidationFailed

from . import services
from .models import Member, MemberImport

# The safe-file checks and the row reader are shared by every import (members, savings, ledger).
from app.core.xlsx_import import (MAX_BYTES, MAX_ENTRIES, MAX_ROWS, ImportRefused,  # noqa: E402,F401
                                  read_sheet_rows, refuse_unsafe)

SHEET_NAME = "Anggota"

# (field, header, example, width)
COLUMNS = [
    ("nik", "NIK", "3173054408900003", 20),
    ("name", "Nama Lengkap", "Siti Rahmawati", 28),
    ("sex", "Jenis Kelamin (L/P)", "P", 10),
    ("birth_date", "Tanggal Lahir", date(1990, 8, 4), 14),
    ("address", "Alamat", "Jl. Kebon Jeruk Raya No. 7", 34),
    ("rt", "RT", "003", 6),
    ("rw", "RW", "002", 6),
    ("domicile_code", "Kode Kelurahan Domisili (KTP)", "31.73.05.1001", 18),
    ("phone", "Telepon", "081234567890", 16),
    ("occupation", "Pekerjaan", "Pedagang", 18),
    ("join_date", "Tanggal Daftar", date(2025, 10, 1), 14),
]
HEADERS = [c[1] for c in COLUMNS]
TEXT_FIELDS = {"nik", "rt", "rw", "phone", "domicile_code"}


@dataclass
class ImportResult:
    ok: bool
    created: int = 0
    errors: list = field(default_factory=list)  # [(row number, column header, message)]


# -- the template -----------------------------------------------------------------------------------------------

HELP = {
    "nik": "16 digit sesuai KTP, diketik sebagai teks (jangan diubah menjadi angka).",
    "name": "Nama lengkap sesuai KTP.",
    "sex": "L (laki-laki) atau P (perempuan).",
    "birth_date": "dd/mm/yyyy; harus sama dengan tanggal lahir yang tertulis di NIK.",
    "address": "Alamat sesuai KTP.",
    "rt": "Nomor RT, contoh 003.",
    "rw": "Nomor RW, contoh 002.",
    "domicile_code": "Kode kelurahan domisili sesuai KTP; harus kelurahan koperasi ini.",
    "phone": "Nomor HP (boleh kosong); dipakai untuk pengingat WhatsApp.",
    "occupation": "Pekerjaan (boleh kosong).",
    "join_date": "Tanggal permohonan menjadi anggota, dd/mm/yyyy; tidak boleh di masa depan.",
}


def write_template(example_domicile="31.73.05.1001"):
    """The members template (xlsxwriter): the 'Anggota' sheet holds only the Indonesian headers (text cells for
    NIK/RT/RW/phone so Excel keeps leading zeros and all 16 digits, date cells, a drop-down for L/P); the example
    member and the help per column are on the 'Petunjuk' sheet, which the importer never reads."""
    import xlsxwriter

    from app.core.xlsx_import import write_help_sheet

    fd, path = tempfile.mkstemp(suffix=".xlsx", prefix="kkmp-template-")
    os.close(fd)
    wb = xlsxwriter.Workbook(path, {"strings_to_formulas": False, "strings_to_urls": False,
                                    "strings_to_numbers": False})
    ws = wb.add_worksheet(SHEET_NAME)
    head = wb.add_format({"bold": True, "bg_color": "#C00000", "font_color": "#FFFFFF", "border": 1,
                          "text_wrap": True, "valign": "top"})
    text = wb.add_format({"num_format": "@"})
    date_fmt = wb.add_format({"num_format": "dd/mm/yyyy"})
    for c, (name, header, sample, width) in enumerate(COLUMNS):
        ws.write_string(0, c, header, head)
        ws.set_column(c, c, width, date_fmt if isinstance(sample, date) else text)
    ws.data_validation(1, 2, MAX_ROWS, 2, {"validate": "list", "source": ["L", "P"]})
    ws.freeze_panes(1, 0)
    ws.set_row(0, 32)
    steps = [
        f"1. Isi satu baris per anggota di lembar '{SHEET_NAME}', mulai baris 2 (di bawah judul kolom).",
        "2. Contoh pengisian ada di tabel di bawah ini; lembar Petunjuk ini tidak diimpor.",
        "3. Jangan memakai rumus. Seluruh berkas ditolak bila ada satu baris yang salah; daftar kesalahan "
        "ditampilkan per baris.",
        f"4. Paling banyak {MAX_ROWS} baris dan {MAX_BYTES // (1024 * 1024)} MB per berkas.",
    ]
    fields = [(header, HELP[name], example_domicile if name == "domicile_code" else sample)
              for name, header, sample, _width in COLUMNS]
    write_help_sheet(wb, "Petunjuk", "Petunjuk pengisian daftar anggota", steps, fields, SHEET_NAME)
    wb.close()
    return path


# -- reading and importing --------------------------------------------------------------------------------------

def _cell_text(value):
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _cell_date(value, header):
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    day = parse_date(str(value))
    if day is not None:
        return day
    raise ValidationFailed(gettext("%(col)s harus tanggal dd/mm/yyyy, contoh 04/08/1990.", col=header))


def read_rows(data):
    return read_sheet_rows(data, SHEET_NAME, COLUMNS, gettext(
        "Judul kolom tidak sesuai templat. Unduh templat anggota dan gunakan kolom-kolomnya tanpa diubah."))


def import_members(session, cooperative, filename, data, acting_user, today=None, progress=None):
    """Validate every row, then write all of them in one transaction, or nothing. Returns ImportResult.

    ``progress(done, total)``: called as rows are checked (a background job's progress bar); never while writing,
    so that a SQLite job's progress connection does not wait on this transaction's write lock."""
    services.require_role(acting_user, services.ENTRY_ROLES,
                          gettext("Hanya Sekretaris atau Pengurus koperasi yang dapat mengimpor anggota."))
    refuse_unsafe(filename, data)
    sha = hashlib.sha256(data).hexdigest()
    if session.execute(select(MemberImport.id).where(MemberImport.cooperative_id == cooperative.id,
                                                     MemberImport.sha256 == sha)).first():
        raise ImportRefused(gettext("Berkas yang sama persis sudah pernah diimpor ke koperasi ini."))
    rows = read_rows(data)
    if not rows:
        raise ImportRefused(gettext("Berkas tidak berisi baris anggota."))
    headers = {c[0]: c[1] for c in COLUMNS}
    errors, members, seen = [], [], {}
    with session.no_autoflush:
        for checked, (number, values) in enumerate(rows):
            if progress is not None:
                progress(checked, len(rows))
            member = Member(cooperative=cooperative)
            try:
                for name in ("nik", "name", "sex", "address", "rt", "rw", "domicile_code", "phone", "occupation"):
                    setattr(member, name, _cell_text(values[name]))
                member.sex = member.sex.upper()
                for name in ("birth_date", "join_date"):
                    try:
                        setattr(member, name, _cell_date(values[name], headers[name]))
                    except ValidationFailed as e:
                        e.field = name
                        raise
                services.check_member(member, session, today=today)
                services.check_nik_free(member, session)
                if member.nik_hmac in seen:
                    raise ValidationFailed(gettext("NIK ini sudah ada di baris %(row)d berkas ini.",
                                                   row=seen[member.nik_hmac]), "nik")
                seen[member.nik_hmac] = number
                members.append(member)
            except ValidationFailed as e:
                errors.append((number, str(headers.get(e.field, services.FIELD_LABELS.get(e.field, e.field or ""))),
                               str(e)))
            finally:
                if member in session:
                    session.expunge(member)
    if errors:
        session.rollback()
        return ImportResult(ok=False, errors=errors)
    for member in members:
        services.register_member(session, member, acting_user, today=today)
    session.add(MemberImport(cooperative=cooperative, sha256=sha, filename=(filename or "")[:255],
                             row_count=len(members), username=services._who(acting_user)[1]))
    services.commit_or_refuse(session)
    return ImportResult(ok=True, created=len(members))
