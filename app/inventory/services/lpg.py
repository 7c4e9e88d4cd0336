"""LPG 3 kg pangkalan rules (kkmp-domain.md §4): the buyer's NIK and segment on every sale, and a monthly cap of
tubes per NIK counted across every cooperative.

The cap is taken by one statement, ``INSERT .. ON CONFLICT DO UPDATE SET tubes = tubes + n WHERE tubes + n <=
cap RETURNING tubes``: the row of that NIK and month is locked by the first writer, a concurrent sale waits and
re-evaluates the condition against the committed count, so two counters can never sell past the cap together.
No row back is a refusal. A void gives the tubes back.
"""
from flask import current_app, has_app_context
from flask_babel import gettext
from sqlalchemy import select, update

from app.core.errors import ValidationFailed
from app.core.identifiers import normalise_digits
from app.core.nik import check_nik
from app.core.upsert import upsert

from ..models import LPG_SEGMENT_LABELS, LpgQuota

DEFAULT_MONTHLY_CAP = 15  # Dirjen Migas, Feb 2025: at most 15 tubes per KTP per month


def monthly_cap(region_code):
    """``LPG_MONTHLY_CAP`` (default 15), or the most specific ``LPG_MONTHLY_CAP_BY_REGION`` prefix of the
    cooperative's kelurahan code (e.g. {"64.72": 10})."""
    if not has_app_context():
        return DEFAULT_MONTHLY_CAP
    by_region = current_app.config.get("LPG_MONTHLY_CAP_BY_REGION") or {}
    matches = [code for code in by_region if region_code == code or region_code.startswith(code + ".")]
    if matches:
        return int(by_region[max(matches, key=len)])
    return int(current_app.config.get("LPG_MONTHLY_CAP", DEFAULT_MONTHLY_CAP))


def check_buyer(nik, segment, nib):
    """The buyer of LPG 3 kg: a valid NIK (normalised), a segment, and an NIB for usaha mikro."""
    if nik is None or not str(nik).strip():
        raise ValidationFailed(gettext("Penjualan LPG 3 kg wajib mencatat NIK pembeli."), "buyer_nik")
    nik = check_nik(nik, "buyer_nik")
    if segment not in LPG_SEGMENT_LABELS:
        raise ValidationFailed(gettext("Pilih segmen pembeli LPG 3 kg (rumah tangga, usaha mikro, nelayan "
                                       "sasaran, petani sasaran)."), "buyer_segment")
    nib = normalise_digits(nib) if nib else None
    if segment == "usaha_mikro" and not (nib and nib.isdigit() and len(nib) == 13):
        raise ValidationFailed(gettext("Pembeli usaha mikro wajib menyebut NIB (13 angka)."), "buyer_nib")
    return nik, segment, (nib if segment == "usaha_mikro" else None)


def take_quota(session, nik_hmac, day, tubes, cap):
    """Count ``tubes`` against the buyer's month; refuse past the cap (also under concurrency)."""
    if tubes > cap:
        raise ValidationFailed(gettext("Batas LPG 3 kg %(cap)d tabung per NIK per bulan; diminta %(n)d.", cap=cap,
                                       n=tubes), "lines")
    table = LpgQuota.__table__
    stmt = upsert(session, table).values(nik_hmac=nik_hmac, year=day.year, month=day.month, tubes=tubes)
    stmt = stmt.on_conflict_do_update(index_elements=["nik_hmac", "year", "month"],
                                      set_={"tubes": table.c.tubes + tubes},
                                      where=(table.c.tubes + tubes <= cap)).returning(table.c.tubes)
    taken = session.execute(stmt).scalar()
    if taken is None:
        bought = used(session, nik_hmac, day)
        raise ValidationFailed(gettext("NIK ini sudah membeli %(b)d tabung LPG 3 kg bulan ini; batasnya %(cap)d "
                                       "tabung per bulan (sisa %(left)d).", b=bought, cap=cap,
                                       left=max(cap - bought, 0)), "lines")
    return taken


def used(session, nik_hmac, day):
    return session.execute(select(LpgQuota.tubes).where(LpgQuota.nik_hmac == nik_hmac, LpgQuota.year == day.year,
                                                        LpgQuota.month == day.month)).scalar() or 0


def give_back(session, nik_hmac, day, tubes):
    session.execute(update(LpgQuota).where(LpgQuota.nik_hmac == nik_hmac, LpgQuota.year == day.year,
                                           LpgQuota.month == day.month, LpgQuota.tubes >= tubes)
                    .values(tubes=LpgQuota.tubes - tubes).execution_options(synchronize_session=False))
