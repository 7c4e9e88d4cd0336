"""Farmers (petani) and kelompok tani: registration by NIK (one national record), land per commodity checked
against the eligibility rule in force (land limit, the commodities)."""
from decimal import Decimal, InvalidOperation

from flask_babel import gettext
from sqlalchemy import select

from app.core.dates import local_today
from app.core.errors import ConflictError, ValidationFailed
from app.core.formatting import tanggal
from app.core.nik import check_nik
from app.core.scope import unscoped

from ..models import COMMODITY_LABELS, Farmer, FarmerLand, Poktan
from .common import ENTRY_ROLES, eligibility_on, hmac_of, require_role

HA_PLACES = Decimal("0.0001")


class FarmerElsewhere(ConflictError):
    """The NIK is already the farmer of another cooperative (one national record per NIK)."""


def parse_ha(value, field="lands"):
    if isinstance(value, float):
        value = repr(value)
    text = str(value if value is not None else "").strip().replace(",", ".")
    try:
        area = Decimal(text)
    except InvalidOperation:
        raise ValidationFailed(gettext("Luas lahan (ha) harus berupa angka."), field) from None
    if not area.is_finite() or area <= 0:
        raise ValidationFailed(gettext("Luas lahan harus lebih dari nol hektare."), field)
    if area != area.quantize(HA_PLACES):
        raise ValidationFailed(gettext("Luas lahan paling banyak empat angka di belakang koma."), field)
    return area.quantize(HA_PLACES)


def check_lands(session, lands, day, field="lands", rule=None):
    """``{commodity: hectares}`` valid under the rule in force on ``day`` (``rule``: that rule, already read, as
    an import checking thousands of rows passes it): known and eligible commodities, the total within the land
    limit. Returns the parsed dict."""
    rule = rule or eligibility_on(session, day)
    allowed = set(rule.commodity_codes)
    parsed = {}
    for raw_code, raw_area in (lands or {}).items():
        code = str(raw_code or "").strip().lower().replace(" ", "_")
        if code not in COMMODITY_LABELS:
            raise ValidationFailed(gettext("Komoditas %(c)s tidak dikenal.", c=str(raw_code)[:40]), field)
        if code not in allowed:
            raise ValidationFailed(gettext("Komoditas %(c)s tidak termasuk penerima pupuk bersubsidi sejak "
                                           "%(d)s.", c=COMMODITY_LABELS[code], d=tanggal(rule.valid_from)),
                                   field)
        parsed[code] = parsed.get(code, Decimal("0")) + parse_ha(raw_area, field)
    if not parsed:
        raise ValidationFailed(gettext("Isi paling sedikit satu lahan (komoditas dan luas)."), field)
    total = sum(parsed.values(), Decimal("0"))
    if total > rule.max_land_ha:
        limit = f"{rule.max_land_ha.normalize():f}".replace(".", ",")
        raise ValidationFailed(gettext("Luas lahan %(t)s ha melebihi batas %(m)s ha penerima pupuk bersubsidi; "
                                       "petani tidak memenuhi syarat.",
                                       t=f"{total.normalize():f}".replace(".", ","), m=limit), field)
    return parsed


def owner_of_nik(session, digest):
    """(farmer id, cooperative id) of the NIK's national record, or None."""
    return session.execute(select(Farmer.id, Farmer.cooperative_id).where(Farmer.nik_hmac == digest),
                           execution_options=unscoped()).first()


def poktan_of(session, coop, value, field="poktan"):
    if value in (None, ""):
        return None
    if isinstance(value, Poktan):
        poktan = value
    else:
        try:
            poktan = session.get(Poktan, int(value))
        except (TypeError, ValueError):
            poktan = session.execute(select(Poktan).where(Poktan.cooperative_id == coop.id,
                                                          Poktan.name == str(value).strip())).scalar()
    if poktan is None or poktan.cooperative_id != coop.id:
        raise ValidationFailed(gettext("Kelompok tani tidak ditemukan di koperasi ini."), field)
    return poktan


def do_save_poktan(session, *, coop, name, ketua=None, ppl_name=None, region_code=None, acting_user):
    require_role(acting_user, ENTRY_ROLES, gettext("Hanya Sekretaris atau Pengurus yang dapat mencatat kelompok "
                                                   "tani."))
    name = " ".join((name or "").split())
    if len(name) < 3:
        raise ValidationFailed(gettext("Nama kelompok tani wajib diisi."), "name")
    row = session.execute(select(Poktan).where(Poktan.cooperative_id == coop.id, Poktan.name == name)).scalar()
    if row is None:
        row = Poktan(cooperative_id=coop.id, name=name)
        session.add(row)
    row.ketua = " ".join((ketua or "").split())[:120] or None
    row.ppl_name = " ".join((ppl_name or "").split())[:120] or None
    row.region_code = region_code or coop.region_code
    session.flush()
    return row


def do_register_farmer(session, *, coop, nik, name, lands, acting_user, poktan=None, region_code=None,
                       address=None, day=None):
    """Register a farmer of ``coop`` (a person by NIK; need not be a member). Refused: a malformed NIK, a NIK
    already a farmer elsewhere (named, not written), ineligible land. Returns the Farmer (the same row when the
    NIK is already this cooperative's farmer: its name, poktan and land are updated)."""
    require_role(acting_user, ENTRY_ROLES, gettext("Hanya Sekretaris atau Pengurus yang dapat mendaftarkan "
                                                   "petani."))
    if nik is None or not str(nik).strip():
        raise ValidationFailed(gettext("NIK petani wajib diisi."), "nik")
    nik = check_nik(nik, "nik")
    name = " ".join((name or "").split())
    if len(name) < 2:
        raise ValidationFailed(gettext("Nama petani wajib diisi."), "name")
    day = day or local_today(coop)
    parsed = check_lands(session, lands, day)
    poktan = poktan_of(session, coop, poktan)
    digest = hmac_of(nik)
    owner = owner_of_nik(session, digest)
    if owner is not None and owner.cooperative_id != coop.id:
        raise FarmerElsewhere(gettext("NIK ini sudah terdaftar sebagai petani di koperasi lain (e-RDKK "
                                      "koperasi lain); satu petani hanya punya satu alokasi."), "nik")
    farmer = session.get(Farmer, owner.id) if owner is not None else None
    if farmer is None:
        farmer = Farmer(cooperative_id=coop.id, nik=nik, nik_hmac=digest, name=name[:120],
                        region_code=region_code or coop.region_code)
        session.add(farmer)
        session.flush()
    else:
        farmer.name = name[:120]
        if region_code:
            farmer.region_code = region_code
    farmer.poktan_id = poktan.id if poktan is not None else farmer.poktan_id
    farmer.address = " ".join((address or "").split())[:255] or farmer.address
    have = {x.commodity: x for x in session.execute(select(FarmerLand).where(FarmerLand.farmer_id == farmer.id))
            .scalars()}
    set_lands(session, farmer, have, parsed)
    session.flush()
    return farmer


def set_lands(session, farmer, have, parsed):
    """The farmer's land becomes ``parsed`` (``{commodity: ha}``): ``have`` (``{commodity: FarmerLand}``, what is
    kept now) updated, added to, and rid of the commodities no longer listed."""
    for code, area in parsed.items():
        if code in have:
            if have[code].area_ha != area:
                have[code].area_ha = area
        else:
            session.add(FarmerLand(cooperative_id=farmer.cooperative_id, farmer_id=farmer.id, commodity=code,
                                   area_ha=area))
    for code, row in have.items():
        if code not in parsed:
            session.delete(row)
