"""What every fertiliser verb shares: roles, the cooperative's pupuk unit, seasons, types, HET and eligibility on a
date, quantities in kg, and the national look-ups by NIK (the farmer may be kept by another cooperative: read as
plain columns through a deliberate unscoped statement, never as an entity, scope-notes G5)."""
from datetime import date
from decimal import Decimal, InvalidOperation

from flask_babel import gettext
from sqlalchemy import select

from app.core.errors import DomainError, NotFound, ValidationFailed
from app.core.formatting import rupiah  # noqa: F401  (re-exported for the verbs)
from app.core.formatting import tanggal
from app.core.nik import check_nik
from app.core.scope import unscoped

from ..models import (SEASON_MONTHS, Farmer, PupukEligibility, PupukHet, PupukType, season_label)

ENTRY_ROLES = {"Sekretaris", "Pengurus"}          # farmers, poktan, allocations, imports
REDEEM_ROLES = {"Petugas", "Sekretaris", "Pengurus"}
REVERSE_ROLES = {"Sekretaris", "Pengurus"}
MAX_KG = Decimal("100000")
KG_PLACES = Decimal("0.001")


def require_role(user, allowed, message):
    from app.inventory.services.common import require_role as _require

    _require(user, allowed, message)


def season_of(day):
    """(year, season) of a date: MT I January-April, MT II May-August, MT III September-December."""
    for season, (first, last) in SEASON_MONTHS.items():
        if first <= day.month <= last:
            return day.year, season
    raise ValueError(day)  # pragma: no cover - every month is in a season


def season_bounds(year, season):
    import calendar

    first, last = SEASON_MONTHS[season]
    return date(year, first, 1), date(year, last, calendar.monthrange(year, last)[1])


def check_season(year, season, field="season"):
    try:
        year, season = int(year), int(season)
    except (TypeError, ValueError):
        raise ValidationFailed(gettext("Tahun dan musim tanam (MT I, II atau III) wajib diisi."), field) from None
    if season not in SEASON_MONTHS:
        raise ValidationFailed(gettext("Musim tanam harus MT I, MT II atau MT III."), field)
    if not 2000 <= year <= 2100:
        raise ValidationFailed(gettext("Tahun alokasi tidak masuk akal."), "year")
    return year, season


def pupuk_unit(session, coop):
    """The cooperative's pupuk business unit when it is operating (the module is switched on by it), else None."""
    from app.cooperatives.models import BusinessUnit

    return session.execute(select(BusinessUnit).where(BusinessUnit.cooperative_id == coop.id,
                                                      BusinessUnit.kind == "pupuk",
                                                      BusinessUnit.status == "beroperasi")).scalar()


def require_pupuk(session, coop):
    """The id of the cooperative's operating pupuk unit; a refusal without one (asked on every redemption: the id
    alone, not the unit's row)."""
    from app.cooperatives.models import BusinessUnit

    unit = session.execute(select(BusinessUnit.id).where(BusinessUnit.cooperative_id == coop.id,
                                                         BusinessUnit.kind == "pupuk",
                                                         BusinessUnit.status == "beroperasi").limit(1)).scalar()
    if unit is None:
        raise DomainError(gettext("%(c)s belum menjalankan unit usaha titik serah pupuk (unit pupuk berstatus "
                                  "beroperasi); penebusan pupuk bersubsidi tidak tersedia.", c=coop.name))
    return unit


def type_of(session, value, field="pupuk_type", lock=False):
    """A fertiliser type by id, code or name (``urea``, ``NPK``, 3). ``lock``: the row is also held FOR KEY SHARE
    until the commit (PostgreSQL; SQLite serialises writers), in the statement that reads it."""
    def read(*where):
        stmt = select(PupukType).where(*where)
        return session.execute(stmt.with_for_update(read=True, key_share=True) if lock else stmt).scalar()

    if isinstance(value, PupukType):
        return read(PupukType.id == value.id) if lock else value
    text = str(value if value is not None else "").strip()
    row = None
    if text.isdigit():
        row = read(PupukType.id == int(text)) if lock else session.get(PupukType, int(text))
    elif text:
        key = text.lower().replace(" ", "_")
        row = read(PupukType.code == key) or read(PupukType.name.ilike(text))
    if row is None or not row.active:
        raise ValidationFailed(gettext("Jenis pupuk %(t)s tidak dikenal; pilih Urea, NPK, NPK formula khusus, ZA "
                                       "atau Organik.", t=text[:40]), field)
    return row


def het_on(session, pupuk_type, day):
    """The HET row of a type in force on ``day`` (the latest ``valid_from`` on or before it)."""
    row = session.execute(select(PupukHet).where(PupukHet.pupuk_type_id == pupuk_type.id,
                                                 PupukHet.valid_from <= day)
                          .order_by(PupukHet.valid_from.desc()).limit(1)).scalar()
    if row is None:
        raise ValidationFailed(gettext("HET %(t)s untuk tanggal %(d)s belum ditetapkan.", t=pupuk_type.name,
                                       d=tanggal(day)), "date")
    return row


def eligibility_on(session, day):
    row = session.execute(select(PupukEligibility).where(PupukEligibility.valid_from <= day)
                          .order_by(PupukEligibility.valid_from.desc()).limit(1)).scalar()
    if row is None:
        raise ValidationFailed(gettext("Aturan penerima pupuk bersubsidi untuk tanggal %(d)s belum ditetapkan.",
                                       d=tanggal(day)), "date")
    return row


def parse_kg(value, field="kg", whole=False, allow_zero=False):
    """A quantity in kg as Decimal (never float): ``116``, ``116,5``; whole kilograms where ``whole``."""
    if isinstance(value, bool):
        value = None
    if isinstance(value, float):
        value = repr(value)
    text = str(value if value is not None else "").strip().replace(" ", "")
    if "," in text:
        text = text.replace(".", "").replace(",", ".")
    try:
        qty = Decimal(text)
    except InvalidOperation:
        raise ValidationFailed(gettext("Jumlah (kg) harus berupa angka."), field) from None
    if not qty.is_finite() or qty < 0 or (qty == 0 and not allow_zero):
        raise ValidationFailed(gettext("Jumlah (kg) harus lebih dari nol."), field)
    if qty > MAX_KG:
        raise ValidationFailed(gettext("Jumlah (kg) terlalu besar."), field)
    if whole and qty != qty.to_integral_value():
        raise ValidationFailed(gettext("Penebusan dalam kilogram utuh: jumlah pecahan tidak diterima."), field)
    if qty != qty.quantize(KG_PLACES):
        raise ValidationFailed(gettext("Jumlah (kg) paling banyak tiga angka di belakang koma."), field)
    return qty.quantize(KG_PLACES)


def kg_text(value):
    """116.000 -> 116, 2.500 -> 2,5, 12500 -> 12.500 (as people write quantities: app.core.formatting.number)."""
    from app.core.formatting import number

    return number(value)


def hmac_of(nik):
    from app.members.services import nik_hmac

    return nik_hmac(nik)


def farmer_facts(session, *, farmer_id=None, nik=None, field="nik"):
    """(id, cooperative_id, name, nik_hmac, active) of a farmer, by id or NIK, in any cooperative (a national
    record). A malformed NIK is refused; an unknown farmer is NotFound."""
    cols = (Farmer.id, Farmer.cooperative_id, Farmer.name, Farmer.nik_hmac, Farmer.active)
    if nik not in (None, ""):
        nik = check_nik(nik, field)
        row = session.execute(select(*cols).where(Farmer.nik_hmac == hmac_of(nik)),
                              execution_options=unscoped()).first()
        if row is None:
            raise NotFound(gettext("NIK ini tidak terdaftar sebagai petani penerima pupuk bersubsidi (e-RDKK)."),
                           field)
        if farmer_id not in (None, "") and str(row.id) != str(farmer_id).strip():
            raise ValidationFailed(gettext("NIK yang diketik bukan NIK petani ini."), field)
        return row
    try:
        pk = int(farmer_id)
    except (TypeError, ValueError):
        raise ValidationFailed(gettext("Sebut petaninya (NIK atau nomor petani)."), "farmer_id") from None
    row = session.execute(select(*cols).where(Farmer.id == pk), execution_options=unscoped()).first()
    if row is None:
        raise NotFound(gettext("Petani tidak ditemukan."), "farmer_id")
    return row


__all__ = ["season_label"]
