"""Penebusan (redemption) at the kiosk, its reversal, and the remaining quota.

``do_redeem``: the farmer by NIK (typed or scanned) or id, in any cooperative (a national record); the season of
the date; kg whole, > 0, <= the remaining quota and <= the stock of the kiosk; the price the HET of the date
(delivery, if any, a separate line); stock out through the inventory's ``move`` at its moving average; one journal
Dr kas / Cr penjualan pupuk bersubsidi (anggota or non-anggota), Dr HPP pupuk / Cr persediaan pupuk, and a
delivery line Cr pendapatan lain-lain. The quota is taken by one conditional UPDATE of the national quota row
(``redeemed + kg <= allocated``): the first writer locks the row, a concurrent one waits and re-evaluates against
the committed figure, so kiosks of any cooperative never pass the allocation together; no row back is a refusal.

Lock order: the stock balance, the quota row, the redemption counter, then the ledger (period, journal counter).
"""
from decimal import ROUND_HALF_UP, Decimal

from flask_babel import gettext
from sqlalchemy import and_, select, update
from sqlalchemy.orm import lazyload

from app.core.audit import utcnow
from app.core.dates import local_today
from app.core.errors import DomainError, NotFound, ValidationFailed
from app.core.formatting import rupiah, tanggal
from app.core.money import parse_rupiah
from app.core.nik import check_nik
from app.core.upsert import next_number_and_id

from ..models import (PROXY_RELATION_LABELS, PupukAllocation, PupukItem, PupukQuota, PupukRedemption, PupukType,
                      RedemptionCounter, season_label)
from .common import (REDEEM_ROLES, REVERSE_ROLES, farmer_facts, het_on, hmac_of, kg_text, parse_kg, require_pupuk,
                     require_role, season_bounds, season_of, type_of)

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


class AlreadyReversed(DomainError):
    """The redemption was reversed already."""


def redemption_number(year, seq):
    return f"TP-{year}-{seq:06d}"


def quota_rows(session, nik_hmac, year=None, season=None):
    """The farmer's quota rows [{pupuk_type, type_name, season, year, allocated_kg, redeemed_kg, remaining_kg}],
    national (every cooperative's redemptions count), one indexed read."""
    q = PupukQuota.__table__
    stmt = select(q, PupukType.code, PupukType.name, PupukType.sack_kg).join(
        PupukType, PupukType.id == q.c.pupuk_type_id).where(q.c.nik_hmac == nik_hmac)
    if year is not None:
        stmt = stmt.where(q.c.year == year)
    if season is not None:
        stmt = stmt.where(q.c.season == season)
    out = []
    for row in session.execute(stmt.order_by(q.c.year, q.c.season, q.c.pupuk_type_id)).all():
        allocated, redeemed = Decimal(row.allocated_kg), Decimal(row.redeemed_kg)
        out.append({"pupuk_type": row.code, "type_name": row.name, "season": row.season, "year": row.year,
                    "allocated_kg": allocated, "redeemed_kg": redeemed, "remaining_kg": allocated - redeemed,
                    "pupuk_type_id": row.pupuk_type_id})
    return out


def remaining_of(session, nik_hmac, pupuk_type_id, year, season):
    q = PupukQuota.__table__
    row = session.execute(select(q.c.allocated_kg, q.c.redeemed_kg).where(
        q.c.nik_hmac == nik_hmac, q.c.pupuk_type_id == pupuk_type_id, q.c.year == year, q.c.season == season)).first()
    return (Decimal(row.allocated_kg) - Decimal(row.redeemed_kg)) if row else Decimal("0")


def find_redemption(session, coop_id, key):
    """The redemption already recorded under ``key``, or None. Asked on every redemption and almost always None:
    the id alone, without the cooperative, location and type the row joins when it is loaded whole."""
    pk = session.execute(select(PupukRedemption.id).where(PupukRedemption.cooperative_id == coop_id,
                                                          PupukRedemption.idempotency_key == key)).scalar()
    return session.get(PupukRedemption, pk) if pk is not None else None


def stock_item(session, coop, pupuk_type):
    """The inventory item the cooperative keeps ``pupuk_type`` as (its own row only: the item's business unit and
    cooperative are not needed to sell it)."""
    from app.inventory.models import Item

    item = session.execute(select(Item).join(PupukItem, PupukItem.item_id == Item.id)
                           .where(PupukItem.cooperative_id == coop.id, PupukItem.pupuk_type_id == pupuk_type.id)
                           .options(lazyload("*"))).scalar()
    if item is None:
        raise ValidationFailed(gettext("Koperasi ini belum menetapkan barang persediaan untuk %(t)s; tidak ada "
                                       "stok yang dapat ditebus.", t=pupuk_type.name), "pupuk_type")
    return item


def take_quota(session, nik_hmac, pupuk_type, year, season, kg):
    """Count ``kg`` against the quota row; refuse past the allocation (also under concurrency)."""
    q = PupukQuota.__table__
    stmt = (update(q).where(and_(q.c.nik_hmac == nik_hmac, q.c.pupuk_type_id == pupuk_type.id, q.c.year == year,
                                 q.c.season == season, q.c.redeemed_kg + kg <= q.c.allocated_kg))
            .values(redeemed_kg=q.c.redeemed_kg + kg).returning(q.c.allocated_kg, q.c.redeemed_kg))
    row = session.execute(stmt).first()
    if row is None:
        left = remaining_of(session, nik_hmac, pupuk_type.id, year, season)
        if left <= 0:
            raise ValidationFailed(gettext("Kuota %(t)s petani ini untuk %(s)s %(y)d sudah habis (sisa 0 kg).",
                                           t=pupuk_type.name, s=season_label(season), y=year), "kg")
        raise ValidationFailed(gettext("Jumlah %(k)s kg melebihi sisa kuota %(t)s petani ini untuk %(s)s %(y)d "
                                       "(sisa %(left)s kg).", k=kg_text(kg), t=pupuk_type.name,
                                       s=season_label(season), y=year, left=kg_text(left)), "kg")
    return Decimal(row.allocated_kg) - Decimal(row.redeemed_kg)


def _is_member(session, coop, digest):
    from app.members.models import Member

    return session.execute(select(Member.id).where(Member.cooperative_id == coop.id, Member.nik_hmac == digest,
                                                   Member.status == "aktif")).first() is not None


def do_redeem(session, *, location, pupuk_type, kg, idempotency_key, acting_user, farmer_id=None, nik=None,
              redemption_date=None, proxy_nik=None, proxy_relation=None, proxy_name=None, delivery_fee=None,
              payment_method="tunai", today=None, api=False):
    """Redeem ``kg`` of ``pupuk_type`` for a farmer at ``location``. Returns the PupukRedemption (the first one
    when the idempotency key is replayed)."""
    from app.inventory.services.common import actor_name, check_day, check_key, location_of
    from app.inventory.services.stock import check_available, issue_position, issue_value, lock_balance, move
    from app.ledger.services import post_entry

    require_role(acting_user, REDEEM_ROLES, gettext("Hanya Petugas, Sekretaris atau Pengurus yang dapat mencatat "
                                                    "penebusan pupuk."))
    location, coop = location_of(session, location)
    require_pupuk(session, coop)
    key = check_key(idempotency_key)
    existing = find_redemption(session, coop.id, key)
    if existing is not None:
        return existing
    day = check_day(session, coop, redemption_date or local_today(coop), today)
    # A key-share lock on the type, in the statement that reads it (what the redemption's foreign key takes anyway,
    # taken before the HET is read): an Admin setting a new HET of the type (rules.do_set_het, FOR UPDATE) waits
    # for this redemption and counts its date, or this one waits and reads the new HET.
    pupuk_type = type_of(session, pupuk_type, lock=True)
    farmer = farmer_facts(session, farmer_id=farmer_id, nik=nik)
    if not farmer.active:
        raise ValidationFailed(gettext("Petani %(n)s tidak aktif; penebusan ditolak.", n=farmer.name), "farmer_id")
    qty = parse_kg(kg, "kg", whole=True)
    year, season = season_of(day)
    proxy = None
    if proxy_nik not in (None, ""):
        proxy = check_nik(proxy_nik, "proxy_nik")
        if hmac_of(proxy) == farmer.nik_hmac:
            raise ValidationFailed(gettext("NIK kuasa sama dengan NIK petani; kosongkan bila petani menebus "
                                           "sendiri."), "proxy_nik")
        if proxy_relation not in PROXY_RELATION_LABELS:
            raise ValidationFailed(gettext("Sebut hubungan penerima kuasa dengan petani (suami/istri, anak, orang "
                                           "tua, saudara, ahli waris, penerima kuasa)."), "proxy_relation")
    allocated = session.execute(select(PupukQuota.allocated_kg).where(
        PupukQuota.nik_hmac == farmer.nik_hmac, PupukQuota.pupuk_type_id == pupuk_type.id,
        PupukQuota.year == year, PupukQuota.season == season)).scalar()
    if not allocated:
        first, last = season_bounds(year, season)
        raise ValidationFailed(gettext("Petani ini tidak punya alokasi %(t)s untuk %(s)s %(y)d (%(a)s-%(b)s); "
                                       "tanggal penebusan di luar musim alokasinya.", t=pupuk_type.name,
                                       s=season_label(season), y=year, a=first.strftime("%d/%m"),
                                       b=tanggal(last)), "date")
    het = het_on(session, pupuk_type, day)
    price = Decimal(het.het_per_kg)
    amount = (price * qty).quantize(CENT, ROUND_HALF_UP)
    fee = parse_rupiah(delivery_fee, "delivery_fee", gettext("Ongkos angkut"), api=api) \
        if delivery_fee not in (None, "", 0, "0") else ZERO
    if payment_method not in ("tunai", "qris", "transfer"):
        raise ValidationFailed(gettext("Pilih cara bayar: tunai, QRIS atau transfer."), "payment_method")
    item = stock_item(session, coop, pupuk_type)
    balance = lock_balance(session, coop.id, item.id, location.id)
    lowest = issue_position(session, [item.id], location, day)  # refuses a date an approved count fixed
    check_available(session, item, location, day, qty, lowest=lowest[item.id])
    remaining = take_quota(session, farmer.nik_hmac, pupuk_type, year, season, qty)
    seq, reserved_id = next_number_and_id(session, RedemptionCounter.__table__, coop.id, day.year,
                                          PupukRedemption.__table__)
    member = _is_member(session, coop, farmer.nik_hmac)
    # Valued as the movement will be (issue_value, under the locked balance): the journal is posted before the
    # movement is written, and the redemption row carries its cost from the start.
    cost = issue_value(balance, qty)
    redemption = PupukRedemption(
        id=reserved_id, cooperative_id=coop.id, number=redemption_number(day.year, seq), year=day.year, seq=seq,
        redemption_date=day, location_id=location.id, farmer_id=farmer.id, farmer_name=farmer.name,
        nik_hmac=farmer.nik_hmac, pupuk_type_id=pupuk_type.id, quota_year=year, season=season, kg=qty,
        price_per_kg=price, amount=amount, delivery_fee=fee, total=amount + fee, remaining_kg=remaining, nik=proxy,
        proxy_relation=proxy_relation if proxy else None,
        proxy_name=(" ".join((proxy_name or "").split())[:120] or None) if proxy else None, is_member=member,
        cost=cost, idempotency_key=key, created_by=actor_name(acting_user))
    if reserved_id is None:  # SQLite: the row is inserted first to learn its id (next_number_and_id)
        session.add(redemption)
        session.flush()
    cash = "kas" if payment_method == "tunai" else "bank"
    revenue = "penjualan_pupuk_subsidi_anggota" if member else "penjualan_pupuk_subsidi_non_anggota"
    lines = [(cash, amount + fee, ZERO), (revenue, ZERO, amount)]
    if fee > 0:
        lines.append(("pendapatan_lain", ZERO, fee, "ongkos angkut"))
    if cost > 0:
        lines += [("hpp_pupuk", cost, ZERO), ("persediaan_pupuk", ZERO, cost)]
    entry = post_entry(session, cooperative_id=coop.id, entry_date=day,
                       description=f"Penebusan pupuk {redemption.number} {pupuk_type.name} {kg_text(qty)} kg "
                                   f"({farmer.name})"[:200],
                       lines=lines, reference=redemption.number, business_unit_id=location.business_unit_id,
                       source_type="pupuk_redemption", source_id=redemption.id, acting_user=acting_user)
    movement = move(session, coop=coop, item=item, location=location, day=day, kind="jual", quantity_out=qty,
                    reference=redemption.number, source_type="pupuk_redemption", source_id=redemption.id,
                    balance=balance, checked=True, journal_entry_id=entry.id)
    if movement.value != cost:  # pragma: no cover - issue_value and move value an issue alike
        raise RuntimeError(f"stock value of {item.name}: journal {cost}, movement {movement.value}")
    # On PostgreSQL the redemption is inserted here, once and complete, with the movement (its id was reserved
    # with its number); on SQLite it was inserted before the posting and this is its one UPDATE.
    redemption.journal_entry_id = entry.id
    session.add(redemption)
    session.flush()
    return redemption


def do_reverse_redemption(session, *, redemption, reason, acting_user, today=None):
    """Koreksi: the redemption is reversed, never edited: the stock comes back at the cost it left with, the
    quota is given back, the journal is reversed by the ledger's own reversal; dated today, in an open period.
    Once per redemption, also under concurrency (the row is locked)."""
    from app.inventory.services.common import check_day
    from app.inventory.services.stock import lock_balance, move
    from app.inventory.models import StockMovement
    from app.ledger.services import reverse_entry

    require_role(acting_user, REVERSE_ROLES, gettext("Hanya Sekretaris atau Pengurus yang dapat mengoreksi "
                                                     "penebusan pupuk."))
    pk = redemption.id if isinstance(redemption, PupukRedemption) else redemption
    reason = " ".join((reason or "").split())
    if len(reason) < 5:
        raise ValidationFailed(gettext("Tulis alasan koreksi dengan jelas (paling sedikit 5 huruf)."), "reason")
    row = session.execute(select(PupukRedemption).where(PupukRedemption.id == pk).with_for_update(
        of=PupukRedemption).execution_options(populate_existing=True)).unique().scalar()
    if row is None:
        raise NotFound(gettext("Penebusan tidak ditemukan."), "redemption")
    if row.reversed_at is not None:
        raise AlreadyReversed(gettext("Penebusan %(n)s sudah dikoreksi.", n=row.number), "redemption")
    location, coop = row.location, row.location.cooperative
    day = check_day(session, coop, today or local_today(coop), today)
    out = session.execute(select(StockMovement).where(StockMovement.source_type == "pupuk_redemption",
                                                      StockMovement.source_id == row.id)).unique().scalars().first()
    if out is not None:
        balance = lock_balance(session, coop.id, out.item_id, location.id)
        move(session, coop=coop, item=out.item, location=location, day=day, kind="batal_jual",
             quantity_in=out.quantity_out, value=out.value, reference=row.number,
             source_type="pupuk_redemption_rev", source_id=row.id, balance=balance)
    q = PupukQuota.__table__
    session.execute(update(q).where(q.c.nik_hmac == row.nik_hmac, q.c.pupuk_type_id == row.pupuk_type_id,
                                    q.c.year == row.quota_year, q.c.season == row.season, q.c.redeemed_kg >= row.kg)
                    .values(redeemed_kg=q.c.redeemed_kg - row.kg))
    entry = reverse_entry(session, row.journal_entry_id, day, f"koreksi penebusan {row.number}: {reason}"[:200],
                          acting_user=acting_user, _owner="pupuk_redemption")
    row.reversed_at = utcnow()
    row.reverse_reason = reason[:255]
    row.reverse_journal_entry_id = entry.id
    session.flush()
    return row


def current_allocation(session, farmer_id, pupuk_type_id, year, season):
    return session.execute(select(PupukAllocation).where(
        PupukAllocation.farmer_id == farmer_id, PupukAllocation.pupuk_type_id == pupuk_type_id,
        PupukAllocation.year == year, PupukAllocation.season == season, PupukAllocation.is_current.is_(True))
    ).scalar()


__all__ = ["rupiah"]
