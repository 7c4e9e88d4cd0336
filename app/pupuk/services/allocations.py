"""Allocations per farmer x type x season x year, in versions, entered or imported from the e-RDKK layout.

A new allocation of the same farmer, type, season and year is a new version (the previous one is kept, marked
superseded); the national quota row follows it, and may not drop below what the farmer has redeemed so far (the
quota row is locked while it changes, so a redemption at the same moment is counted before the check).
"""
from flask_babel import gettext
from sqlalchemy import func, select, update

from app.core.errors import DomainError, ValidationFailed
from app.core.upsert import upsert

from ..models import COMMODITY_LABELS, Farmer, PupukAllocation, PupukQuota, season_label
from .common import ENTRY_ROLES, check_season, kg_text, parse_kg, require_role, type_of


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


__all__ = ["COMMODITY_LABELS", "DomainError"]
