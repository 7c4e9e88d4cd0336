"""Importing books kept in Excel: opening balances (saldo awal) and the cash book (buku kas), all or nothing.

Both imports follow the same steps, and write nothing unless every step passes:

1. the file is refused fast, before any parsing, by ``app.core.xlsx_import.refuse_unsafe`` (reused as is): over
   2 MB, not an .xlsx (extension, ``PK\\x03\\x04``, ``[Content_Types].xml``), macro-enabled (.xlsm, vbaProject.bin),
   a zip bomb (entry count, total uncompressed size, compression ratio), DOCTYPE/ENTITY declarations (XML bombs,
   refused before any reader sees the file) or formula cells;
2. the same file (SHA-256) already imported into this cooperative is refused (``LedgerImport``);
3. every row of every sheet with the expected headers is read (python-calamine, opened by
   ``app.core.xlsx_import.open_workbook``; at most ``MAX_ROWS`` rows) and checked: dates from real Excel dates or
   ``dd/mm/yyyy`` text, not in the future, not in a closed month; Indonesian amounts (``1.500.000``); accounts that
   exist, are active posting accounts of this cooperative; exactly one of debet/kredit; a per-row report in Bahasa
   Indonesia collects every problem;
4. only when no row failed: one ``LedgerImport`` row and the journal entries, through ``services.post_entry``,
   in the caller's transaction (the caller commits, or rolls back on an exception). Audit rows come with the flush.

Opening balances: one balanced ``pembuka`` entry (source ``saldo_awal``) on the date the user gives, refused when
the cooperative already has an opening entry or any posting on or before that date.

Cash book: one entry per row, Dr kas / Cr counter account for a debet (money in) row, Dr counter / Cr kas for a
kredit (money out) row. The ``saldo`` column, when present, is checked as a running balance per sheet (anchored by
its first value); ``keterangan`` becomes the line memo. Rows whose uraian starts with "saldo" (saldo awal, saldo
bulan lalu) and that name no counter account are balance carry-overs: they anchor the running balance and are not
imported (the opening balance comes from the saldo awal import).
"""
import hashlib
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from flask_babel import gettext
from sqlalchemy import func, select

from app.core.dates import parse_date
from app.core.errors import DomainError, ValidationFailed
from app.core.formatting import tanggal
from app.core.scope import unscoped
# The members import already has the safe-file gate; reuse it rather than copy it.
from app.core.money import parse_rupiah
from app.core.xlsx_import import MAX_BYTES, ImportRefused, refuse_unsafe

from . import services
from .guards import period_is_closed
from .import_models import LedgerImport
from .models import ZERO, Account, JournalEntry

__all__ = ["ImportRefused", "ImportResult", "import_opening_balances", "import_cash_book", "write_opening_template",
           "write_cash_book_template", "MAX_BYTES", "MAX_ROWS"]

MAX_ROWS = 3000
_COLUMN_LABELS = {"debit": "Debet", "credit": "Kredit"}
HEADER_SEARCH_ROWS = 10
MAX_COLS = 30  # columns read per row: a forged sheet dimension (A1:XFD1048576) must not make rows 16 384 wide
MAX_ROW_INDEX = 20000  # last spreadsheet row read; data below it refuses the file (never a silent partial import)
SOURCE_OPENING = "saldo_awal"
SOURCE_CASH_BOOK = "buku_kas"

# field -> accepted header spellings (normalised: lower case, no dots, single spaces)
OPENING_HEADERS = {
    "code": ("kode akun", "kode", "no akun", "nomor akun"),
    "name": ("nama akun", "nama"),
    "debit": ("debet", "debit"),
    "credit": ("kredit", "credit"),
}
OPENING_REQUIRED = ("code", "debit", "credit")
CASH_HEADERS = {
    "date": ("tanggal", "tgl", "tanggal transaksi"),
    "text": ("uraian", "uraian transaksi"),
    "proof": ("bukti", "no bukti", "nomor bukti", "bukti transaksi"),
    "counter": ("kode akun lawan", "akun lawan", "kode lawan"),
    "debit": ("debet", "debit"),
    "credit": ("kredit", "credit"),
    "balance": ("saldo",),
    "note": ("keterangan", "ket"),
}
CASH_REQUIRED = ("date", "text", "debit", "credit")
LABELS = {"code": "Kode akun", "name": "Nama akun", "debit": "Debet", "credit": "Kredit", "date": "Tanggal",
          "text": "Uraian", "proof": "Bukti", "counter": "Kode akun lawan", "balance": "Saldo",
          "note": "Keterangan", "": ""}


@dataclass
class ImportResult:
    ok: bool
    kind: str = ""
    errors: list = field(default_factory=list)  # [(sheet, row number, column label, message)]
    record: LedgerImport = None
    entries: list = field(default_factory=list)  # JournalEntry objects created
    rows: int = 0
    skipped: int = 0


class _RowError(Exception):
    def __init__(self, column, message):
        super().__init__(message)
        self.column = column
        self.message = message


# -- reading ---------------------------------------------------------------------------------------------------

def _norm(value):
    return re.sub(r"\s+", " ", str(value or "").replace(".", " ").replace(":", " ")).strip().lower()


def _match_header(values, spec, required):
    """{field: column index} when this row carries every required header, else None."""
    wanted = {alias: name for name, aliases in spec.items() for alias in aliases}
    found = {}
    for i, value in enumerate(values):
        name = wanted.get(_norm(value))
        if name is not None and name not in found:
            found[name] = i
    return found if all(r in found for r in required) else None


def read_sheets(data, spec, required):
    """Rows of every sheet that has the expected header row (within its first rows), as
    ``(sheet title, row number, {field: value})``; sheets without it (instructions, lists) are skipped."""
    from app.core.xlsx_import import cell_value, open_workbook, refuse_long_numbers

    wb = open_workbook(data)
    out, seen_header = [], False
    for title in wb.sheet_names:
        columns = None
        try:
            rows = wb.get_sheet_by_name(title).to_python(skip_empty_area=False, nrows=MAX_ROW_INDEX + 1)
        except Exception:  # noqa: BLE001 - a chart sheet or a damaged one: not a sheet of rows
            continue
        for number, values in enumerate(rows, start=1):
            values = [cell_value(v) for v in values[:MAX_COLS]]
            if columns is None:
                if number > HEADER_SEARCH_ROWS:
                    break
                columns = _match_header(values, spec, required)
                continue
            if all(v is None or str(v).strip() == "" for v in values):
                continue
            refuse_long_numbers(values, number)
            if len(out) >= MAX_ROWS or number > MAX_ROW_INDEX:
                raise ImportRefused(gettext("Paling banyak %(n)d baris per berkas.", n=MAX_ROWS))
            out.append((title, number, {name: (values[i] if i < len(values) else None)
                                        for name, i in columns.items()}))
        seen_header = seen_header or columns is not None
    if not seen_header:
        raise ImportRefused(gettext("Judul kolom tidak ditemukan. Gunakan templat dan jangan ubah judul kolomnya "
                                    "(%(cols)s).", cols=", ".join(spec[r][0] for r in required)))
    return out


# -- cell values -----------------------------------------------------------------------------------------------

def _text(value, column, limit=None, required_msg=None):
    if value is None:
        text = ""
    elif isinstance(value, float) and value.is_integer():
        text = str(int(value))
    elif isinstance(value, (datetime, date)):
        text = value.strftime("%d/%m/%Y")
    else:
        text = str(value)
    text = text.replace("\x00", "").strip()
    if not text and required_msg:
        raise _RowError(column, required_msg)
    if limit and len(text) > limit:
        raise _RowError(column, gettext("Terlalu panjang (paling banyak %(n)d karakter).", n=limit))
    return text


def _day(value, column="date"):
    if value is None or (isinstance(value, str) and not value.strip()):
        raise _RowError(column, gettext("Tanggal belum diisi."))
    if isinstance(value, datetime):
        day = value.date()
    elif isinstance(value, date):
        day = value
    elif isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        raise _RowError(column, gettext("Tanggal harus berupa tanggal Excel atau teks dd/mm/yyyy, bukan angka "
                                        "(%(v)s).", v=value))
    else:
        text = str(value).strip()
        day = parse_date(text)
        if day is None:
            raise _RowError(column, gettext("Tanggal %(v)s tidak dapat dibaca; tulis dd/mm/yyyy, contoh 05/01/2026.",
                                            v=text[:40]))
    if day.year < 2000:
        raise _RowError(column, gettext("Tanggal %(d)s tidak wajar.", d=tanggal(day)))
    return day


def _amount(value, column):
    """A non-negative Decimal with at most two decimals, from a number cell or Indonesian text (1.500.000), read
    by the one rupiah parser (``app.core.money``); a blank cell or ``-`` is zero."""
    if isinstance(value, (datetime, date)):
        raise _RowError(column, gettext("Jumlah harus berupa angka, bukan tanggal."))
    if isinstance(value, str) and value.strip() == "-":
        return ZERO
    if isinstance(value, str) and value.strip().startswith("("):
        raise _RowError(column, gettext("Jumlah tidak boleh negatif; isi di kolom debet atau kredit."))
    try:
        return parse_rupiah(value, column, _COLUMN_LABELS.get(column, column), cents=True, allow_zero=True)
    except ValidationFailed as e:
        raise _RowError(column, str(e)) from None


def _code(value, column):
    code = _text(value, column)
    if not code:
        return ""
    if not re.fullmatch(r"[0-9]{6}", code):
        raise _RowError(column, gettext("Kode akun %(c)s tidak dikenal; kode akun terdiri dari 6 angka.", c=code[:20]))
    return code


# -- shared checks ---------------------------------------------------------------------------------------------

def _accounts(session, cooperative_id):
    return {a.code: a for a in session.execute(select(Account).where(Account.cooperative_id == cooperative_id))
            .scalars()}


def _posting_account(accounts, code, column):
    account = accounts.get(code)
    if account is None:
        raise _RowError(column, gettext("Akun %(c)s tidak ada di bagan akun koperasi ini.", c=code))
    if account.is_header:
        raise _RowError(column, gettext("Akun %(c)s %(n)s adalah akun induk; pakai salah satu sub-akunnya.",
                                        c=code, n=account.name))
    if not account.is_active:
        raise _RowError(column, gettext("Akun %(c)s %(n)s tidak aktif.", c=code, n=account.name))
    return account


def _check_day(session, coop, day, today, closed_cache, column="date"):
    if day > today:
        raise _RowError(column, gettext("Tanggal %(d)s ada di masa depan.", d=tanggal(day)))
    key = (day.year, day.month)
    if key not in closed_cache:
        closed_cache[key] = period_is_closed(session, coop.id, day)
    if closed_cache[key]:
        raise _RowError(column, gettext("Periode %(p)s sudah ditutup; tidak ada yang dapat dicatat di dalamnya.",
                                        p=f"{day.month:02d}/{day.year}"))


def _gate(session, coop, filename, data):
    """Safe-file checks, then the idempotency check. Returns the file's SHA-256."""
    refuse_unsafe(filename, data)
    sha = hashlib.sha256(data).hexdigest()
    if session.execute(select(LedgerImport.id).where(LedgerImport.cooperative_id == coop.id,
                                                     LedgerImport.sha256 == sha),
                       execution_options=unscoped()).first():
        raise ImportRefused(gettext("Berkas yang sama persis sudah pernah diimpor ke koperasi ini."))
    return sha


def _record(session, coop, kind, sha, filename, rows, entries, first, last, acting_user):
    record = LedgerImport(cooperative_id=coop.id, kind=kind, sha256=sha, filename=(filename or "")[:255],
                          row_count=rows, entry_count=entries, first_date=first, last_date=last,
                          username=services._actor_name(acting_user)[1])
    session.add(record)
    session.flush()
    return record


def parse_user_date(text):
    day = parse_date(text)
    if day is not None:
        return day
    raise ImportRefused(gettext("Tulis tanggal saldo awal sebagai dd/mm/yyyy."))


def opening_entry(session, cooperative_id):
    return session.execute(select(JournalEntry).where(JournalEntry.cooperative_id == cooperative_id,
                                                      JournalEntry.source_type == SOURCE_OPENING)
                           .order_by(JournalEntry.id)).scalars().first()


# -- opening balances ------------------------------------------------------------------------------------------

def _report(progress, done, total):
    # A background job's progress bar: rows checked so far (never called while writing, see import_deposits).
    if progress is not None and (done % 100 == 0 or done == total):
        progress(done, total)


def import_opening_balances(session, cooperative, filename, data, opening_date, acting_user=None, _now=None,
                            progress=None):
    """One balanced opening entry (saldo awal) from the template. Never commits; on an exception roll back.
    ``progress(done, total)``: called as rows are checked."""
    coop = services._cooperative(session, cooperative)
    if not isinstance(opening_date, date):
        opening_date = parse_user_date(opening_date)
    sha = _gate(session, coop, filename, data)
    today = services.local_today(coop, _now)
    closed = {}
    try:
        _check_day(session, coop, opening_date, today, closed)
    except _RowError as e:
        raise ImportRefused(gettext("Tanggal saldo awal: %(m)s", m=e.message)) from None
    existing = opening_entry(session, coop.id)
    if existing is not None:
        raise ImportRefused(gettext("Koperasi ini sudah mempunyai saldo awal (jurnal %(n)s tanggal %(d)s). Koreksi "
                                    "dengan jurnal pembalik.", n=existing.number,
                                    d=tanggal(existing.entry_date)))
    first = session.execute(select(func.min(JournalEntry.entry_date)).where(
        JournalEntry.cooperative_id == coop.id), execution_options=unscoped()).scalar()
    if first is not None and first <= opening_date:
        raise ImportRefused(gettext("Sudah ada jurnal tanggal %(d)s. Saldo awal harus bertanggal sebelum jurnal "
                                    "pertama koperasi (hari sebelum bulan pertama yang dicatat di sistem ini).",
                                    d=tanggal(first)))
    rows = read_sheets(data, OPENING_HEADERS, OPENING_REQUIRED)
    accounts = _accounts(session, coop.id)
    errors, lines, seen, skipped = [], [], {}, 0
    for done, (sheet, number, values) in enumerate(rows, 1):
        _report(progress, done, len(rows))
        try:
            debit = _amount(values.get("debit"), "debit")
            credit = _amount(values.get("credit"), "credit")
            code = _code(values.get("code"), "code")
            if debit == 0 and credit == 0:
                skipped += 1  # the template lists every account; most stay empty
                continue
            if not code:
                raise _RowError("code", gettext("Kode akun belum diisi."))
            if debit > 0 and credit > 0:
                raise _RowError("debit", gettext("Isi debet atau kredit saja, tidak keduanya."))
            _posting_account(accounts, code, "code")  # refuses a header, an inactive or an unknown account
            if code in seen:
                raise _RowError("code", gettext("Akun %(c)s sudah ada di baris %(r)d.", c=code, r=seen[code]))
            seen[code] = number
            lines.append((code, debit, credit, "Saldo awal"))
        except _RowError as e:
            errors.append((sheet, number, LABELS[e.column], e.message))
    if not errors:
        total_debit = sum((l[1] for l in lines), ZERO)
        total_credit = sum((l[2] for l in lines), ZERO)
        if len(lines) < 2:
            errors.append(("", "", "", gettext("Isi saldo paling sedikit dua akun (debet dan kredit).")))
        elif total_debit != total_credit:
            errors.append(("", "", "", gettext(
                "Saldo awal tidak seimbang: jumlah debet %(d)s, jumlah kredit %(k)s, selisih %(s)s.",
                d=services._rp(total_debit), k=services._rp(total_credit),
                s=services._rp(abs(total_debit - total_credit)))))
    if errors:
        return ImportResult(ok=False, kind=SOURCE_OPENING, errors=errors, rows=len(rows), skipped=skipped)
    record = _record(session, coop, SOURCE_OPENING, sha, filename, len(lines), 1, opening_date, opening_date,
                     acting_user)
    try:
        entry = services.post_entry(session, cooperative_id=coop.id, entry_date=opening_date,
                                    description="Saldo awal", lines=lines, reference=f"IMPOR-{record.id}",
                                    source_type=SOURCE_OPENING, source_id=record.id, acting_user=acting_user,
                                    _entry_type="pembuka", _now=_now)
    except DomainError as e:
        raise ImportRefused(gettext("Saldo awal ditolak: %(m)s", m=str(e))) from None
    return ImportResult(ok=True, kind=SOURCE_OPENING, record=record, entries=[entry], rows=len(lines),
                        skipped=skipped)


# -- cash book -------------------------------------------------------------------------------------------------

_CARRY = re.compile(r"^\s*saldo\b", re.IGNORECASE)


def cash_account(session, cooperative_id, code=None):
    code = (code or "").strip() or services.account_code(session, cooperative_id, "kas")
    account = session.execute(select(Account).where(Account.cooperative_id == cooperative_id,
                                                    Account.code == code)).scalar()
    if account is None or account.is_header or not account.is_active or account.kind != "aset":
        raise ImportRefused(gettext("Akun kas %(c)s bukan akun aset yang aktif di koperasi ini.", c=code[:20]))
    return account


def import_cash_book(session, cooperative, filename, data, cash_code=None, acting_user=None, _now=None,
                     progress=None):
    """One entry per cash-book row (Dr kas / Cr lawan for debet, Dr lawan / Cr kas for kredit). Never commits.
    ``progress(done, total)``: called as rows are checked."""
    coop = services._cooperative(session, cooperative)
    cash = cash_account(session, coop.id, cash_code)
    sha = _gate(session, coop, filename, data)
    rows = read_sheets(data, CASH_HEADERS, CASH_REQUIRED)
    accounts = _accounts(session, coop.id)
    today = services.local_today(coop, _now)
    opening = opening_entry(session, coop.id)
    closed, errors, good, skipped = {}, [], [], 0
    running, sheet_now = None, None
    for index, (sheet, number, values) in enumerate(rows):
        _report(progress, index + 1, len(rows))
        if sheet != sheet_now:
            running, sheet_now = None, sheet
        row_errors = []

        def attempt(fn, *args):
            try:
                return fn(*args)
            except _RowError as e:
                row_errors.append((sheet, number, LABELS[e.column], e.message))
                return None

        text = attempt(_text, values.get("text"), "text", 255, gettext("Uraian belum diisi."))
        debit = attempt(_amount, values.get("debit"), "debit")
        credit = attempt(_amount, values.get("credit"), "credit")
        balance = attempt(_amount, values.get("balance"), "balance") if _filled(values.get("balance")) else None
        counter_code = attempt(_code, values.get("counter"), "counter")
        if text and _CARRY.match(text) and not counter_code and not row_errors:
            # saldo awal / saldo bulan lalu: anchors the running balance, is not a transaction
            skipped += 1
            running = balance if balance is not None else (debit or ZERO) - (credit or ZERO)
            continue
        day = attempt(_day, values.get("date"))
        if day is not None:
            attempt(_check_day, session, coop, day, today, closed)
            if opening is not None and day <= opening.entry_date:
                row_errors.append((sheet, number, LABELS["date"], gettext(
                    "Tanggal %(d)s tidak sesudah tanggal saldo awal (%(o)s).", d=tanggal(day),
                    o=tanggal(opening.entry_date))))
        proof = attempt(_text, values.get("proof"), "proof", 60)
        note = attempt(_text, values.get("note"), "note", 255)
        if debit is not None and credit is not None:
            if (debit > 0) == (credit > 0):
                row_errors.append((sheet, number, LABELS["debit"], gettext(
                    "Isi tepat satu dari debet atau kredit dengan jumlah lebih dari nol.")))
            elif balance is not None:
                expected = (balance - debit + credit) if running is None else running
                expected += debit - credit
                if expected != balance:
                    row_errors.append((sheet, number, LABELS["balance"], gettext(
                        "Saldo tertulis %(s)s, seharusnya %(e)s (saldo sebelumnya + debet - kredit).",
                        s=services._rp(balance), e=services._rp(expected))))
                running = balance
            elif running is not None:
                running += debit - credit
            if (debit > 0) == (credit > 0) and balance is not None:
                running = balance
        else:
            running = balance
        counter = None
        if counter_code == "":
            row_errors.append((sheet, number, LABELS["counter"], gettext(
                "Kode akun lawan belum diisi: tulis akun pasangan kas untuk transaksi ini (lihat lembar Daftar Akun).")))
        elif counter_code:
            counter = attempt(_posting_account, accounts, counter_code, "counter")
            if counter is not None and counter.id == cash.id:
                row_errors.append((sheet, number, LABELS["counter"],
                                   gettext("Akun lawan tidak boleh sama dengan akun kas.")))
        if row_errors:
            errors.extend(row_errors)
        else:
            good.append((day, index, number, text, proof, note, debit, credit, counter))
    if not rows or (not good and not errors):
        raise ImportRefused(gettext("Berkas tidak berisi baris transaksi kas."))
    if errors:
        return ImportResult(ok=False, kind=SOURCE_CASH_BOOK, errors=errors, rows=len(rows), skipped=skipped)
    good.sort(key=lambda r: (r[0], r[1]))
    record = _record(session, coop, SOURCE_CASH_BOOK, sha, filename, len(good), len(good), good[0][0],
                     good[-1][0], acting_user)
    entries = []
    for day, _index, number, text, proof, note, debit, credit, counter in good:
        amount = debit if debit > 0 else credit
        memo = note or None
        lines = ([(cash.code, amount, ZERO, memo), (counter.code, ZERO, amount, memo)] if debit > 0
                 else [(counter.code, amount, ZERO, memo), (cash.code, ZERO, amount, memo)])
        try:
            entries.append(services.post_entry(session, cooperative_id=coop.id, entry_date=day, description=text,
                                               lines=lines, reference=proof or None, source_type=SOURCE_CASH_BOOK,
                                               source_id=record.id, acting_user=acting_user, _now=_now))
        except DomainError as e:
            raise ImportRefused(gettext("Baris %(r)d ditolak: %(m)s. Tidak ada yang disimpan.", r=number,
                                        m=str(e))) from None
    return ImportResult(ok=True, kind=SOURCE_CASH_BOOK, record=record, entries=entries, rows=len(good),
                        skipped=skipped)


def _filled(value):
    return value is not None and str(value).strip() not in ("", "-")


def import_entries(session, record):
    return session.execute(select(JournalEntry).where(JournalEntry.cooperative_id == record.cooperative_id,
                                                      JournalEntry.source_type == record.kind,
                                                      JournalEntry.source_id == str(record.id))
                           .order_by(JournalEntry.entry_date, JournalEntry.id)).scalars().all()


# -- templates -------------------------------------------------------------------------------------------------

def _workbook():
    import xlsxwriter

    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
                                   "strings_to_numbers": False})
    fmt = {
        "head": wb.add_format({"bold": True, "bg_color": "#C00000", "font_color": "#FFFFFF", "border": 1}),
        "title": wb.add_format({"bold": True, "font_size": 13}),
        "note": wb.add_format({"italic": True, "font_color": "#555555", "text_wrap": True}),
        "text": wb.add_format({"num_format": "@"}),
        "money": wb.add_format({"num_format": "#,##0"}),
        "date": wb.add_format({"num_format": "dd/mm/yyyy"}),
    }
    return buf, wb, fmt


def _posting_accounts(session, cooperative_id):
    return session.execute(select(Account).where(Account.cooperative_id == cooperative_id,
                                                 Account.is_active.is_(True), Account.is_header.is_(False))
                           .order_by(Account.code)).scalars().all()


def write_opening_template(session, cooperative):
    """The saldo awal template: title, an example note, headers kode akun / nama akun / debet / kredit and one row
    per active posting account of the cooperative. Returns the xlsx bytes."""
    coop = services._cooperative(session, cooperative)
    buf, wb, fmt = _workbook()
    ws = wb.add_worksheet("Saldo Awal")
    ws.write_string(0, 0, f"Saldo awal - {coop.name}", fmt["title"])
    ws.merge_range(1, 0, 1, 3, "Isi saldo setiap akun pada tanggal saldo awal (hari sebelum bulan pertama yang "
                   "dicatat di sistem ini), di kolom debet ATAU kredit. Contoh: Kas 2.500.000 di debet, Simpanan "
                   "pokok 2.500.000 di kredit. Biarkan kosong akun yang tidak bersaldo. Jumlah debet harus sama "
                   "dengan jumlah kredit. Jangan memakai rumus.", fmt["note"])
    ws.set_row(1, 48)
    for c, header in enumerate(("kode akun", "nama akun", "debet", "kredit")):
        ws.write_string(3, c, header, fmt["head"])
    ws.set_column(0, 0, 12, fmt["text"])
    ws.set_column(1, 1, 46)
    ws.set_column(2, 3, 18, fmt["money"])
    for r, account in enumerate(_posting_accounts(session, coop.id), start=4):
        ws.write_string(r, 0, account.code, fmt["text"])
        ws.write_string(r, 1, str(account.name))
    ws.freeze_panes(4, 0)
    wb.close()
    return buf.getvalue()


def write_cash_book_template(session, cooperative):
    """The buku kas template: the columns boards already keep (tanggal, uraian, bukti, debet, kredit, saldo,
    keterangan) plus kode akun lawan, one sheet per month is allowed; a Daftar Akun sheet and instructions."""
    coop = services._cooperative(session, cooperative)
    buf, wb, fmt = _workbook()
    headers = [("tanggal", 12, fmt["date"]), ("uraian transaksi", 40, None), ("bukti", 12, fmt["text"]),
               ("kode akun lawan", 16, fmt["text"]), ("debet", 16, fmt["money"]), ("kredit", 16, fmt["money"]),
               ("saldo", 16, fmt["money"]), ("keterangan", 30, None)]
    ws = wb.add_worksheet("Buku Kas")
    ws.write_string(0, 0, f"Buku kas - {coop.name}", fmt["title"])
    ws.write_string(1, 0, "Satu baris per transaksi. Debet = uang masuk, kredit = uang keluar. Lihat lembar "
                    "Petunjuk dan Daftar Akun.", fmt["note"])
    for c, (header, width, f) in enumerate(headers):
        ws.write_string(3, c, header, fmt["head"])
        ws.set_column(c, c, width, f)
    ws.freeze_panes(4, 0)
    info = wb.add_worksheet("Petunjuk")
    lines = [
        "Petunjuk pengisian buku kas",
        "1. Satu baris per transaksi, mulai di bawah judul kolom. Boleh satu lembar per bulan (Januari, Februari, "
        "...) dengan judul kolom yang sama.",
        "2. tanggal: tanggal Excel atau teks dd/mm/yyyy; tidak boleh di masa depan atau di bulan yang sudah ditutup.",
        "3. debet = uang masuk ke kas, kredit = uang keluar; isi salah satu saja, contoh 1.500.000.",
        "4. kode akun lawan: akun pasangan kas (lihat lembar Daftar Akun). Contoh: setoran simpanan pokok "
        "1.500.000 -> debet 1.500.000, kode akun lawan 311000; bayar listrik 450.000 -> kredit 450.000, "
        "kode akun lawan 522000.",
        "5. saldo boleh diisi: bila diisi, diperiksa sebagai saldo berjalan. Baris 'Saldo awal' / 'Saldo bulan "
        "lalu' tanpa akun lawan hanya menjadi patokan saldo dan tidak dicatat (saldo awal diimpor tersendiri).",
        "6. Jangan memakai rumus. Seluruh berkas ditolak bila ada satu baris yang salah; daftar kesalahan "
        "ditampilkan per baris. Berkas yang sama tidak dapat diimpor dua kali.",
        f"7. Paling banyak {MAX_ROWS} baris dan {MAX_BYTES // (1024 * 1024)} MB per berkas.",
    ]
    for r, line in enumerate(lines):
        info.write_string(r, 0, line)
    info.set_column(0, 0, 120)
    accounts = wb.add_worksheet("Daftar Akun")
    accounts.write_string(0, 0, "kode", fmt["head"])
    accounts.write_string(0, 1, "nama akun", fmt["head"])
    accounts.set_column(0, 0, 10)
    accounts.set_column(1, 1, 46)
    for r, account in enumerate(_posting_accounts(session, coop.id), start=1):
        accounts.write_string(r, 0, account.code)
        accounts.write_string(r, 1, str(account.name))
    wb.close()
    return buf.getvalue()


# -- demo ------------------------------------------------------------------------------------------------------

DEMO_COOPERATIVES = ["31.73.05.1001", "31.73.05.1002", "35.73.03.1010"]


def seed_demo(session, coops_by_code):
    """A small cash book imported into a few demo cooperatives (so the import history has rows in and out of each
    demo user's area): one row dated the first of the current month. Call from ``app.ledger.demo.seed``."""
    import xlsxwriter

    for code in DEMO_COOPERATIVES:
        coop = coops_by_code.get(code)
        if coop is None:
            continue
        day = services.local_today(coop).replace(day=1)
        buf = io.BytesIO()
        wb = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_formulas": False, "strings_to_numbers": False})
        ws = wb.add_worksheet("Buku Kas")
        for c, header in enumerate(("tanggal", "uraian transaksi", "bukti", "kode akun lawan", "debet", "kredit")):
            ws.write_string(0, c, header)
        ws.write_datetime(1, 0, datetime(day.year, day.month, day.day), wb.add_format({"num_format": "dd/mm/yyyy"}))
        ws.write_string(1, 1, "Setoran simpanan wajib (impor buku kas Excel)")
        ws.write_string(1, 2, "BKM-XLS-01")
        ws.write_string(1, 3, services.account_code(session, coop.id, "simpanan_wajib"))
        ws.write_number(1, 4, 150000)
        wb.close()
        result = import_cash_book(session, coop, f"buku-kas-{code}.xlsx", buf.getvalue())
        if not result.ok:
            raise RuntimeError(f"demo cash book for {code}: {result.errors}")
