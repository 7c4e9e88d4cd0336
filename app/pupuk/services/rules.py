"""The national rules of the module, set by Admin only: a new HET version of a type, a new eligibility version.

Both are effective-dated and append-only: an existing row is never edited or deleted, because redemptions were
priced on the HET of their date and farmers were registered under the eligibility of theirs. A new version starts
strictly after the latest one (nothing is slipped in between), and

* a HET starts after the latest redemption of its type in any cooperative (a redemption already made on or after
  that date was priced at the old HET and keeps that price, so the new one would not be what it was sold at);
* an eligibility version starts today or later in every time zone (``latest_today``: WIT), so no registration
  already checked under the old rule falls inside the new one's period.

The audit row of the new row is written by app.core.audit's flush listener in the caller's transaction; none
commits.
"""
from decimal import Decimal

from flask_babel import gettext
from sqlalchemy import func, select

from app.core.dates import latest_today, parse_date_field
from app.core.errors import ValidationFailed
from app.core.formatting import number, tanggal
from app.core.money import parse_rupiah
from app.core.scope import unscoped

from ..models import COMMODITIES, COMMODITY_LABELS, PupukEligibility, PupukHet, PupukRedemption, PupukType
from .common import require_role, type_of
from .farmers import parse_ha

# A slipped key, not a HET: the dearest subsidised type costs Rp3.300/kg (kkmp-domain.md §3.4).
MAX_HET_PER_KG = Decimal("1000000")
# The rule is "at most 2 ha" (Perpres 6/2025); a limit above this is a typing error.
MAX_LAND_LIMIT_HA = Decimal("100")
ADMIN_ONLY = frozenset()  # require_role lets Admin through whatever the set


def _legal_basis(value):
    text = " ".join(str(value or "").split())
    if len(text) < 5:
        raise ValidationFailed(gettext("Dasar hukum wajib diisi (nomor Kepmentan, Permentan atau Perpres)."),
                               "legal_basis")
    if len(text) > 120:
        raise ValidationFailed(gettext("Dasar hukum paling panjang 120 huruf."), "legal_basis")
    return text


def _day(value, label, field):
    if hasattr(value, "year") and hasattr(value, "day"):
        return value
    return parse_date_field(str(value or ""), label, field)


def latest_redemption_date(session, pupuk_type_id):
    """The latest redemption date of a type in any cooperative (index ix_pupuk_redemption_type_date), or None."""
    return session.execute(select(func.max(PupukRedemption.redemption_date))
                           .where(PupukRedemption.pupuk_type_id == pupuk_type_id),
                           execution_options=unscoped()).scalar()


def het_overview(session, day):
    """What the Admin's form shows per active type: the HET in force on ``day``, the latest version's start, the
    latest redemption and the earliest start a new version may have."""
    from datetime import timedelta

    out = []
    for t in session.execute(select(PupukType).where(PupukType.active.is_(True)).order_by(PupukType.id)).scalars():
        current = session.execute(select(PupukHet).where(PupukHet.pupuk_type_id == t.id, PupukHet.valid_from <= day)
                                  .order_by(PupukHet.valid_from.desc()).limit(1)).scalar()
        latest = session.execute(select(func.max(PupukHet.valid_from)).where(PupukHet.pupuk_type_id == t.id)).scalar()
        sold = latest_redemption_date(session, t.id)
        bounds = [d for d in (latest, sold) if d is not None]
        out.append({"type": t, "current": current, "latest_from": latest, "latest_redemption": sold,
                    "earliest": max(bounds) + timedelta(days=1) if bounds else None})
    return out


def do_set_het(session, *, pupuk_type, valid_from, het_per_kg, legal_basis, acting_user):
    """A new HET version of a type from ``valid_from`` (``het_per_kg`` as typed: ``2.250`` is Rp2.250; the price
    per sack follows from the type's sack size). Refused, nothing written: not Admin, an unknown type, an amount
    not above zero or above Rp1.000.000/kg, a missing legal basis, a date not after the type's latest HET or
    not after its latest redemption. Returns the new PupukHet."""
    require_role(acting_user, ADMIN_ONLY, gettext("Hanya Admin yang dapat menetapkan HET pupuk bersubsidi."))
    pupuk_type = type_of(session, pupuk_type)
    day = _day(valid_from, gettext("Berlaku mulai"), "valid_from")
    price = parse_rupiah(het_per_kg, "het_per_kg", gettext("HET per kg"), maximum=MAX_HET_PER_KG)
    basis = _legal_basis(legal_basis)
    # The type's row locked: a redemption of the type takes a key-share lock on it before it reads the HET
    # (redeem.py), so it either finished before this check counts it, or reads the new HET after this commits.
    session.execute(select(PupukType.id).where(PupukType.id == pupuk_type.id).with_for_update())
    latest = session.execute(select(func.max(PupukHet.valid_from))
                             .where(PupukHet.pupuk_type_id == pupuk_type.id)).scalar()
    if latest is not None and day <= latest:
        raise ValidationFailed(gettext("HET %(t)s baru harus berlaku setelah %(d)s (HET terakhir yang sudah "
                                       "ditetapkan); HET lama tidak diubah.", t=pupuk_type.name, d=tanggal(latest)),
                               "valid_from")
    sold = latest_redemption_date(session, pupuk_type.id)
    if sold is not None and day <= sold:
        raise ValidationFailed(gettext("Sudah ada penebusan %(t)s pada %(d)s dengan HET lama; HET baru harus "
                                       "berlaku setelah tanggal itu.", t=pupuk_type.name, d=tanggal(sold)),
                               "valid_from")
    row = PupukHet(pupuk_type_id=pupuk_type.id, valid_from=day, het_per_kg=price, legal_basis=basis)
    row.pupuk_type = pupuk_type
    session.add(row)
    session.flush()
    return row


def do_set_eligibility(session, *, valid_from, max_land_ha, commodities, legal_basis, acting_user):
    """A new eligibility version from ``valid_from`` (today or later): the land limit in hectares (``2,5``) and
    the commodities (codes of COMMODITIES). Refused, nothing written: not Admin, a date before today or not after
    the latest version, a limit not above zero or above 100 ha, no or an unknown commodity, no legal basis.
    Returns the new PupukEligibility."""
    require_role(acting_user, ADMIN_ONLY, gettext("Hanya Admin yang dapat menetapkan syarat penerima pupuk "
                                                  "bersubsidi."))
    day = _day(valid_from, gettext("Berlaku mulai"), "valid_from")
    today = latest_today()
    if day < today:
        raise ValidationFailed(gettext("Syarat penerima baru berlaku paling cepat hari ini (%(d)s); syarat untuk "
                                       "tanggal yang sudah lewat tidak diubah.", d=tanggal(today)), "valid_from")
    limit = parse_ha(max_land_ha, "max_land_ha")
    if limit > MAX_LAND_LIMIT_HA:
        raise ValidationFailed(gettext("Batas luas lahan %(h)s ha tidak masuk akal (paling banyak 100 ha).",
                                       h=number(limit)), "max_land_ha")
    if isinstance(commodities, str):
        commodities = commodities.split(",")
    codes = []
    for raw in commodities or []:
        code = str(raw or "").strip().lower().replace(" ", "_")
        if not code:
            continue
        if code not in COMMODITY_LABELS:
            raise ValidationFailed(gettext("Komoditas %(c)s tidak dikenal.", c=str(raw)[:40]), "commodities")
        if code not in codes:
            codes.append(code)
    if not codes:
        raise ValidationFailed(gettext("Pilih paling sedikit satu komoditas penerima."), "commodities")
    basis = _legal_basis(legal_basis)
    latest = session.execute(select(func.max(PupukEligibility.valid_from))).scalar()
    if latest is not None and day <= latest:
        raise ValidationFailed(gettext("Syarat penerima baru harus berlaku setelah %(d)s (syarat terakhir yang "
                                       "sudah ditetapkan); syarat lama tidak diubah.", d=tanggal(latest)),
                               "valid_from")
    order = [c for c, _label in COMMODITIES]
    row = PupukEligibility(valid_from=day, max_land_ha=limit, commodities=",".join(sorted(codes, key=order.index)),
                           legal_basis=basis)
    session.add(row)
    session.flush()
    return row
