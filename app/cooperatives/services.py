"""Rules of the KKMP registry: creating a cooperative, checking its identifiers, the organ rules."""
from collections import Counter

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app.core import identifiers
from app.core.dates import local_today
from app.core.errors import ValidationFailed
from app.extensions import db
from app.regions.models import Region

from .models import LEGAL_STEPS, STAGE_LABELS, BusinessUnit, Cooperative, OrganMember

NAME_PREFIX = "Koperasi Kelurahan Merah Putih"

# (field, checker) for every identifier a cooperative carries; forms, API and services all use this list.
IDENTIFIER_CHECKS = {
    "ahu_number": identifiers.check_ahu,
    "nib": identifiers.check_nib,
    "npwp": identifiers.check_npwp_badan,
    "bank_account_number": identifiers.check_bank_account,
}

DATE_FIELDS = ["musyawarah_date", "akta_date", "ahu_date", "simkopdes_registered_on", "operating_since"]


def user_today(session, user, now=None):
    """Today as the reader sees it, for defaults of screens that span cooperatives (a day's logbook, a report's
    period): the zone of the user's cooperative or region (a WITA camat after 16:00 UTC is already on the next day,
    a WIB one is not); WIB for a user without a scope. Never later than any cooperative's today in that scope."""
    from app.core.scope import unscoped

    if user is not None and getattr(user, "scope_cooperative_id", None):
        code = session.execute(select(Cooperative.region_code).where(Cooperative.id == user.scope_cooperative_id),
                               execution_options=unscoped()).scalar()
        return local_today(code, now)
    return local_today(getattr(user, "scope_region_code", None) or None, now)


def legal_progress(coop):
    """The one derivation of a cooperative's legal stage and readiness: the steps are a sequence (no akta without
    the musyawarah, no NIB without the AHU), so the stage is the last step reached without a gap and the readiness
    is the share of steps up to it. A later step filled in over a gap (a bank account before the musyawarah)
    counts for neither until the gap is closed; the checklist still shows it ticked. Returns (stage, percent)."""
    reached, done = "none", 0
    for key, _label, fields in LEGAL_STEPS:
        if not coop.step_done(fields):
            break
        reached, done = key, done + 1
    return reached, round(100 * done / len(LEGAL_STEPS))


def check_name(coop, region, session):
    """A cooperative is found by its name in the consolidation and arrears lists, so two must not share one: a
    name carries its kelurahan's name (as the standard name does), or else is unique in the whole country."""
    from app.core.scope import unscoped

    def folded(text):
        return " ".join((text or "").casefold().split())

    if folded(region.name) in folded(coop.name):
        return
    stmt = select(Cooperative.id).where(func.lower(Cooperative.name) == coop.name.lower())
    if coop.id is not None:
        stmt = stmt.where(Cooperative.id != coop.id)
    if session.execute(stmt, execution_options=unscoped()).first():
        raise ValidationFailed(_l("Nama \"%(name)s\" sudah dipakai koperasi lain. Nama koperasi harus memuat nama "
                                  "kelurahannya (%(kel)s), misalnya \"%(default)s\".", name=coop.name,
                                  kel=region.name, default=default_name(region)), "name")


def default_name(region):
    return f"{NAME_PREFIX} {region.name}"


def kelurahan_for(code, session=None):
    """The kelurahan a KKMP may be formed in, or a ValidationFailed naming the problem."""
    session = session or db.session
    code = identifiers.check_kelurahan_code(code)
    if code is None:
        raise ValidationFailed(_l("Kode kelurahan is required."), "region_code")
    region = session.get(Region, code)
    if region is None:
        raise ValidationFailed(_l("%(code)s is not in the Kemendagri region list.", code=code), "region_code")
    return region


UNIQUE_FIELDS = ["region_code", "ahu_number", "nib", "npwp"]


def check_unique(coop, session=None):
    """One KKMP per kelurahan, and no identifier shared by two cooperatives (checked across all scopes)."""
    from app.core.scope import unscoped

    session = session or db.session
    for field in UNIQUE_FIELDS:
        value = getattr(coop, field)
        if value in (None, ""):
            continue
        stmt = select(Cooperative.id).where(getattr(Cooperative, field) == value)
        if coop.id is not None:
            stmt = stmt.where(Cooperative.id != coop.id)
        if session.execute(stmt, execution_options=unscoped()).first():
            if field == "region_code":
                raise ValidationFailed(_l("Kelurahan %(code)s already has a KKMP.", code=value), field)
            raise ValidationFailed(_l("This %(field)s is already registered to another cooperative.",
                                      field=field_label(field)), field)


def prepare_cooperative(coop, session=None, today=None):
    """Normalise and check a cooperative before it is saved (add, edit, API and seeding alike).

    Sets the region-derived codes and the default name, normalises every identifier, and refuses a desa code,
    an unknown region, a malformed identifier, a date in the future or legal steps dated out of order.
    """
    session = session or db.session
    today = today or local_today(coop)
    region = coop.region if coop.region is not None else kelurahan_for(coop.region_code, session)
    coop.region = region
    coop.region_code = region.code
    coop.province_code = region.code[:2]
    coop.city_code = region.code[:5]
    coop.district_code = region.code[:8]
    if not (coop.name or "").strip():
        coop.name = default_name(region)
    coop.name = " ".join(coop.name.split())
    check_name(coop, region, session)

    for field, check in IDENTIFIER_CHECKS.items():
        setattr(coop, field, check(getattr(coop, field), field))

    for field in DATE_FIELDS:
        value = getattr(coop, field)
        if value is not None and value > today:
            raise ValidationFailed(_l("%(field)s cannot be in the future.", field=field_label(field)), field)
    if coop.musyawarah_date and coop.akta_date and coop.akta_date < coop.musyawarah_date:
        raise ValidationFailed(_l("Tanggal akta cannot be before the musyawarah."), "akta_date")
    if coop.akta_date and coop.ahu_date and coop.ahu_date < coop.akta_date:
        raise ValidationFailed(_l("Tanggal AHU cannot be before the akta."), "ahu_date")
    if coop.member_min_age in (None, ""):
        coop.member_min_age = 17
    if not 17 <= int(coop.member_min_age) <= 99:
        raise ValidationFailed(_l("Umur minimum anggota paling sedikit 17 tahun (umur KTP) dan paling banyak 99."),
                               "member_min_age")
    check_unique(coop, session)
    return coop


FIELD_LABELS = {
    "region_code": _l("Kode kelurahan"),
    "name": _l("Nama koperasi"),
    "is_pilot": _l("Percontohan"),
    "address": _l("Alamat"),
    "musyawarah_date": _l("Tanggal musyawarah kelurahan khusus"),
    "musyawarah_ba_number": _l("Nomor berita acara musyawarah"),
    "akta_number": _l("Nomor akta notaris"),
    "akta_date": _l("Tanggal akta"),
    "notary_name": _l("Notaris"),
    "ahu_number": _l("Nomor badan hukum (AHU)"),
    "ahu_date": _l("Tanggal pengesahan AHU"),
    "nib": _l("NIB"),
    "npwp": _l("NPWP"),
    "bank_name": _l("Bank"),
    "bank_account_number": _l("Nomor rekening"),
    "simkopdes_registered_on": _l("Terdaftar di SIMKOPDES"),
    "operating_since": _l("Beroperasi sejak"),
    "member_min_age": _l("Umur minimum anggota"),
}


def field_label(field):
    return FIELD_LABELS.get(field, field)


def create_cooperative(region_code, session=None, **fields):
    """Register a KKMP for a kelurahan (used by seeding and the CLI; the UI goes through the model view)."""
    session = session or db.session
    coop = Cooperative(region_code=region_code, **fields)
    prepare_cooperative(coop, session)
    session.add(coop)
    session.flush()
    return coop


# -- organs (kkmp-domain.md §2.3) ------------------------------------------------------------------------------

def active_organ_members(coop, on=None):
    on = on or local_today(coop)
    return [m for m in coop.organ_members if m.term_start <= on <= m.term_end]


def organ_warnings(coop, on=None):
    """Rules the Juklak sets for the organs, as warnings: a board still forming must be able to save its work."""
    members = active_organ_members(coop, on)
    pengurus = [m for m in members if m.organ == "pengurus"]
    pengawas = [m for m in members if m.organ == "pengawas"]
    warnings = []
    if len(pengurus) < 5:
        warnings.append(_("The pengurus has %(n)d members; the Juklak asks for at least five.", n=len(pengurus)))
    if pengurus and len(pengurus) % 2 == 0:
        warnings.append(_("The pengurus has an even number of members (%(n)d); it must be odd.", n=len(pengurus)))
    if pengurus:
        women = sum(1 for m in pengurus if m.gender == "P")
        if women * 10 < len(pengurus) * 3:
            warnings.append(_("Women are %(pct)d%% of the pengurus; at least 30%% is required.",
                              pct=round(100 * women / len(pengurus))))
    ketua_pengawas = [m for m in pengawas if m.position == "ketua"]
    if not ketua_pengawas:
        warnings.append(_("The pengawas has no ketua; the lurah is ketua pengawas ex officio."))
    elif not any(m.is_lurah for m in ketua_pengawas):
        warnings.append(_("The ketua pengawas should be the lurah (ex officio)."))
    positions = Counter(m.position for m in pengurus)
    for required in ("ketua", "sekretaris", "bendahara"):
        if positions[required] == 0:
            warnings.append(_("The pengurus has no %(position)s.", position=_(required.capitalize())))
    return warnings


def check_business_unit(unit, existing=None, session=None):
    """One unit of each kind per cooperative; a unit cannot start in the future."""
    from app.core.scope import unscoped

    session = session or db.session
    coop_id = unit.cooperative.id if unit.cooperative is not None else unit.cooperative_id
    stmt = select(BusinessUnit.id).where(BusinessUnit.cooperative_id == coop_id, BusinessUnit.kind == unit.kind)
    if existing is not None:
        stmt = stmt.where(BusinessUnit.id != existing.id)
    if coop_id is not None and session.execute(stmt, execution_options=unscoped()).first():
        raise ValidationFailed(_l("This cooperative already has a unit of this kind."), "kind")
    if unit.started_on and unit.started_on > local_today(unit.cooperative):
        raise ValidationFailed(_l("The date cannot be in the future."), "started_on")
    return unit


def keep_or_normalise_nik(member):
    """On edit a blank NIK means 'unchanged' (the form never shows the stored one); otherwise store it normalised."""
    from sqlalchemy import inspect

    from app.core.nik import check_nik

    if not (member.nik or "").strip():
        hist = inspect(member).attrs.nik.history
        previous = (hist.deleted or hist.unchanged or (None,))[0]
        member.nik = previous
        return member
    member.nik = check_nik(member.nik)
    return member


def check_organ_member(member, today=None):
    today = today or local_today(member.cooperative)
    member.phone = identifiers.check_phone(member.phone, "phone")
    if member.term_start and member.term_end and member.term_end < member.term_start:
        raise ValidationFailed(_l("The term cannot end before it starts."), "term_end")
    if member.organ == "pengawas" and member.position not in ("ketua", "anggota"):
        raise ValidationFailed(_l("A pengawas is either ketua or anggota."), "position")
    if member.is_lurah and not (member.organ == "pengawas" and member.position == "ketua"):
        raise ValidationFailed(_l("The lurah sits on the pengawas as its ketua."), "is_lurah")
    return member


# -- dashboard ----------------------------------------------------------------------------------------------

def _stage_index():
    """SQL for ``legal_progress``'s count of steps reached in order (0 … len(LEGAL_STEPS)): the first step with an
    empty field ends the run, as in Python (a NULL or, for text, an empty string is not filled in)."""
    from sqlalchemy import String, and_, case, literal

    def filled(name):
        column = getattr(Cooperative, name)
        return and_(column.isnot(None), column != "") if isinstance(column.type, String) else column.isnot(None)

    whens = [(~and_(*[filled(f) for f in fields]), literal(i)) for i, (_k, _l, fields) in enumerate(LEGAL_STEPS)]
    return case(*whens, else_=literal(len(LEGAL_STEPS)))


def dashboard_summary(session=None):
    """Counts for the home page, over the cooperatives the current user can see (the scope layer filters): one
    GROUP BY for the stages and the pilot count, and only the ten most lagging cooperatives loaded (a province
    reads 267 rows as two aggregates instead of 267 objects). The same figures as ``legal_progress`` per row."""
    session = session or db.session
    steps = len(LEGAL_STEPS)
    index = _stage_index().label("stage_index")
    grouped = session.execute(select(index, Cooperative.is_pilot, func.count(Cooperative.id))
                              .group_by(index, Cooperative.is_pilot)).all()
    keys = ["none"] + [k for k, *_ in LEGAL_STEPS]
    by_stage, total, pilot, readiness_sum = Counter(), 0, 0, 0
    for i, is_pilot, n in grouped:
        by_stage[keys[i]] += n
        total += n
        pilot += n if is_pilot else 0
        readiness_sum += n * round(100 * i / steps)
    stages = [(key, STAGE_LABELS[key], by_stage.get(key, 0)) for key in keys]
    units = session.execute(
        select(BusinessUnit.kind, func.count()).where(BusinessUnit.status == "beroperasi").group_by(BusinessUnit.kind)
    ).all()
    lagging = session.scalars(select(Cooperative).where(_stage_index() < steps)
                              .order_by(_stage_index(), Cooperative.name).limit(10)).all()
    return {
        "total": total,
        "pilot": pilot,
        "operating": by_stage.get("operating", 0),
        "stages": stages,
        "avg_readiness": round(readiness_sum / total) if total else 0,
        "units": units,
        "organ_members": session.scalar(select(func.count()).select_from(OrganMember)),
        "lagging": lagging,
    }


PICKER_LIMIT = 500


def picker_choices(session=None):
    """``[(id, name)]`` of the cooperatives the user reads, for the cooperative filter above a list (Camat,
    Sudin, Admin); None for a user of a single cooperative, who has nothing to choose. Scoped by the session
    listener and capped, so a national scope never loads every cooperative into one page."""
    from app.core.scope import current_scope

    session = session or db.session
    scope = current_scope(session)
    if not scope.all and len(scope.read_ids) < 2:
        return None
    if scope.names is not None:  # a region's cooperatives, read with its scope (app/core/scope.py)
        return list(scope.names[:PICKER_LIMIT])
    rows = session.execute(select(Cooperative.id, Cooperative.name).order_by(Cooperative.name)
                           .limit(PICKER_LIMIT)).all()
    return [(r.id, r.name) for r in rows]
