"""Stock movements: the one path that changes a stock balance, with its moving-average cost.

``move`` locks the item x location balance row (``SELECT ... FOR UPDATE`` on PostgreSQL; SQLite has one writer),
refuses an issue that would make the balance negative on its date or on any later date on which the item moved
at that location, and writes the movement with the average and balance after it *in posting order*: a backdated
movement changes neither a later movement's cost nor a posted journal (no "repost" of the future).
"""
from decimal import ROUND_HALF_UP, Decimal

from flask_babel import gettext
from sqlalchemy import case, func, select, true

from app.core.errors import ValidationFailed
from app.core.formatting import tanggal
from app.core.upsert import upsert_statement

from ..models import ZERO, StockBalance, StockCount, StockMovement
from .common import CENT

COST_PLACES = Decimal("0.0001")


class StockShortage(ValidationFailed):
    """The issue would take the stock of an item at a location below zero on some date."""


def _qty_text(qty):
    qty = Decimal(qty)
    return f"{qty:f}".rstrip("0").rstrip(".") if "." in f"{qty:f}" else f"{qty:f}"


def lock_balance(session, coop_id, item_id, location_id):
    """The balance row of an item at a location, created when missing and locked until commit."""
    return lock_balances(session, coop_id, [item_id], location_id)[item_id]


def lock_balances(session, coop_id, item_ids, location_id):
    """{item id: balance row} of several items at one location, created when missing and locked until commit.

    One statement: an INSERT whose conflict "updates" each row to itself. ON CONFLICT DO UPDATE takes the same row
    lock as SELECT ... FOR UPDATE and, when another writer holds it, waits and returns the committed row, so a
    concurrent sale reads the figures after the other one (PostgreSQL; SQLite has one writer). The rows are
    proposed in item id order, the lock order of every document. It returns only the balance's own columns: the
    item and location it would join eagerly are already in hand at every caller."""
    table = StockBalance.__table__
    ids = sorted(set(item_ids))
    if not ids:
        return {}
    stmt, params = upsert_statement(session, table, [dict(cooperative_id=coop_id, item_id=item_id,
                                                          location_id=location_id, quantity=0, value=0, avg_cost=0)
                                                     for item_id in ids],
                                    ("item_id", "location_id"), {"quantity": "keep"}, [c.name for c in table.c])
    rows = session.execute(select(StockBalance).from_statement(stmt), params,
                           execution_options={"populate_existing": True}).scalars()
    return {row.item_id: row for row in rows}


def lowest_from(session, item_id, location_id, day):
    """(lowest balance on ``day`` or any later date, the date it is reached) from the movements."""
    return lowest_of(session, [item_id], location_id, day)[item_id]


def _net_per_bucket(item_ids, location_id, day):
    """Each item's movements at a location summed: those up to ``day`` into one bucket (NULL), the later ones per
    date."""
    net = StockMovement.quantity_in - StockMovement.quantity_out
    bucket = case((StockMovement.movement_date > day, StockMovement.movement_date), else_=None)
    return (select(StockMovement.item_id.label("item_id"), bucket.label("moved_on"), func.sum(net).label("moved"))
            .where(StockMovement.item_id.in_(item_ids), StockMovement.location_id == location_id)
            .group_by(StockMovement.item_id, bucket))


def _lowest_per_item(rows, item_ids, day):
    """{item id: (lowest balance on ``day`` or later, the date it is reached)} from (item id, bucket, net) rows."""
    result = {}
    for item_id in item_ids:
        mine = [(moved_on, moved) for owner, moved_on, moved in rows if owner == item_id]
        running = lowest = sum((Decimal(moved) for moved_on, moved in mine if moved_on is None), Decimal(0))
        lowest_day = day
        for moved_on, moved in sorted((r for r in mine if r[0] is not None), key=lambda r: r[0]):
            running += Decimal(moved)
            if running < lowest:
                lowest, lowest_day = running, moved_on
        result[item_id] = (lowest, lowest_day)
    return result


def lowest_of(session, item_ids, location_id, day):
    """{item id: (lowest balance on ``day`` or any later date, the date it is reached)} from the movements of
    several items at one location: one statement, each item's movements up to ``day`` summed into one bucket
    (NULL), the later ones per date."""
    rows = session.execute(_net_per_bucket(item_ids, location_id, day)).all()
    return _lowest_per_item(rows, item_ids, day)


def issue_position(session, item_ids, location, day):
    """What an issue dated ``day`` at ``location`` is checked against, in one statement (call with the balances
    locked): refuses the date when an approved stock count fixes it (check_not_fixed), and returns lowest_of's
    {item id: (lowest, date)} for check_available. A sale and a redemption ask this on every posting; the count's
    date rides on the movements' statement instead of costing a round trip of its own. The count's aggregate is one
    row whatever the movements are, so an item that never moved still brings the date."""
    fixed = (select(func.max(StockCount.count_date).label("fixed"))
             .where(StockCount.location_id == location.id, StockCount.status == "disetujui").subquery())
    moves = _net_per_bucket(item_ids, location.id, day).subquery()
    rows = session.execute(select(fixed.c.fixed, moves.c.item_id, moves.c.moved_on, moves.c.moved)
                           .select_from(fixed.outerjoin(moves, true()))).all()
    _refuse_fixed(location, rows[0].fixed, day)
    return _lowest_per_item([(r.item_id, r.moved_on, r.moved) for r in rows if r.item_id is not None], item_ids, day)


def check_available(session, item, location, day, quantity_out, lowest=None):
    """Refuse an issue of ``quantity_out`` dated ``day`` that would leave the stock negative on that day or on any
    later day (call with the balance row locked). ``lowest``: the item's (lowest, date) already read (lowest_of,
    under the same lock)."""
    lowest, lowest_day = lowest or lowest_from(session, item.id, location.id, day)
    if lowest < quantity_out:
        if lowest_day == day:
            message = gettext("Stok %(item)s di %(loc)s tidak cukup: tersedia %(q)s %(unit)s pada %(day)s, "
                              "diminta %(want)s.", item=item.name, loc=location.name, q=_qty_text(max(lowest, 0)),
                              unit=item.unit_label, day=tanggal(day), want=_qty_text(quantity_out))
        else:
            message = gettext("Stok %(item)s di %(loc)s akan minus pada %(later)s (tersedia %(q)s %(unit)s "
                              "saat itu); pengeluaran bertanggal %(day)s sebanyak %(want)s ditolak.",
                              item=item.name, loc=location.name, later=tanggal(lowest_day),
                              q=_qty_text(max(lowest, 0)), unit=item.unit_label, day=tanggal(day),
                              want=_qty_text(quantity_out))
        raise StockShortage(message, "lines")


def fixed_until(session, location_id):
    """The date of the latest approved stock count of a location (its quantity is fixed up to that date)."""
    return session.scalar(select(func.max(StockCount.count_date)).where(StockCount.location_id == location_id,
                                                                        StockCount.status == "disetujui"))


def check_not_fixed(session, location, day):
    """Refuse a movement dated on or before the latest approved stock count of the location."""
    _refuse_fixed(location, fixed_until(session, location.id), day)


def _refuse_fixed(location, fixed, day):
    if fixed is not None and day <= fixed:
        raise ValidationFailed(gettext("Stok di %(loc)s sudah ditetapkan oleh stok opname per %(d)s; gerakan "
                                       "bertanggal %(day)s ditolak.", loc=location.name,
                                       d=tanggal(fixed), day=tanggal(day)), "date")


def issue_value(balance, quantity_out):
    """What an issue of ``quantity_out`` takes out of the stock value of ``balance``: the moving average times the
    quantity, or the whole remaining value when it empties the stock (no cent is left behind on zero stock)."""
    return issue_values(balance, [quantity_out])[0]


def issue_values(balance, quantities):
    """The values of issues of ``quantities`` one after the other from ``balance`` (a sale of one item taken from
    several batches), as ``move`` will value them: a document posts its journal before it writes the movements."""
    qty_now, value_now, avg = Decimal(balance.quantity), Decimal(balance.value), Decimal(balance.avg_cost)
    values = []
    for quantity_out in quantities:
        out = value_now if quantity_out == qty_now else min(value_now, (avg * quantity_out).quantize(CENT,
                                                                                                   ROUND_HALF_UP))
        values.append(out)
        qty_now, value_now = qty_now - quantity_out, value_now - out
    return values


def move(session, *, coop, item, location, day, kind, quantity_in=ZERO, quantity_out=ZERO, unit_cost=None,
         value=None, reference=None, source_type=None, source_id=None, batch=None, expiry=None, balance=None,
         checked=False, journal_entry_id=None):
    """Write one movement and update the balance. An issue (``quantity_out``) is valued at the current moving
    average (the whole remaining value when it empties the stock); a receipt at ``unit_cost`` or at ``value``
    (a void puts goods back at the cost they left with). Returns the StockMovement. ``checked``: the caller has
    already run check_not_fixed and check_available for this item, location, day and its whole quantity, under
    the locked ``balance`` (a sale checks every line before it writes any), so they are not asked again.
    ``journal_entry_id``: the journal already posted for it (valued beforehand with ``issue_value``), written with
    the movement instead of by a later UPDATE."""
    balance = balance or lock_balance(session, coop.id, item.id, location.id)
    if not checked:
        check_not_fixed(session, location, day)
    qty_now, value_now = Decimal(balance.quantity), Decimal(balance.value)
    if quantity_out > 0:
        if not checked:
            check_available(session, item, location, day, quantity_out)
        avg = Decimal(balance.avg_cost)
        out_value = issue_value(balance, quantity_out)
        qty_after, value_after = qty_now - quantity_out, value_now - out_value
        avg_after = avg if qty_after > 0 else Decimal("0")
        moved_value, cost = out_value, avg
    else:
        if value is None:
            value = (Decimal(unit_cost) * quantity_in).quantize(CENT, ROUND_HALF_UP)
        cost = Decimal(unit_cost) if unit_cost is not None else (value / quantity_in).quantize(COST_PLACES)
        qty_after, value_after = qty_now + quantity_in, value_now + value
        avg_after = (value_after / qty_after).quantize(COST_PLACES, ROUND_HALF_UP)
        moved_value = value
    balance.quantity, balance.value, balance.avg_cost = qty_after, value_after, avg_after
    movement = StockMovement(cooperative_id=coop.id, item_id=item.id, location_id=location.id, movement_date=day,
                             kind=kind, reference=reference, batch=(batch or None), expiry=expiry,
                             quantity_in=quantity_in, quantity_out=quantity_out, unit_cost=cost, value=moved_value,
                             avg_cost_after=avg_after, quantity_after=qty_after, value_after=value_after,
                             source_type=source_type, source_id=source_id, journal_entry_id=journal_entry_id)
    session.add(movement)
    return movement


def stock_value_of(session, coop_id):
    """The stock valuation of a cooperative (sum of the balances), for the reconciliation with persediaan."""
    return Decimal(session.execute(select(func.coalesce(func.sum(StockBalance.value), 0))
                                   .where(StockBalance.cooperative_id == coop_id)).scalar()).quantize(CENT)



def batches_on_hand(session, item_id, location_id):
    """[(batch, expiry, quantity)] of the batches still on hand at a location, first expiry first."""
    remaining = func.sum(StockMovement.quantity_in - StockMovement.quantity_out)
    rows = session.execute(select(StockMovement.batch, StockMovement.expiry, remaining).where(
        StockMovement.item_id == item_id, StockMovement.location_id == location_id,
        StockMovement.batch.is_not(None)).group_by(StockMovement.batch, StockMovement.expiry)
        .having(remaining > 0).order_by(StockMovement.expiry, StockMovement.batch)).all()
    return [(b, e, Decimal(q)) for b, e, q in rows]


def first_expiry_first_out(session, item, location, day, quantity):
    """Which batches a sale of ``quantity`` takes: the earliest expiry first, never a batch expired on ``day``.
    Returns [(batch, expiry, quantity)]; refuses when the unexpired batches do not cover the sale."""
    usable = [(b, e, q) for b, e, q in batches_on_hand(session, item.id, location.id) if e is None or e >= day]
    if sum((q for _b, _e, q in usable), Decimal(0)) < quantity:
        have = sum((q for _b, _e, q in usable), Decimal(0))
        raise StockShortage(gettext("Stok %(item)s yang belum kedaluwarsa di %(loc)s tinggal %(q)s %(unit)s; "
                                    "batch yang sudah kedaluwarsa tidak boleh dijual.", item=item.name,
                                    loc=location.name, q=_qty_text(have), unit=item.unit_label), "lines")
    taken, left = [], quantity
    for batch, expiry, qty in usable:
        if left <= 0:
            break
        take = min(qty, left)
        taken.append((batch, expiry, take))
        left -= take
    return taken


def expiring(session, until, limit=500):
    """Batches still on hand whose expiry is on or before ``until`` (already expired ones too), soonest first:
    [(cooperative_id, location_id, item_id, batch, expiry, quantity)] within the caller's scope."""
    remaining = func.sum(StockMovement.quantity_in - StockMovement.quantity_out)
    return session.execute(select(StockMovement.cooperative_id, StockMovement.location_id, StockMovement.item_id,
                                  StockMovement.batch, StockMovement.expiry, remaining)
                           .where(StockMovement.expiry.is_not(None), StockMovement.expiry <= until)
                           .group_by(StockMovement.cooperative_id, StockMovement.location_id, StockMovement.item_id,
                                     StockMovement.batch, StockMovement.expiry)
                           .having(remaining > 0).order_by(StockMovement.expiry).limit(limit)).all()
