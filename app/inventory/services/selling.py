"""Counter sales (penjualan gerai) and their void.

``do_sell``: the member or public price in force on the sale's date by itself, refused above the HET (+ the
region's margin), refused when paid short; stock out at the moving average; one journal: Dr kas (or bank for QRIS
and transfer) / Cr penjualan dari anggota or non-anggota per business line, and Dr HPP / Cr persediaan at cost.
LPG 3 kg lines need the buyer's NIK and segment and count against the national monthly cap.

Lock order everywhere: the stock balances (item id order), the LPG quota row, the sale counter, then the ledger
(period, journal counter), so concurrent sales never deadlock.
"""
from collections import OrderedDict
from decimal import ROUND_HALF_UP

from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.orm import lazyload

from app.core.audit import utcnow
from app.core.errors import DomainError, NotFound, ValidationFailed
from app.core.formatting import rupiah
from app.core.money import parse_rupiah

from ..models import PAYMENT_LABELS, ZERO, Sale, SaleLine, StockMovement
from . import lpg
from .common import (CENT, SELL_ROLES, VOID_ROLES, actor_name, check_day, check_key, item_by_barcode, item_of,
                     location_of, refuse_at_counter,
                     next_sale_seq, parse_quantity, require_role, sale_number)
from ..models import Item
from .prices import check_het, het_rows, price_for, price_rows
from .stock import check_available, first_expiry_first_out, issue_position, issue_values, lock_balances, move

# Revenue and HPP purposes per item category (app.ledger.chart.DEFAULT_PURPOSES); air, obat and the rest go with
# the sembako kiosk's accounts until the chart has their own.
LINE_OF = {"lpg_3kg": "lpg", "pupuk_non_subsidi": "pupuk"}
REVENUE = {"sembako": ("penjualan_sembako_anggota", "penjualan_sembako_non_anggota", "hpp_sembako"),
           "lpg": ("penjualan_lpg_anggota", "penjualan_lpg_non_anggota", "hpp_lpg"),
           "pupuk": ("penjualan_pupuk_anggota", "penjualan_pupuk_non_anggota", "hpp_pupuk")}


class AlreadyVoided(DomainError):
    """The sale was voided already."""


def find_sale(session, coop_id, key):
    """The sale already recorded under ``key``, or None. Asked on every sale and almost always None: the id
    alone, without the location and cooperative the row joins when it is loaded whole."""
    pk = session.execute(select(Sale.id).where(Sale.cooperative_id == coop_id, Sale.idempotency_key == key)).scalar()
    return session.get(Sale, pk) if pk is not None else None


def _load_items(session, coop, lines):
    """Every item a sale names by id, read in one statement into the session (item_of then finds them there
    without a statement each: the caller keeps the returned list, the session holds its objects only weakly).
    Ids that are not numbers, or not this cooperative's, are left to item_of to refuse."""
    ids = set()
    for raw in lines:
        if isinstance(raw, dict) and raw.get("item_id") not in (None, "") and not isinstance(raw["item_id"], bool):
            try:
                ids.add(int(raw["item_id"]))
            except (TypeError, ValueError):
                pass
    if len(ids) < 2:
        return []
    return session.execute(select(Item).where(Item.id.in_(ids), Item.cooperative_id == coop.id)
                           .options(lazyload("*"))).scalars().all()


def _member(session, coop, member_id):
    from app.members.models import Member

    if member_id in (None, "", 0, "0", "umum"):
        return None
    try:
        member = session.get(Member, int(member_id))
    except (TypeError, ValueError):
        member = None
    if member is None or member.cooperative_id != coop.id:
        raise NotFound(gettext("Anggota tidak ditemukan di koperasi ini."), "member_id")
    if member.status != "aktif":
        raise ValidationFailed(gettext("%(n)s bukan anggota aktif; jual dengan harga umum.", n=member.name),
                               "member_id")
    return member


def do_sell(session, *, location, lines, paid, idempotency_key, acting_user, member=None, sale_date=None,
            payment_method="tunai", buyer_nik=None, buyer_segment=None, buyer_nib=None, today=None, api=False):
    """Sell ``lines`` of ``{"item_id", "quantity"}`` (or ``{"barcode", "quantity"}``) at ``location``. Returns the Sale (the first one when the
    idempotency key is replayed, never a second)."""
    from app.core.dates import local_today
    from app.ledger.services import post_entry
    from app.members.services import nik_hmac

    require_role(acting_user, SELL_ROLES, gettext("Hanya Petugas, Sekretaris atau Pengurus yang dapat menjual."))
    location, coop = location_of(session, location)
    key = check_key(idempotency_key)
    existing = find_sale(session, coop.id, key)
    if existing is not None:
        return existing
    day = check_day(session, coop, sale_date or local_today(coop), today)
    if payment_method not in PAYMENT_LABELS:
        raise ValidationFailed(gettext("Pilih cara bayar: tunai, QRIS atau transfer."), "payment_method")
    member = _member(session, coop, member)
    if not lines or not isinstance(lines, (list, tuple)):
        raise ValidationFailed(gettext("Isi paling sedikit satu barang."), "lines")
    merged = OrderedDict()  # the same item scanned twice is one line
    loaded = _load_items(session, coop, lines)  # noqa: F841 - held so that item_of finds them in the session
    for raw in lines:
        if not isinstance(raw, dict):
            raise ValidationFailed(gettext("Baris penjualan tidak lengkap."), "lines")
        if raw.get("item_id") in (None, "") and raw.get("barcode"):
            item = item_of(session, coop, item_by_barcode(session, coop.id, str(raw["barcode"])))
        else:
            item = item_of(session, coop, raw.get("item_id"))
        qty = parse_quantity(raw.get("quantity"), item)
        if item.id in merged:
            merged[item.id] = (item, merged[item.id][1] + qty)
        else:
            merged[item.id] = (item, qty)
    refuse_at_counter(session, [item for item, _qty in merged.values()])
    priced, total, tubes = [], ZERO, 0
    items = [item for item, _qty in merged.values()]
    prices, hets = price_rows(session, items, day), het_rows(session, items, coop.region_code, day)
    for item, qty in merged.values():
        unit_price = price_for(session, item, day, member, row=prices.get(item.id))
        check_het(session, item, coop.region_code, day, unit_price, row=hets[item.id])
        amount = (unit_price * qty).quantize(CENT, ROUND_HALF_UP)
        priced.append((item, qty, unit_price, amount))
        total += amount
        if item.category == "lpg_3kg":
            tubes += int(qty)
    paid_amount = parse_rupiah(paid, "paid", gettext("Dibayar"), api=api)
    if paid_amount < total:
        raise ValidationFailed(gettext("Pembayaran kurang: total %(t)s, dibayar %(p)s.", t=rupiah(total),
                                       p=rupiah(paid_amount)), "paid")
    nik = segment = nib = digest = None
    if tubes:
        nik, segment, nib = lpg.check_buyer(buyer_nik, buyer_segment, buyer_nib)
        digest = nik_hmac(nik)

    balances = lock_balances(session, coop.id, list(merged), location.id)
    lowest = issue_position(session, list(merged), location, day)  # refuses a date an approved count fixed
    batches = {}
    for item, qty in merged.values():  # every refusal before anything is written
        check_available(session, item, location, day, qty, lowest=lowest[item.id])
        if item.tracks_batch:
            batches[item.id] = first_expiry_first_out(session, item, location, day, qty)
    if tubes:
        lpg.take_quota(session, digest, day, tubes, lpg.monthly_cap(coop.region_code))
    seq, reserved_id = next_sale_seq(session, coop.id, day.year)
    sale = Sale(id=reserved_id, cooperative_id=coop.id, number=sale_number(day.year, seq), year=day.year, seq=seq, sale_date=day,
                location_id=location.id, member_id=member.id if member else None, nik=nik, nik_hmac=digest,
                buyer_segment=segment, buyer_nib=nib, lpg_tubes=tubes, payment_method=payment_method, total=total,
                paid=paid_amount, change=paid_amount - total, idempotency_key=key, created_by=actor_name(acting_user))
    if reserved_id is None:  # SQLite: the row is inserted first to learn its id (next_number_and_id)
        session.add(sale)
        session.flush()
    # The journal first, valued as the movements will be (issue_values, under the locked balances), so that each
    # movement is written once with its journal; on PostgreSQL the sale and its lines are inserted after the
    # posting, once and complete, with the movements.
    revenue, costs, issues, cost_total, sale_lines = {}, {}, [], ZERO, []
    for i, (item, qty, unit_price, amount) in enumerate(priced, start=1):
        parts = batches[item.id] if item.id in batches else [(None, None, qty)]
        values = issue_values(balances[item.id], [part for _b, _e, part in parts])
        line_cost = sum(values, ZERO)
        issues.append((item, parts, values))
        # By the relationship, not the id: on PostgreSQL the sale is still pending when the lines are flushed
        # with it, and the scope check finds a pending sale's cooperative only through the object.
        line = SaleLine(cooperative_id=coop.id, sale=sale, line_no=i, item_id=item.id, quantity=qty,
                        unit_price=unit_price, amount=amount, cost=line_cost)
        if reserved_id is None:  # SQLite: the sale is in the session already, its lines go with the posting's flush
            session.add(line)
        sale_lines.append(line)
        group = REVENUE[LINE_OF.get(item.category, "sembako")]
        revenue_key = group[0] if member is not None else group[1]
        revenue[revenue_key] = revenue.get(revenue_key, ZERO) + amount
        costs[group[2]] = costs.get(group[2], ZERO) + line_cost
        cost_total += line_cost
    cash = "kas" if payment_method == "tunai" else "bank"
    entry_lines = [(cash, total, ZERO)] + [(k, ZERO, v) for k, v in revenue.items()]
    entry_lines += [(k, v, ZERO) for k, v in costs.items() if v > 0]
    if cost_total > 0:
        entry_lines.append(("persediaan", ZERO, cost_total))
    buyer = f"{member.member_number or ''} {member.name}".strip() if member else "umum"
    entry = post_entry(session, cooperative_id=coop.id, entry_date=day,
                       description=f"Penjualan {sale.number} {location.name} ({buyer})", lines=entry_lines,
                       reference=sale.number, business_unit_id=location.business_unit_id, source_type="inv_sale",
                       source_id=sale.id, acting_user=acting_user)
    for item, parts, values in issues:
        for (batch, expiry, part), value in zip(parts, values):
            movement = move(session, coop=coop, item=item, location=location, day=day, kind="jual",
                            quantity_out=part, reference=sale.number, source_type="inv_sale", source_id=sale.id,
                            balance=balances[item.id], batch=batch, expiry=expiry, checked=True,
                            journal_entry_id=entry.id)
            if movement.value != value:  # pragma: no cover - issue_values and move value an issue alike
                raise RuntimeError(f"stock value of {item.name}: journal {value}, movement {movement.value}")
    sale.journal_entry_id = entry.id
    session.add(sale)
    session.add_all(sale_lines)
    session.flush()
    return sale


def do_void_sale(session, *, sale, reason, acting_user, today=None):
    """Batalkan penjualan: nothing is edited or deleted. The goods come back at the cost they left with, the
    journal is reversed by the ledger's own reversal, LPG tubes are given back to the buyer's month; dated today
    (the cooperative's), in an open period. Once per sale, also under concurrency (the sale row is locked)."""
    from app.core.dates import local_today
    from app.ledger.services import reverse_entry

    require_role(acting_user, VOID_ROLES, gettext("Hanya Sekretaris atau Pengurus yang dapat membatalkan "
                                                  "penjualan."))
    sale_id = sale.id if isinstance(sale, Sale) else sale
    reason = " ".join((reason or "").split())
    if len(reason) < 5:
        raise ValidationFailed(gettext("Tulis alasan pembatalan dengan jelas (paling sedikit 5 huruf)."), "reason")
    sale = session.execute(select(Sale).where(Sale.id == sale_id).with_for_update(of=Sale)
                           .execution_options(populate_existing=True)).unique().scalar()
    if sale is None:
        raise NotFound(gettext("Penjualan tidak ditemukan."), "sale")
    if sale.voided_at is not None:
        raise AlreadyVoided(gettext("Penjualan %(n)s sudah dibatalkan.", n=sale.number), "sale")
    location, coop = sale.location, sale.location.cooperative
    day = check_day(session, coop, today or local_today(coop), today)
    # Each movement of the sale comes back as it left: its batch, its expiry, its cost (item id order: lock order).
    issued = session.execute(select(StockMovement).where(StockMovement.source_type == "inv_sale",
                                                         StockMovement.source_id == sale.id)
                             .order_by(StockMovement.item_id, StockMovement.id)).unique().scalars().all()
    balances = lock_balances(session, coop.id, [out.item_id for out in issued], location.id) if issued else {}
    for out in issued:
        move(session, coop=coop, item=out.item, location=location, day=day, kind="batal_jual",
             quantity_in=out.quantity_out, value=out.value, reference=sale.number, source_type="inv_sale_void",
             source_id=sale.id, balance=balances[out.item_id], batch=out.batch, expiry=out.expiry)
    if sale.lpg_tubes and sale.nik_hmac:
        lpg.give_back(session, sale.nik_hmac, sale.sale_date, sale.lpg_tubes)
    entry = reverse_entry(session, sale.journal_entry_id, day, f"batal penjualan {sale.number}: {reason}"[:200],
                          acting_user=acting_user, _owner="inv_sale")
    sale.voided_at = utcnow()
    sale.void_reason = reason[:255]
    sale.void_journal_entry_id = entry.id
    session.flush()
    return sale
