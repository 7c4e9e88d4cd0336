"""Goods received from a supplier: stock in at the unit cost, Dr persediaan / Cr kas or utang usaha."""
from decimal import ROUND_HALF_UP, Decimal

from flask_babel import gettext
from sqlalchemy import select

from app.core.dates import parse_date
from app.core.errors import ValidationFailed
from app.core.money import parse_rupiah

from ..models import RECEIPT_PAYMENT_LABELS, ZERO, GoodsReceipt, GoodsReceiptLine
from .common import (CENT, SELL_ROLES, actor_name, check_day, check_key, item_of, location_of, next_receipt_seq,
                     parse_quantity, receipt_number, require_role, supplier_of)
from .stock import lock_balances, move


def _unit_cost(value, item, api):
    """Cost per unit in rupiah, sen allowed (a sack of 50 kg bought for Rp 612.500 costs Rp 12.250 per kg)."""
    cost = parse_rupiah(value, "lines", gettext("Harga beli %(n)s", n=item.name), cents=True, api=api)
    return Decimal(cost)


def _stock_lines(session, parsed):
    """Dr persediaan per stock account (one line when every item is on "persediaan")."""
    from .common import stock_purposes

    purposes = stock_purposes(session, [row[0] for row in parsed])
    by_purpose = {}
    for item, _qty, _cost, _batch, _expiry, amount in parsed:
        purpose = purposes[item.id]
        by_purpose[purpose] = by_purpose.get(purpose, ZERO) + amount
    return [(purpose, amount, ZERO) for purpose, amount in by_purpose.items() if amount > 0]


def do_receive_goods(session, *, location, lines, receipt_date, payment, idempotency_key, acting_user,
                     supplier=None, supplier_invoice=None, note=None, today=None, api=False):
    """Penerimaan barang: ``lines`` of ``{"item_id", "quantity", "unit_cost", "batch", "expiry"}``. Stock in at
    each line's cost (the moving average follows), one journal Dr persediaan / Cr kas (tunai) or utang usaha
    (kredit). Returns the GoodsReceipt (the existing one when the idempotency key is replayed)."""
    require_role(acting_user, SELL_ROLES, gettext("Hanya Petugas, Sekretaris atau Pengurus yang dapat menerima "
                                                  "barang."))
    from app.ledger.services import post_entry

    location, coop = location_of(session, location)
    key = check_key(idempotency_key)
    existing = session.execute(select(GoodsReceipt).where(GoodsReceipt.cooperative_id == coop.id,
                                                          GoodsReceipt.idempotency_key == key)).scalar()
    if existing is not None:
        return existing
    if payment not in RECEIPT_PAYMENT_LABELS:
        raise ValidationFailed(gettext("Pilih cara bayar: tunai atau kredit."), "payment")
    day = check_day(session, coop, receipt_date, today)
    supplier = supplier_of(session, coop, supplier)
    if payment == "kredit" and supplier is None:
        raise ValidationFailed(gettext("Pembelian kredit harus menyebut pemasoknya."), "supplier")
    if not lines:
        raise ValidationFailed(gettext("Isi paling sedikit satu barang."), "lines")
    parsed = []
    for raw in lines:
        item = item_of(session, coop, raw.get("item_id"))
        qty = parse_quantity(raw.get("quantity"), item)
        cost = _unit_cost(raw.get("unit_cost"), item, api)
        expiry = raw.get("expiry")
        if isinstance(expiry, str):
            expiry = parse_date(expiry) if expiry.strip() else None
        batch = (raw.get("batch") or "").strip()[:40] or None
        if item.tracks_batch and (not batch or expiry is None):
            raise ValidationFailed(gettext("%(n)s dicatat per batch: isi nomor batch dan tanggal kedaluwarsa.",
                                           n=item.name), "lines")
        parsed.append((item, qty, cost, batch, expiry, (qty * cost).quantize(CENT, ROUND_HALF_UP)))
    total = sum((p[5] for p in parsed), ZERO)
    if total <= 0:
        raise ValidationFailed(gettext("Nilai penerimaan harus lebih dari nol."), "lines")
    # Lock order: balances by item id, then the counter, then the ledger (period, journal counter).
    balances = lock_balances(session, coop.id, [p[0].id for p in parsed], location.id)
    seq = next_receipt_seq(session, coop.id, day.year)
    receipt = GoodsReceipt(cooperative_id=coop.id, number=receipt_number(day.year, seq), year=day.year, seq=seq,
                           receipt_date=day, location_id=location.id, supplier_id=supplier.id if supplier else None,
                           supplier_invoice=(supplier_invoice or "").strip()[:40] or None, payment=payment,
                           total=total, idempotency_key=key, note=(note or "").strip()[:255] or None,
                           created_by=actor_name(acting_user))
    session.add(receipt)
    session.flush()
    movements = []
    for i, (item, qty, cost, batch, expiry, amount) in enumerate(parsed, start=1):
        session.add(GoodsReceiptLine(cooperative_id=coop.id, receipt_id=receipt.id, line_no=i, item_id=item.id,
                                     quantity=qty, unit_cost=cost, amount=amount, batch=batch, expiry=expiry))
        movements.append(move(session, coop=coop, item=item, location=location, day=day, kind="terima",
                              quantity_in=qty, unit_cost=cost, value=amount, reference=receipt.number,
                              source_type="inv_goods_receipt", source_id=receipt.id, batch=batch, expiry=expiry,
                              balance=balances[item.id]))
    session.flush()
    credit = "kas" if payment == "tunai" else "utang_usaha"
    who = f" dari {supplier.name}" if supplier is not None else ""
    entry = post_entry(session, cooperative_id=coop.id, entry_date=day,
                       description=f"Penerimaan barang {receipt.number}{who}",
                       lines=_stock_lines(session, parsed) + [(credit, ZERO, total)],
                       reference=receipt.supplier_invoice or receipt.number,
                       business_unit_id=location.business_unit_id, source_type="inv_goods_receipt",
                       source_id=receipt.id, acting_user=acting_user)
    receipt.journal_entry_id = entry.id
    for m in movements:
        m.journal_entry_id = entry.id
    session.flush()
    return receipt
