"""What every inventory verb shares: who may do it, the cooperative's today and open periods, quantities, the
record lookups that refuse another cooperative's rows, and the gapless document numbers."""
from datetime import date
from decimal import Decimal, InvalidOperation

from flask import current_app, has_app_context
from flask_babel import gettext

from app.cooperatives.models import Cooperative
from app.core.dates import local_today
from app.core.errors import DomainError, NotFound, ValidationFailed
from app.core.upsert import next_number, next_number_and_id

from ..models import Item, Location, ReceiptCounter, SaleCounter, Supplier

SELL_ROLES = {"Petugas", "Sekretaris", "Pengurus"}
VOID_ROLES = {"Sekretaris", "Pengurus"}
MAX_QUANTITY = Decimal("1000000")
CENT = Decimal("0.01")
MILLI = Decimal("0.001")


def role_names(user):
    return {r.name for r in getattr(user, "roles", None) or []}


def require_role(user, allowed, message):
    admin = current_app.config.get("AUTH_ROLE_ADMIN", "Admin") if has_app_context() else "Admin"
    names = role_names(user)
    if user is None or not (admin in names or names & allowed):
        raise DomainError(message)


def actor_name(user):
    return getattr(user, "username", None) if user is not None else None


def check_day(session, coop, day, today=None):
    """A business date: not in the future (the cooperative's own today), not in a closed month."""
    from app.ledger.services import lock_period_for_posting

    if not isinstance(day, date):
        raise ValidationFailed(gettext("Tanggal wajib diisi (dd/mm/yyyy)."), "date")
    today = today or local_today(coop)
    if day > today:
        raise ValidationFailed(gettext("Tanggal tidak boleh di masa depan."), "date")
    if day < date(2000, 1, 1):
        raise ValidationFailed(gettext("Tanggal tidak masuk akal."), "date")
    # The month's period row is held FOR SHARE from here to the commit, as the posting of the document will hold
    # it: the date checked now cannot be closed before the journal is written, and the posting asks no more.
    if lock_period_for_posting(session, coop.id, day) == "closed":
        raise ValidationFailed(gettext("Periode %(p)s sudah ditutup; pilih tanggal di periode yang masih terbuka.",
                                       p=f"{day.month:02d}/{day.year}"), "date")
    return day


def parse_quantity(value, item, field="quantity"):
    """A positive quantity; whole for items counted by the piece (pcs, tabung, karung ...)."""
    if isinstance(value, float):
        value = repr(value)
    text = str(value if value is not None else "").strip().replace(",", ".")
    try:
        qty = Decimal(text)
    except InvalidOperation:
        raise ValidationFailed(gettext("Jumlah %(item)s harus berupa angka.", item=item.name), field) from None
    if not qty.is_finite() or qty <= 0:
        raise ValidationFailed(gettext("Jumlah %(item)s harus lebih dari nol.", item=item.name), field)
    if qty > MAX_QUANTITY:
        raise ValidationFailed(gettext("Jumlah %(item)s terlalu besar.", item=item.name), field)
    if item.whole_units and qty != qty.to_integral_value():
        raise ValidationFailed(gettext("%(item)s dijual per %(unit)s: jumlahnya harus bilangan bulat.",
                                       item=item.name, unit=item.unit_label), field)
    if qty != qty.quantize(MILLI):
        raise ValidationFailed(gettext("Jumlah %(item)s paling banyak tiga angka di belakang koma.",
                                       item=item.name), field)
    return qty.quantize(MILLI)


def _get(session, model, pk):
    try:
        return session.get(model, int(pk)) if pk not in (None, "") and not isinstance(pk, bool) else None
    except (TypeError, ValueError):
        return None


def location_of(session, location_or_id):
    """The location, which decides the cooperative of the document (another cooperative's is not found)."""
    location = location_or_id if isinstance(location_or_id, Location) else _get(session, Location, location_or_id)
    if location is None:
        raise NotFound(gettext("Lokasi tidak ditemukan."), "location")
    if not location.active:
        raise ValidationFailed(gettext("Lokasi %(n)s tidak aktif.", n=location.name), "location")
    coop = session.get(Cooperative, location.cooperative_id)
    return location, coop


def item_of(session, coop, item_or_id, field="lines"):
    item = item_or_id if isinstance(item_or_id, Item) else _get(session, Item, item_or_id)
    if item is None or item.cooperative_id != coop.id:
        raise NotFound(gettext("Barang tidak ditemukan."), field)
    if not item.active:
        raise ValidationFailed(gettext("Barang %(n)s tidak aktif; tidak dapat dijual atau diterima.", n=item.name),
                               field)
    return item


def item_by_barcode(session, coop_id, barcode):
    from sqlalchemy import select

    code = (barcode or "").strip()
    item = session.execute(select(Item).where(Item.cooperative_id == coop_id, Item.barcode == code)).scalar() \
        if code else None
    if item is None:
        raise NotFound(gettext("Barcode %(b)s tidak dikenal.", b=code[:40]), "barcode")
    return item


def supplier_of(session, coop, supplier_or_id):
    if supplier_or_id in (None, ""):
        return None
    supplier = supplier_or_id if isinstance(supplier_or_id, Supplier) else _get(session, Supplier, supplier_or_id)
    if supplier is None or supplier.cooperative_id != coop.id:
        raise NotFound(gettext("Pemasok tidak ditemukan."), "supplier")
    return supplier


def sale_number(year, seq):
    return f"PJ-{year}-{seq:06d}"


def receipt_number(year, seq):
    return f"PB-{year}-{seq:06d}"


def next_sale_seq(session, coop_id, year):
    """(the sale's number in the year, its row's id reserved on PostgreSQL or None: core.upsert.next_number_and_id)."""
    from ..models import Sale

    return next_number_and_id(session, SaleCounter.__table__, coop_id, year, Sale.__table__)


def next_receipt_seq(session, coop_id, year):
    return next_number(session, ReceiptCounter.__table__, coop_id, year)


def check_key(key):
    if not key or not str(key).strip():
        raise ValidationFailed(gettext("Formulir tidak lengkap; muat ulang halaman."), "idempotency_key")
    return str(key).strip()[:64]


# Other modules may keep some items on their own stock account (the subsidised fertiliser on persediaan pupuk) or
# sell them only through their own screen. Each registers a function of (session, items): a resolver answers
# {item id: purpose} for the items it claims, a refusal raises for the first item it refuses. Both take every item
# of a receipt, a count or a sale at once, so a module answers in one statement, not one per line.
STOCK_PURPOSE_RESOLVERS = []
SALE_REFUSALS = []
# What the reconcile compares with the stock valuation: every ledger purpose an item's stock may sit on, and every
# journal source that moves stock (another module adds its own, as the fertiliser redemption does).
STOCK_PURPOSES = ["persediaan"]
STOCK_SOURCES = ["inv_goods_receipt", "inv_sale", "inv_stock_count"]


def stock_purposes(session, items):
    """{item id: the ledger purpose of its stock}: "persediaan" unless a registered resolver names another."""
    purposes = {item.id: "persediaan" for item in items}
    pending = list(items)
    for resolve in STOCK_PURPOSE_RESOLVERS:
        if not pending:
            break
        named = resolve(session, pending)
        purposes.update(named)
        pending = [item for item in pending if item.id not in named]
    return purposes


def refuse_at_counter(session, items):
    """Raise the first registered refusal for selling any of ``items`` at the counter (a ValidationFailed)."""
    for refuse in SALE_REFUSALS:
        refuse(session, items)
