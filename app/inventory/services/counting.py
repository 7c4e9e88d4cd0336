"""Stok opname (issue 15 §6): open a count of one location at a date, enter the counts, approve and post.

* ``do_open_count``: one line per active item of the cooperative with its book quantity at the count date (the
  sum of the movements dated on or before it). The count sheet (print and xlsx) lists these lines.
* ``do_enter_counts``: the first count of every line; where it differs from the books a second count is asked
  for, and the second count is what the line settles on. When every line has its quantity the count is
  ``dihitung``.
* ``do_approve_count`` (Pengurus only): the book quantities are taken again at the count date (movements dated
  earlier may have come in since the count was opened), each difference moves the stock through ``stock.move``
  dated at the count date (a shortage at the moving average, a surplus at the average, or the last cost when the
  location is empty), and one journal posts them: Dr beban lain-lain (selisih persediaan) / Cr persediaan for a
  shortage, Dr persediaan / Cr pendapatan lain-lain (selisih persediaan) for a surplus.
* An approved count fixes the quantity at its date: ``stock.move`` then refuses any movement at that location
  dated on or before it (``fixed_until``).
"""
from decimal import Decimal

from flask_babel import gettext
from sqlalchemy import func, select

from app.core.audit import utcnow
from app.core.errors import DomainError, NotFound, ValidationFailed
from app.core.formatting import tanggal

from ..models import ZERO, Item, StockCount, StockCountLine, StockMovement
from .common import MILLI, SELL_ROLES, actor_name, check_day, location_of, require_role, stock_purposes
from .stock import fixed_until, lock_balances, move

APPROVE_ROLES = {"Pengurus"}
SHORTAGE, SURPLUS = "beban_lain", "pendapatan_lain"


class CountNotReady(DomainError):
    """The count cannot take this step in its present state."""


def book_quantities(session, location_id, day):
    """{item_id: quantity at the location at the end of ``day``} from the movements."""
    net = func.sum(StockMovement.quantity_in - StockMovement.quantity_out)
    rows = session.execute(select(StockMovement.item_id, net).where(
        StockMovement.location_id == location_id, StockMovement.movement_date <= day)
        .group_by(StockMovement.item_id)).all()
    return {item_id: Decimal(q) for item_id, q in rows}


def _lock_count(session, count):
    count_id = count.id if isinstance(count, StockCount) else count
    try:
        count_id = int(count_id)
    except (TypeError, ValueError):
        count_id = None
    found = session.execute(select(StockCount).where(StockCount.id == count_id).with_for_update(of=StockCount)
                            .execution_options(populate_existing=True)).unique().scalar() if count_id else None
    if found is None:
        raise NotFound(gettext("Stok opname tidak ditemukan."), "count")
    return found


def do_open_count(session, *, location, count_date, acting_user, note=None, today=None):
    """Open a count of ``location`` at ``count_date`` (not in the future, in an open period)."""
    require_role(acting_user, SELL_ROLES, gettext("Hanya Petugas, Sekretaris atau Pengurus yang dapat membuka "
                                                  "stok opname."))
    location, coop = location_of(session, location)
    day = check_day(session, coop, count_date, today)
    fixed = fixed_until(session, location.id)
    if fixed is not None and day <= fixed:
        raise ValidationFailed(gettext("Stok di %(loc)s sudah ditetapkan oleh opname per %(d)s; pilih tanggal "
                                       "sesudahnya.", loc=location.name, d=tanggal(fixed)), "date")
    open_one = session.scalar(select(StockCount.id).where(StockCount.location_id == location.id,
                                                          StockCount.status != "disetujui"))
    if open_one is not None:
        raise ValidationFailed(gettext("Masih ada stok opname %(loc)s yang belum disetujui; selesaikan dulu.",
                                       loc=location.name), "location")
    count = StockCount(cooperative_id=coop.id, location_id=location.id, count_date=day, status="dibuka",
                       note=(note or "").strip()[:255] or None, created_by=actor_name(acting_user))
    session.add(count)
    session.flush()
    books = book_quantities(session, location.id, day)
    items = session.execute(select(Item.id).where(Item.cooperative_id == coop.id, Item.active.is_(True))
                            .order_by(Item.name)).scalars().all()
    ids = list(items) + [i for i in books if i not in set(items) and books[i] != 0]
    for item_id in ids:
        session.add(StockCountLine(cooperative_id=coop.id, count_id=count.id, item_id=item_id,
                                   book_quantity=books.get(item_id, Decimal("0"))))
    session.flush()
    return count


def _parse_count(value, item):
    text = str(value if value is not None else "").strip().replace(",", ".")
    try:
        qty = Decimal(text)
    except Exception:
        raise ValidationFailed(gettext("Hasil hitung %(item)s harus berupa angka.", item=item.name),
                               "counts") from None
    if not qty.is_finite() or qty < 0:
        raise ValidationFailed(gettext("Hasil hitung %(item)s tidak boleh negatif.", item=item.name), "counts")
    if item.whole_units and qty != qty.to_integral_value():
        raise ValidationFailed(gettext("%(item)s dihitung per %(unit)s: jumlahnya harus bilangan bulat.",
                                       item=item.name, unit=item.unit_label), "counts")
    if qty != qty.quantize(MILLI):
        raise ValidationFailed(gettext("Hasil hitung %(item)s paling banyak tiga angka di belakang koma.",
                                       item=item.name), "counts")
    return qty.quantize(MILLI)


def do_enter_counts(session, *, count, counts, acting_user, second=False):
    """Enter counts: ``counts`` maps a line id to the counted quantity (blank values are skipped). The first
    count may be entered again until approval; a second count only on lines whose first count differs from the
    books. Returns the count (``dihitung`` when every line has its quantity)."""
    require_role(acting_user, SELL_ROLES, gettext("Hanya Petugas, Sekretaris atau Pengurus yang dapat mengisi "
                                                  "stok opname."))
    count = _lock_count(session, count)
    if count.status == "disetujui":
        raise CountNotReady(gettext("Stok opname %(n)s sudah disetujui; hasilnya tidak dapat diubah.",
                                    n=count.number), "count")
    lines = {line.id: line for line in session.execute(select(StockCountLine).where(
        StockCountLine.count_id == count.id)).unique().scalars()}
    parsed = {}
    for key, value in (counts or {}).items():
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        try:
            line = lines.get(int(key))
        except (TypeError, ValueError):
            line = None
        if line is None:
            raise NotFound(gettext("Baris opname tidak ditemukan."), "counts")
        if second and not line.needs_second:
            raise ValidationFailed(gettext("%(item)s tidak perlu dihitung ulang: hitungan pertama sama dengan "
                                           "buku.", item=line.item.name), "counts")
        parsed[line.id] = _parse_count(value, line.item)
    if not parsed:
        raise ValidationFailed(gettext("Isi paling sedikit satu hasil hitung."), "counts")
    for line_id, qty in parsed.items():
        line = lines[line_id]
        if second:
            line.second_count = qty
        else:
            if line.first_count != qty:
                line.second_count = None
            line.first_count = qty
    done = all(line.counted is not None for line in lines.values())
    count.status = "dihitung" if done else "dibuka"
    session.flush()
    return count


def do_approve_count(session, *, count, acting_user, today=None):
    """The Pengurus approves a counted stock count: the differences are posted (stock and journal) at the count
    date, and the quantity of the location is fixed at that date."""
    from app.ledger.services import post_entry

    require_role(acting_user, APPROVE_ROLES, gettext("Hanya Pengurus yang dapat menyetujui stok opname."))
    count = _lock_count(session, count)
    if count.status == "disetujui":
        raise CountNotReady(gettext("Stok opname %(n)s sudah disetujui.", n=count.number), "count")
    lines = session.execute(select(StockCountLine).where(StockCountLine.count_id == count.id)
                            .order_by(StockCountLine.item_id)).unique().scalars().all()
    if count.status != "dihitung" or any(line.counted is None for line in lines):
        missing = [line.item.name for line in lines if line.counted is None][:5]
        raise CountNotReady(gettext("Stok opname belum selesai dihitung: %(items)s.",
                                    items=", ".join(missing)), "count")
    location, coop = location_of(session, count.location)
    day = check_day(session, coop, count.count_date, today)
    # lock order: balances by item id; each line's locked balance is used below (no second SELECT ... FOR UPDATE)
    locked = lock_balances(session, coop.id, [line.item_id for line in lines], location.id)
    books = book_quantities(session, location.id, day)
    purposes = stock_purposes(session, [line.item for line in lines])
    shortage, surplus = {}, {}  # per stock purpose
    movements = []
    reference = count.number
    for line in lines:
        book = books.get(line.item_id, Decimal("0"))
        line.book_quantity = book
        diff = line.counted - book
        line.difference = diff
        line.value = ZERO
        if diff == 0:
            continue
        balance = locked[line.item_id]
        purpose = purposes[line.item_id]
        if diff < 0:
            m = move(session, coop=coop, item=line.item, location=location, day=day, kind="opname",
                     quantity_out=-diff, reference=reference, source_type="inv_stock_count", source_id=count.id,
                     balance=balance)
            shortage[purpose] = shortage.get(purpose, ZERO) + m.value
            line.value = -m.value
        else:
            cost = Decimal(balance.avg_cost) or _last_cost(session, line.item_id, location.id)
            m = move(session, coop=coop, item=line.item, location=location, day=day, kind="opname",
                     quantity_in=diff, unit_cost=cost, reference=reference, source_type="inv_stock_count",
                     source_id=count.id, balance=balance)
            surplus[purpose] = surplus.get(purpose, ZERO) + m.value
            line.value = m.value
        movements.append(m)
    # One pair of lines per stock account: an item another module keeps on its own account (subsidised pupuk on
    # persediaan pupuk, app.inventory.services.common.stock_purposes) moves that account, not persediaan.
    entry_lines = []
    for purpose, amount in sorted(shortage.items()):
        if amount > 0:
            entry_lines += [(SHORTAGE, amount, ZERO, "selisih persediaan (kurang)"),
                            (purpose, ZERO, amount, "selisih persediaan (kurang)")]
    for purpose, amount in sorted(surplus.items()):
        if amount > 0:
            entry_lines += [(purpose, amount, ZERO, "selisih persediaan (lebih)"),
                            (SURPLUS, ZERO, amount, "selisih persediaan (lebih)")]
    if entry_lines:
        entry = post_entry(session, cooperative_id=coop.id, entry_date=day,
                           description=f"Selisih stok opname {reference} {location.name}", lines=entry_lines,
                           reference=reference, business_unit_id=location.business_unit_id,
                           source_type="inv_stock_count", source_id=count.id, acting_user=acting_user)
        count.journal_entry_id = entry.id
        for m in movements:
            m.journal_entry_id = entry.id
    count.status = "disetujui"
    count.approved_by = actor_name(acting_user)
    count.approved_at = utcnow()
    session.flush()
    return count


def _last_cost(session, item_id, location_id):
    cost = session.scalar(select(StockMovement.unit_cost).where(
        StockMovement.item_id == item_id, StockMovement.quantity_in > 0)
        .order_by(StockMovement.id.desc()).limit(1))
    return Decimal(cost) if cost is not None else Decimal("0")
