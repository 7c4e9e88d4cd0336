"""The e-RDKK spreadsheet: its template and its import.

An import is checked row by row (every error with its row and column, nothing written when there is one), then
written set by set: one statement reads the national owners of all the file's NIKs, one the cooperative's poktan,
one its farmers and one their lands; new farmers, their land and the new allocation versions are bulk INSERTs
(executemany, the ids returned in order) with their audit rows written beside them (``record_inserted``: the same
masked snapshot the flush listener writes); the quota counters are created with the file's figure, locked and,
where they held another figure, updated, each in one statement with many parameter sets. A file of 10,000 farmers
is a few dozen statements instead of some thirty per farmer (the old path through ``do_register_farmer`` and
``do_set_allocation``). The rules are those verbs' own: the land checked against the eligibility rule in force, a
farmer kept by another cooperative named and skipped, an allocation never below what is already redeemed, the
same figure again no new version. A known farmer's changes (name, region, poktan, land, a superseded version) go
through the ORM, audited by the flush; every write, bulk or not, passes the scope guard.
"""
import hashlib
import io
from dataclasses import dataclass, field
from decimal import Decimal

from flask_babel import gettext
from sqlalchemy import func, insert, select

from app.core.audit import record_event, record_inserted
from app.core.dates import local_today
from app.core.errors import ValidationFailed
from app.core.nik import check_nik
from app.core.scope import unscoped
from app.core.upsert import upsert
from app.core.xlsx_import import ImportRefused, read_sheet_rows, refuse_unsafe

from ..models import (COMMODITY_LABELS, Farmer, FarmerLand, Poktan, PupukAllocation, PupukImport, PupukQuota,
                      PupukType, season_label)
from .common import ENTRY_ROLES, check_season, eligibility_on, hmac_of, kg_text, parse_kg, require_role
from .farmers import check_lands, set_lands

MAX_IMPORT_ROWS = 20000
CHUNK = 500  # ids or keys per IN (...): well inside SQLite's and PostgreSQL's parameter limits
SEASON_WORDS = {"1": 1, "i": 1, "mt1": 1, "mti": 1, "mt 1": 1, "mt i": 1, "2": 2, "ii": 2, "mt2": 2, "mtii": 2,
                "mt 2": 2, "mt ii": 2, "3": 3, "iii": 3, "mt3": 3, "mtiii": 3, "mt 3": 3, "mt iii": 3}

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


def write_template(rule=None):
    """The e-RDKK import template: the header row of the data sheet and a Petunjuk sheet. ``rule``: the
    eligibility rule in force (its land limit and commodities are what the help sheet says; without one, the
    catalogue's commodities and no figure)."""
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
    codes = rule.commodity_codes if rule is not None else list(COMMODITY_LABELS)
    commodities = ", ".join(c.replace("_", " ") for c in codes) + "."
    land = (gettext("Paling banyak %(m)s ha seluruhnya (semua baris petani itu dijumlah).",
                    m=kg_text(rule.max_land_ha)) if rule is not None
            else gettext("Luas lahan dalam hektare."))
    help_rows = [("NIK", gettext("16 digit sesuai KTP, sebagai teks."), "3573011507800003"),
                 ("Nama Petani", gettext("Nama sesuai KTP."), "Sumarno"),
                 ("Kelompok Tani", gettext("Nama poktan (dibuat bila belum ada)."), "Poktan Sumber Rejeki"),
                 ("Kode Kelurahan/Desa", gettext("Kode Kemendagri lahan; kosong = kelurahan koperasi."),
                  "35.73.02.1007"),
                 ("Komoditas", commodities, "padi"),
                 ("Luas Lahan (ha)", land, "0,5"),
                 ("Tahun", gettext("Tahun anggaran."), "2026"),
                 ("MT", gettext("Musim tanam: 1, 2 atau 3 (MT I Jan-Apr, MT II Mei-Agu, MT III Sep-Des)."), "1")]
    help_rows += [(h, gettext("Alokasi kg pada musim itu (boleh kosong)."), "100") for _k, h in TYPE_COLUMNS]
    write_help_sheet(wb, "Petunjuk", "Impor e-RDKK", [gettext("Isi lembar e-RDKK, satu baris per petani dan musim "
                                                              "tanam."),
                                                      gettext("Unggah berkas .xlsx; semua baris dicek dulu.")],
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
    except Exception:  # noqa: BLE001 - anything else the reader raises on a damaged file
        raise ImportRefused(gettext("Berkas ini bukan berkas Excel .xlsx yang sah.")) from None


def _chunks(items):
    items = list(items)
    for i in range(0, len(items), CHUNK):
        yield items[i:i + CHUNK]


def _check_rows(session, coop, rows, today, progress):
    """Every row checked; ``(farmers, errors)`` with farmers ``{nik digest: entry}``, an entry gathering the
    farmer's rows (land per commodity, the largest area given; kg per type x year x season, summed)."""
    from app.regions.models import Region

    rule = eligibility_on(session, today)
    known_regions = {}
    errors = []
    farmers = {}
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
            area = check_lands(session, {commodity: _text(values["area"])}, today, field="area", rule=rule)[commodity]
            key = "year"
            year, season = check_season(_text(values["year"]), _season(values["season"]), field="year")
            amounts = {}
            for code, _header in TYPE_COLUMNS:
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
        entry = farmers.setdefault(digest, {"nik": nik, "name": name, "poktan": " ".join(_text(values["poktan"])
                                                                                        .split())[:120],
                                            "region": region, "lands": {}, "alloc": {}, "row": number})
        entry["lands"][commodity] = max(entry["lands"].get(commodity, Decimal("0")), area)
        for code, kg in amounts.items():
            k = (code, year, season)
            entry["alloc"][k] = entry["alloc"].get(k, Decimal("0")) + kg
    for entry in farmers.values():  # the farmer's whole land, over all rows
        try:
            check_lands(session, entry["lands"], today, field="area", rule=rule)
        except ValidationFailed as e:
            errors.append((entry["row"], HEADERS["area"], str(e)))
    return farmers, errors


def do_import_rdkk(session, *, coop, filename, data, acting_user, progress=None):
    """Check every row, then write all of them, or nothing (every error with its row and column). A farmer whose
    NIK is already kept by another cooperative is a conflict: named, nothing written for that farmer, the rest
    imported. Returns RdkkResult (the caller commits when ok, and rolls back when not)."""
    rows = read_rdkk_upload(acting_user, filename, data)
    if not rows:
        raise ImportRefused(gettext("Berkas tidak berisi baris e-RDKK."))
    today = local_today(coop)
    # ``progress(done, total)`` in rows of the file: checking is the first half of the bar, writing the second.
    # Checking 10,000 rows takes half a second and writing them several, so a bar that followed the check alone
    # would stand full for most of the import. The writing's notes come only on PostgreSQL: on SQLite the job's
    # progress connection would wait on this transaction's write lock.
    total = len(rows)
    half = (lambda done, _total: progress(done // 2, total)) if progress is not None else None
    farmers, errors = _check_rows(session, coop, rows, today, half)
    writing = progress if progress is not None and session.get_bind().dialect.name == "postgresql" else None
    if errors:
        return RdkkResult(ok=False, rows=len(rows), errors=sorted(errors))
    record = PupukImport(cooperative_id=coop.id, filename=(filename or "")[:200], rows=len(rows),
                         sha256=hashlib.sha256(data).hexdigest(), created_by=getattr(acting_user, "username", None))
    session.add(record)
    conflicts = []
    owners = {}
    for chunk in _chunks(farmers):
        owners.update((r.nik_hmac, r) for r in session.execute(
            select(Farmer.nik_hmac, Farmer.id, Farmer.cooperative_id).where(Farmer.nik_hmac.in_(chunk)),
            execution_options=unscoped()))
    for digest in list(farmers):
        owner = owners.get(digest)
        if owner is not None and owner.cooperative_id != coop.id:
            entry = farmers.pop(digest)
            conflicts.append((entry["row"], gettext(
                "NIK %(n)s (%(name)s) sudah tercantum di e-RDKK koperasi lain; satu petani hanya punya satu "
                "alokasi. Baris petani ini tidak diimpor.", n="••••" + entry["nik"][-4:], name=entry["name"])))
    if writing is not None:
        writing(total // 2, total)
    ids = _write_farmers(session, coop, farmers, owners)
    if writing is not None:
        writing(total * 3 // 4, total)
    allocations, errors = _write_allocations(session, coop, farmers, ids, set(owners) & set(farmers), record,
                                             acting_user)
    if errors:  # an allocation below what is redeemed: the caller rolls back, nothing of the file is written
        return RdkkResult(ok=False, rows=len(rows), errors=sorted(errors), conflicts=conflicts)
    new_farmers = sum(1 for digest in farmers if digest not in owners)
    record.farmers_new, record.allocations = new_farmers, allocations
    session.flush()
    record_event(session, "pupuk_import", table_name="pupuk_import", record_id=record.id, cooperative_id=coop.id,
                 details={"rows": len(rows), "farmers_new": new_farmers, "allocations": allocations,
                          "conflicts": len(conflicts)})
    return RdkkResult(ok=True, rows=len(rows), farmers=new_farmers, allocations=allocations,
                      conflicts=sorted(conflicts))


def _insert_returning_ids(session, model, rows):
    """A bulk INSERT of ``rows`` (executemany, the driver's pages of many rows) returning the new ids in the rows'
    order, each set into its row; the audit rows follow, as the flush listener would have written them. Through the
    ORM session, so the scope guard checks every row's cooperative like a bulk write (a flush of 10,000 objects
    and their snapshots was most of an import)."""
    if not rows:
        return
    ids = session.execute(insert(model).returning(model.id, sort_by_parameter_order=True), rows).scalars().all()
    for row, new_id in zip(rows, ids):
        row["id"] = new_id
    record_inserted(session, model, rows)


def _write_farmers(session, coop, farmers, owners):
    """Poktan created when missing (an existing one is left as it is: its ketua and PPL are not the file's),
    farmers added (one bulk INSERT) or updated (name, land region, poktan), their land set to the file's.
    ``{digest: farmer id}``."""
    names = {e["poktan"] for e in farmers.values() if len(e["poktan"]) >= 3}
    poktans = {}
    for chunk in _chunks(names):
        poktans.update((p.name, p) for p in session.execute(
            select(Poktan).where(Poktan.cooperative_id == coop.id, Poktan.name.in_(chunk))).scalars())
    for name in sorted(names - set(poktans)):
        poktans[name] = Poktan(cooperative_id=coop.id, name=name, region_code=coop.region_code)
        session.add(poktans[name])
    session.flush()  # the new poktan's ids (a few), which the new farmers' rows name
    kept = {}
    for chunk in _chunks([owners[d].id for d in farmers if d in owners]):
        kept.update((f.nik_hmac, f) for f in session.execute(
            select(Farmer).where(Farmer.id.in_(chunk))).scalars())
    new_rows = []
    for digest, entry in farmers.items():
        poktan = poktans.get(entry["poktan"])
        farmer = kept.get(digest)
        if farmer is None:
            new_rows.append({"cooperative_id": coop.id, "nik": entry["nik"], "nik_hmac": digest,
                             "name": entry["name"][:120], "region_code": entry["region"],
                             "poktan_id": poktan.id if poktan is not None else None})
            continue
        if farmer.name != entry["name"][:120]:
            farmer.name = entry["name"][:120]
        if farmer.region_code != entry["region"]:
            farmer.region_code = entry["region"]
        if poktan is not None and farmer.poktan is not poktan:
            farmer.poktan = poktan
    _insert_returning_ids(session, Farmer, new_rows)
    ids = {digest: f.id for digest, f in kept.items()}
    ids.update((row["nik_hmac"], row["id"]) for row in new_rows)
    # Land: a new farmer's rows in one bulk INSERT; a known farmer's kept rows updated, added to or removed.
    _insert_returning_ids(session, FarmerLand, [
        {"cooperative_id": coop.id, "farmer_id": row["id"], "commodity": code, "area_ha": area}
        for row in new_rows for code, area in farmers[row["nik_hmac"]]["lands"].items()])
    have = {}
    for chunk in _chunks([f.id for f in kept.values()]):
        for land in session.execute(select(FarmerLand).where(FarmerLand.farmer_id.in_(chunk))).scalars():
            have.setdefault(land.farmer_id, {})[land.commodity] = land
    for digest, farmer in kept.items():
        set_lands(session, farmer, have.get(farmer.id, {}), farmers[digest]["lands"])
    return ids


def _write_allocations(session, coop, farmers, ids, known, record, acting_user):
    """A new version of every allocation of the file whose kilograms changed; the national quota rows created,
    locked and set to it. ``ids``: ``{digest: farmer id}``; ``known``: the digests of farmers kept before this
    file (only they can have allocations already). ``(allocations in the file, errors)``; an error is a figure
    below what was redeemed."""
    types = {t.code: t for t in session.execute(select(PupukType)).scalars()}
    wanted = {}  # (digest, type id, year, season) -> (farmer id, type, kg, first row of the farmer)
    for digest, entry in farmers.items():
        for (code, year, season), kg in entry["alloc"].items():
            wanted[(digest, types[code].id, year, season)] = (ids[digest], types[code], kg, entry["row"])
    if not wanted:
        return 0, []
    table = PupukQuota.__table__
    # A missing quota row is created with the file's figure (nothing can be redeemed against it before this
    # transaction commits); an existing one is locked and checked below. One statement with many parameter sets
    # (executemany): compiled once and sent in pages by the driver, where a multi-row VALUES of 500 rows per chunk
    # was compiled afresh each time, and compiling was most of the import.
    session.execute(upsert(session, table).on_conflict_do_nothing(
        index_elements=["nik_hmac", "pupuk_type_id", "year", "season"]),
        [{"nik_hmac": d, "pupuk_type_id": t, "year": y, "season": s, "farmer_id": wanted[(d, t, y, s)][0],
          "home_cooperative_id": coop.id, "allocated_kg": wanted[(d, t, y, s)][2], "redeemed_kg": 0}
         for d, t, y, s in wanted])
    # Locked in key order, as a redemption locks its one row: two imports touching the same farmers cannot
    # deadlock each other, and a redemption at the same moment is counted before the check below. Read by the
    # primary key's first column (the NIK digests), the other three filtered here.
    locked = {}
    years = sorted({k[2] for k in wanted})
    for chunk in _chunks(sorted({k[0] for k in wanted})):
        stmt = select(table.c.nik_hmac, table.c.pupuk_type_id, table.c.year, table.c.season, table.c.redeemed_kg,
                      table.c.allocated_kg) \
            .where(table.c.nik_hmac.in_(chunk), table.c.year.in_(years)) \
            .order_by(table.c.nik_hmac, table.c.pupuk_type_id, table.c.year, table.c.season).with_for_update()
        locked.update(((r.nik_hmac, r.pupuk_type_id, r.year, r.season), (r.redeemed_kg, r.allocated_kg))
                      for r in session.execute(stmt))
    errors = []
    for key, (_farmer_id, pupuk_type, kg, row) in wanted.items():
        redeemed = locked[key][0]
        if kg < redeemed:
            _d, _t, year, season = key
            errors.append((row, HEADERS[pupuk_type.code], gettext(
                "Alokasi %(t)s %(s)s %(y)d tidak boleh kurang dari yang sudah ditebus (%(r)s kg); diminta %(k)s kg.",
                t=pupuk_type.name, s=season_label(season), y=year, r=kg_text(redeemed), k=kg_text(kg))))
    if errors:
        return len(wanted), errors
    by_farmer = {ids[d]: d for d in known if d in ids}
    current, latest = {}, {}
    for chunk in _chunks(by_farmer):
        for a in session.execute(select(PupukAllocation).where(PupukAllocation.farmer_id.in_(chunk),
                                                                PupukAllocation.is_current.is_(True))).scalars():
            current[(by_farmer[a.farmer_id], a.pupuk_type_id, a.year, a.season)] = a
        for r in session.execute(select(PupukAllocation.farmer_id, PupukAllocation.pupuk_type_id, PupukAllocation.year,
                                        PupukAllocation.season, func.max(PupukAllocation.version_no).label("last"))
                                 .where(PupukAllocation.farmer_id.in_(chunk))
                                 .group_by(PupukAllocation.farmer_id, PupukAllocation.pupuk_type_id,
                                           PupukAllocation.year, PupukAllocation.season)):
            latest[(by_farmer[r.farmer_id], r.pupuk_type_id, r.year, r.season)] = r.last
    new_rows, changed = [], []
    username = getattr(acting_user, "username", None)
    for key, (farmer_id, _pupuk_type, kg, _row) in wanted.items():
        now = current.get(key)
        if now is not None and now.kg == kg:
            continue  # the same figure again: no new version
        if now is not None:
            now.is_current = False
        _d, type_id, year, season = key
        new_rows.append({"cooperative_id": coop.id, "farmer_id": farmer_id, "pupuk_type_id": type_id, "year": year,
                         "season": season, "kg": kg, "version_no": latest.get(key, 0) + 1, "is_current": True,
                         "import_id": record.id, "created_by": username})
        if locked[key][1] != kg:
            changed.append({"nik_hmac": key[0], "pupuk_type_id": type_id, "year": year, "season": season,
                            "farmer_id": farmer_id, "home_cooperative_id": coop.id, "allocated_kg": kg,
                            "redeemed_kg": 0})
    session.flush()  # the superseded versions first: their is_current is false before the new ones are written
    _insert_returning_ids(session, PupukAllocation, new_rows)
    if changed:  # the locked rows take the new figure: an upsert that always updates (executemany, as above)
        stmt = upsert(session, table)
        session.execute(stmt.on_conflict_do_update(index_elements=["nik_hmac", "pupuk_type_id", "year", "season"],
                                                   set_={"allocated_kg": stmt.excluded.allocated_kg}), changed)
    return len(wanted), []
