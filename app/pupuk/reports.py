"""Realisasi vs alokasi (Pedoman penyaluran layout, kkmp-domain.md §3.6): the farmers' current allocations against
what they redeemed (national: at any kiosk), grouped per farmer, poktan, kelurahan, kecamatan or city, by type and
season, within the reader's scope (the farmers' cooperatives)."""
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from .models import Farmer, Poktan, PupukQuota, PupukType, season_label

LEVELS = {"petani": _l("Petani"), "poktan": _l("Kelompok tani"), "kelurahan": _l("Kelurahan/desa"),
          "kecamatan": _l("Kecamatan"), "kota": _l("Kabupaten/kota")}


def realisation(session, level="kecamatan", year=None, season=None, pupuk_type_id=None, limit=5000):
    """[{key, name, pupuk_type, season, allocated_kg, redeemed_kg, remaining_kg, percent}] ordered by group,
    type and season."""
    from app.regions.models import Region

    q = PupukQuota.__table__
    if level == "petani":
        key, name = Farmer.id, Farmer.name
    elif level == "poktan":
        key, name = func.coalesce(Farmer.poktan_id, 0), func.coalesce(Poktan.name, "-")
    elif level == "kelurahan":
        key = name = Farmer.region_code
    elif level == "kota":
        key = name = func.substr(Farmer.region_code, 1, 5)
    else:
        key = name = func.substr(Farmer.region_code, 1, 8)
    stmt = (select(key.label("key"), name.label("name"), PupukType.name.label("type_name"), q.c.year, q.c.season,
                   func.sum(q.c.allocated_kg).label("allocated"), func.sum(q.c.redeemed_kg).label("redeemed"))
            .select_from(q).join(Farmer, Farmer.id == q.c.farmer_id).join(PupukType, PupukType.id == q.c.pupuk_type_id))
    if level == "poktan":
        stmt = stmt.outerjoin(Poktan, Poktan.id == Farmer.poktan_id)
    if year:
        stmt = stmt.where(q.c.year == int(year))
    if season:
        stmt = stmt.where(q.c.season == int(season))
    if pupuk_type_id:
        stmt = stmt.where(q.c.pupuk_type_id == int(pupuk_type_id))
    stmt = stmt.group_by(key, name, PupukType.id, PupukType.name, q.c.year, q.c.season).order_by(
        name, q.c.year, q.c.season, PupukType.id).limit(limit)
    rows = session.execute(stmt).all()
    names = {}
    if level in ("kelurahan", "kecamatan", "kota") and rows:
        names = dict(session.execute(select(Region.code, Region.name).where(
            Region.code.in_({r.key for r in rows}))).all())
    out = []
    for r in rows:
        allocated, redeemed = Decimal(r.allocated or 0), Decimal(r.redeemed or 0)
        label = f"{r.key} {names[r.key]}" if r.key in names else str(r.name)
        out.append({"key": r.key, "name": label, "pupuk_type": r.type_name, "year": r.year,
                    "season": season_label(r.season), "allocated_kg": allocated, "redeemed_kg": redeemed,
                    "remaining_kg": allocated - redeemed,
                    "percent": (redeemed * 100 / allocated).quantize(Decimal("0.1")) if allocated else Decimal("0")})
    return out


HEADERS = ["Wilayah / kelompok", "Jenis pupuk", "Tahun", "MT", "Alokasi (kg)", "Realisasi (kg)", "Sisa (kg)",
           "Realisasi (%)"]


def as_rows(rows):
    for r in rows:
        yield [r["name"], r["pupuk_type"], r["year"], r["season"], float(r["allocated_kg"]), float(r["redeemed_kg"]),
               float(r["remaining_kg"]), float(r["percent"])]
