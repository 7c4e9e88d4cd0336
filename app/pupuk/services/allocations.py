"""Allocations per farmer x type x season x year, in versions, entered or imported from the e-RDKK layout.

A new allocation of the same farmer, type, season and year is a new version (the previous one is kept, marked
superseded); the national quota row follows it, and may not drop below what the farmer has redeemed so far (the
quota row is locked while it changes, so a redemption at the same moment is counted before the check).
"""
import hashlib
import io
from dataclasses import dataclass, field
from decimal import Decimal

from flask_babel import gettext
from sqlalchemy import func, select, update

from app.core.audit import record_event
from app.core.dates import local_today
from app.core.errors import DomainError, ValidationFailed
from app.core.nik import check_nik
from app.core.upsert import upsert
from app.core.xlsx_import import ImportRefused, read_sheet_rows, refuse_unsafe

from ..models import COMMODITY_LABELS, Farmer, PupukAllocation, PupukImport, PupukQuota, PupukType, season_label
from .common import ENTRY_ROLES, check_season, hmac_of, kg_text, parse_kg, require_role, type_of
from .farmers import FarmerElsewhere, check_lands, do_register_farmer, owner_of_nik, poktan_of

MAX_IMPORT_ROWS = 20000
SEASON_WORDS = {"1": 1, "i": 1, "mt1": 1, "mti": 1, "mt 1": 1, "mt i": 1, "2": 2, "ii": 2, "mt2": 2, "mtii": 2,
                "mt 2": 2, "mt ii": 2, "3": 3, "iii": 3, "mt3": 3, "mtiii": 3, "mt 3": 3, "mt iii": 3}


def lock_quota(session, farmer, pupuk_type_id, year, season):
    """The national quota row of the farmer's NIK for a type and season, created when missing, locked."""
    table = PupukQuota.__table__
    session.execute(upsert(session, table).values(nik_hmac=farmer.nik_hmac, pupuk_type_id=pupuk_type_id, year=year,
                                                  season=season, farmer_id=farmer.id,
                                                  home_cooperative_id=farmer.cooperative_id, allocated_kg=0,
                                                  redeemed_kg=0)
                    .on_conflict_do_nothing(index_elements=["nik_hmac", "pupuk_type_id", "year", "season"]))
    return session.execute(select(table).where(table.c.nik_hmac == farmer.nik_hmac,
                                               table.c.pupuk_type_id == pupuk_type_id, table.c.year == year,
                                               table.c.season == season).with_for_update()).one()


def do_set_allocation(session, *, farmer, pupuk_type, year, season, kg, acting_user, import_id=None, note=None):
    """A new version of the farmer's allocation (kg, Decimal). Refused below what is already redeemed."""
    require_role(acting_user, ENTRY_ROLES, gettext("Hanya Sekretaris atau Pengurus yang dapat menetapkan alokasi "
                                                   "pupuk."))
    if not isinstance(farmer, Farmer):
        farmer = session.get(Farmer, int(farmer)) if str(farmer or "").isdigit() else None
        if farmer is None:
            raise ValidationFailed(gettext("Petani tidak ditemukan."), "farmer")
    pupuk_type = type_of(session, pupuk_type)
    year, season = check_season(year, season)
    kg = parse_kg(kg, "kg", allow_zero=True)
    quota = lock_quota(session, farmer, pupuk_type.id, year, season)
    if kg < quota.redeemed_kg:
        raise ValidationFailed(gettext("Alokasi %(t)s %(s)s %(y)d tidak boleh kurang dari yang sudah ditebus "
                                       "(%(r)s kg); diminta %(k)s kg.", t=pupuk_type.name, s=season_label(season),
                                       y=year, r=kg_text(quota.redeemed_kg), k=kg_text(kg)), "kg")
    current = session.execute(select(PupukAllocation).where(
        PupukAllocation.farmer_id == farmer.id, PupukAllocation.pupuk_type_id == pupuk_type.id,
        PupukAllocation.year == year, PupukAllocation.season == season, PupukAllocation.is_current.is_(True))
    ).scalar()
    if current is not None and current.kg == kg:
        return current  # the same figure again: no new version
    version_no = (session.execute(select(func.max(PupukAllocation.version_no)).where(
        PupukAllocation.farmer_id == farmer.id, PupukAllocation.pupuk_type_id == pupuk_type.id,
        PupukAllocation.year == year, PupukAllocation.season == season)).scalar() or 0) + 1
    if current is not None:
        current.is_current = False
    row = PupukAllocation(cooperative_id=farmer.cooperative_id, farmer_id=farmer.id, pupuk_type_id=pupuk_type.id,
                          year=year, season=season, kg=kg, version_no=version_no, is_current=True,
                          import_id=import_id, note=(note or None),
                          created_by=getattr(acting_user, "username", None))
    session.add(row)
    table = PupukQuota.__table__
    session.execute(update(table).where(table.c.nik_hmac == farmer.nik_hmac, table.c.pupuk_type_id == pupuk_type.id,
                                        table.c.year == year, table.c.season == season)
                    .values(allocated_kg=kg))
    session.flush()
    return row


# -- the e-RDKK spreadsheet ----------------------------------------------------------------------------------------

TYPE_COLUMNS = [("urea", "Urea (kg)"), ("npk", "NPK (kg)"), ("npk_khusus", "NPK Formula Khusus (kg)"),
                ("za", "ZA (kg)"), ("organik", "Organik (kg)")]
COLUMNS = [("nik", "NIK"), ("name", "Nama Petani"), ("poktan", "Kelompok Tani"),
           ("region_code", "Kode Kelurahan/Desa"), ("commodity", "Komoditas"), ("area", "Luas Lahan (ha)"),
           ("year", "Tahun"), ("season", "MT")] + TYPE_COLUMNS
HEADERS = dict(COLUMNS)
SHEET = "e-RDKK"


@dataclass
class RdkkResult:
    ok: bool
    rows: int = 0
    farmers: int = 0
    allocations: int = 0
    errors: list = field(default_factory=list)      # [(row, column header, message)]
    conflicts: list = field(default_factory=list)   # [(row, message)]: named, nothing written for that farmer


def write_template():
    """The e-RDKK import template: the header row of the data sheet and a Petunjuk sheet."""
    import xlsxwriter

    from app.core.xlsx_import import write_help_sheet

    # xlsxwriter, as the member and deposit templates (write_help_sheet formats cells with its API)
    out = io.BytesIO()
    wb = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
                                   "strings_to_numbers": False})
    ws = wb.add_worksheet(SHEET)
    head = wb.add_format({"bold": True, "bg_color": "#C00000", "font_color": "#FFFFFF", "border": 1,
                          "text_wrap": True, "valign": "top"})
    text = wb.add_format({"num_format": "@"})
    for c, (_k, header) in enumerate(COLUMNS):
        ws.write_string(0, c, header, head)
        ws.set_column(c, c, 18, text)
    ws.freeze_panes(1, 0)
    help_rows = [("NIK", "16 digit sesuai KTP, sebagai teks.", "3573011507800003"),
                 ("Nama Petani", "Nama sesuai KTP.", "Sumarno"),
                 ("Kelompok Tani", "Nama poktan (dibuat bila belum ada).", "Poktan Sumber Rejeki"),
                 ("Kode Kelurahan/Desa", "Kode Kemendagri lahan; kosong = kelurahan koperasi.", "35.73.02.1007"),
                 ("Komoditas", "padi, jagung, kedelai, ubi kayu, cabai, bawang merah, bawang putih, tebu, kakao, "
                               "kopi.", "padi"),
                 ("Luas Lahan (ha)", "Paling banyak 2 ha seluruhnya.", "0,5"),
                 ("Tahun", "Tahun anggaran.", "2026"),
                 ("MT", "Musim tanam: 1, 2 atau 3 (MT I Jan-Apr, MT II Mei-Agu, MT III Sep-Des).", "1")]
    help_rows += [(h, "Alokasi kg pada musim itu (boleh kosong).", "100") for _k, h in TYPE_COLUMNS]
    write_help_sheet(wb, "Petunjuk", "Impor e-RDKK", ["Isi lembar e-RDKK, satu baris per petani dan musim tanam.",
                                                      "Unggah berkas .xlsx; semua baris dicek dulu."],
                     help_rows, SHEET)
    wb.close()
    return out.getvalue()


def _text(value):
    if value is None:
        return ""
    if isinstance(value, float) and value == int(value):
        value = int(value)
    return str(value).strip()


def _season(value):
    text = _text(value).lower()
    if text not in SEASON_WORDS:
        raise ValidationFailed(gettext("MT harus 1, 2 atau 3."), "season")
    return SEASON_WORDS[text]


def read_rdkk_upload(acting_user, filename, data):
    """The rows of an uploaded e-RDKK file, after the role and the file's safety checks: the import runs it, and
    the form runs it before handing a big file to a job (so a refusal comes at once, not from the worker)."""
    require_role(acting_user, ENTRY_ROLES, gettext("Hanya Sekretaris atau Pengurus yang dapat mengimpor e-RDKK."))
    refuse_unsafe(filename, data)
    try:
        return read_sheet_rows(data, SHEET, COLUMNS, gettext(
            "Kolom berkas tidak sesuai templat e-RDKK; unduh templat lalu isi ulang."), max_rows=MAX_IMPORT_ROWS)
    except ImportRefused:
        raise
    except Exception:  # noqa: BLE001 - openpyxl's many errors on a damaged file
        raise ImportRefused(gettext("Berkas ini bukan berkas Excel .xlsx yang sah.")) from None


def do_import_rdkk(session, *, coop, filename, data, acting_user, progress=None):
    """Check every row, then write all of them, or nothing (every error with its row and column). A farmer whose
    NIK is already kept by another cooperative is a conflict: named, nothing written for that farmer, the rest
    imported. Returns RdkkResult (the caller commits when ok)."""
    from app.regions.models import Region

    rows = read_rdkk_upload(acting_user, filename, data)
    if not rows:
        raise ImportRefused(gettext("Berkas tidak berisi baris e-RDKK."))
    today = local_today(coop)
    types = {t.code: t for t in session.execute(select(PupukType)).scalars()}
    known_regions = {}
    errors, conflicts = [], []
    farmers = {}  # digest -> {nik, name, poktan, region, lands, allocations, first row}
    for checked, (number, values) in enumerate(rows):
        if progress is not None and checked % 200 == 0:
            progress(checked, len(rows))
        key = None
        try:
            key = "nik"
            nik = check_nik(_text(values["nik"]) or None, "nik")
            if nik is None:
                raise ValidationFailed(gettext("NIK petani wajib diisi."), "nik")
            key = "name"
            name = " ".join(_text(values["name"]).split())
            if len(name) < 2:
                raise ValidationFailed(gettext("Nama petani wajib diisi."), "name")
            key = "region_code"
            region = _text(values["region_code"]) or coop.region_code
            if region not in known_regions:
                known_regions[region] = session.get(Region, region) is not None
            if not known_regions[region]:
                raise ValidationFailed(gettext("Kode wilayah %(c)s tidak ada di daftar Kemendagri.", c=region[:20]),
                                       "region_code")
            key = "commodity"
            commodity = _text(values["commodity"]).lower().replace(" ", "_")
            key = "area"
            check_lands(session, {commodity: _text(values["area"])}, today, field="area")
            key = "year"
            year, season = check_season(_text(values["year"]), _season(values["season"]), field="year")
            amounts = {}
            for code, header in TYPE_COLUMNS:
                key = code
                raw = _text(values[code])
                if raw:
                    amounts[code] = parse_kg(raw, code, allow_zero=True)
        except ValidationFailed as e:
            column = e.field if e.field in HEADERS else key
            if e.field == "lands":
                column = "commodity"
            errors.append((number, HEADERS.get(column, column or ""), str(e)))
            continue
        digest = hmac_of(nik)
        entry = farmers.setdefault(digest, {"nik": nik, "name": name, "poktan": _text(values["poktan"]),
                                            "region": region, "lands": {}, "alloc": {}, "row": number})
        entry["lands"][commodity] = max(entry["lands"].get(commodity, Decimal("0")),
                                        check_lands(session, {commodity: _text(values["area"])}, today,
                                                    "area")[commodity])
        for code, kg in amounts.items():
            k = (code, year, season)
            entry["alloc"][k] = entry["alloc"].get(k, Decimal("0")) + kg
    for digest, entry in farmers.items():  # the farmer's whole land, over all rows
        try:
            check_lands(session, entry["lands"], today, field="area")
        except ValidationFailed as e:
            errors.append((entry["row"], HEADERS["area"], str(e)))
    if errors:
        return RdkkResult(ok=False, rows=len(rows), errors=sorted(errors))
    record = PupukImport(cooperative_id=coop.id, filename=(filename or "")[:200], rows=len(rows),
                         sha256=hashlib.sha256(data).hexdigest(), created_by=getattr(acting_user, "username", None))
    session.add(record)
    session.flush()
    new_farmers = allocations = 0
    for digest, entry in farmers.items():
        owner = owner_of_nik(session, digest)
        if owner is not None and owner.cooperative_id != coop.id:
            conflicts.append((entry["row"], gettext(
                "NIK %(n)s (%(name)s) sudah tercantum di e-RDKK koperasi lain; satu petani hanya punya satu "
                "alokasi. Baris petani ini tidak diimpor.", n="••••" + entry["nik"][-4:], name=entry["name"])))
            continue
        poktan = None
        if entry["poktan"]:
            from .farmers import do_save_poktan

            poktan = do_save_poktan(session, coop=coop, name=entry["poktan"], acting_user=acting_user) \
                if len(entry["poktan"]) >= 3 else None
        try:
            farmer = do_register_farmer(session, coop=coop, nik=entry["nik"], name=entry["name"],
                                        lands=entry["lands"], poktan=poktan, region_code=entry["region"],
                                        acting_user=acting_user, day=today)
        except FarmerElsewhere as e:  # pragma: no cover - checked just above
            conflicts.append((entry["row"], str(e)))
            continue
        if owner is None:
            new_farmers += 1
        for (code, year, season), kg in entry["alloc"].items():
            try:
                do_set_allocation(session, farmer=farmer, pupuk_type=types[code], year=year, season=season, kg=kg,
                                  acting_user=acting_user, import_id=record.id)
            except ValidationFailed as e:
                errors.append((entry["row"], HEADERS[code], str(e)))
            allocations += 1
    if errors:  # an allocation below what is redeemed: the caller rolls back, nothing of the file is written
        return RdkkResult(ok=False, rows=len(rows), errors=sorted(errors), conflicts=conflicts)
    record.farmers_new, record.allocations = new_farmers, allocations
    record_event(session, "pupuk_import", table_name="pupuk_import", record_id=record.id, cooperative_id=coop.id,
                 details={"rows": len(rows), "farmers_new": new_farmers, "allocations": allocations,
                          "conflicts": len(conflicts)})
    session.flush()
    return RdkkResult(ok=True, rows=len(rows), farmers=new_farmers, allocations=allocations, conflicts=conflicts)


__all__ = ["COMMODITY_LABELS", "DomainError"]
