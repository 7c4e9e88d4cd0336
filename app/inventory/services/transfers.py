"""Transfers of stock (issue 15 §7).

* Between two locations of one cooperative (gudang to gerai): each item leaves the sender at its moving average
  and arrives at the receiver with exactly that value; the persediaan account does not move, so there is no
  journal and no profit or loss.
* From one cooperative to another (a distribution point supplying kiosks): the sender records a sale to the
  receiving cooperative (``do_sell``, its own books and scope) and the receiver a goods receipt on credit from
  the sender (``do_receive_goods``, in its own books and scope), each by its own user: see
  ``do_receive_from_cooperative``.
"""
from collections import OrderedDict

from flask_babel import gettext

from app.core.errors import ValidationFailed

from ..models import ZERO
from .common import SELL_ROLES, check_day, item_of, location_of, parse_quantity, require_role
from .stock import check_available, lock_balance, move


def do_transfer(session, *, source, target, lines, transfer_date, acting_user, reference=None, today=None):
    """Move ``lines`` of ``{"item_id", "quantity"}`` from ``source`` to ``target`` (same cooperative). Returns the
    list of (out, in) movements."""
    require_role(acting_user, SELL_ROLES, gettext("Hanya Petugas, Sekretaris atau Pengurus yang dapat "
                                                  "memindahkan stok."))
    source, coop = location_of(session, source)
    target, target_coop = location_of(session, target)
    if target_coop.id != coop.id:
        raise ValidationFailed(gettext("Pindah stok hanya antar lokasi satu koperasi; ke koperasi lain catat "
                                       "sebagai penjualan dan penerimaan barang."), "target")
    if target.id == source.id:
        raise ValidationFailed(gettext("Lokasi asal dan tujuan harus berbeda."), "target")
    day = check_day(session, coop, transfer_date, today)
    if not lines:
        raise ValidationFailed(gettext("Isi paling sedikit satu barang."), "lines")
    merged = OrderedDict()
    for raw in lines:
        item = item_of(session, coop, (raw or {}).get("item_id"))
        qty = parse_quantity(raw.get("quantity"), item)
        merged[item.id] = (item, merged[item.id][1] + qty if item.id in merged else qty)
    for item_id in sorted(merged):  # lock order: item id, then the sender before the receiver (by location id)
        for loc in sorted((source, target), key=lambda l: l.id):
            lock_balance(session, coop.id, item_id, loc.id)
    for item, qty in merged.values():
        if item.tracks_batch:
            raise ValidationFailed(gettext("%(n)s dicatat per batch: pindahkan lewat penerimaan barang per batch.",
                                           n=item.name), "lines")
        check_available(session, item, source, day, qty)
    ref = (reference or "").strip()[:30] or f"PINDAH {source.name}"[:30]
    out = []
    for item_id in sorted(merged):
        item, qty = merged[item_id]
        gone = move(session, coop=coop, item=item, location=source, day=day, kind="pindah_keluar",
                    quantity_out=qty, reference=ref, source_type="inv_transfer", source_id=target.id)
        came = move(session, coop=coop, item=item, location=target, day=day, kind="pindah_masuk",
                    quantity_in=qty, value=gone.value if gone.value > 0 else ZERO,
                    unit_cost=gone.unit_cost, reference=ref, source_type="inv_transfer", source_id=source.id)
        out.append((gone, came))
    session.flush()
    return out


def supplier_for(session, coop, name):
    """The receiving cooperative's supplier row for a sending cooperative (created the first time)."""
    from sqlalchemy import select

    from ..models import Supplier

    name = " ".join((name or "").split())[:120]
    if not name:
        raise ValidationFailed(gettext("Sebut koperasi pengirimnya."), "supplier")
    found = session.scalar(select(Supplier).where(Supplier.cooperative_id == coop.id, Supplier.name == name))
    if found is None:
        found = Supplier(cooperative_id=coop.id, name=name, kind="distributor")
        session.add(found)
        session.flush()
    return found


def do_receive_from_cooperative(session, *, location, sender_name, sale_number, lines, receipt_date,
                                idempotency_key, acting_user, today=None):
    """The receiving side of a transfer between cooperatives: the goods the sender sold (its sale ``sale_number``,
    recorded in its own books with ``do_sell``) come in as a goods receipt on credit from the sender, in the
    receiver's own books: Dr persediaan / Cr utang usaha, paid later with ``do_pay_supplier``."""
    from .receiving import do_receive_goods

    location, coop = location_of(session, location)
    number = (sale_number or "").strip()[:40]
    if not number:
        raise ValidationFailed(gettext("Sebut nomor penjualan koperasi pengirim."), "supplier_invoice")
    supplier = supplier_for(session, coop, sender_name)
    return do_receive_goods(session, location=location, lines=lines, receipt_date=receipt_date, payment="kredit",
                            supplier=supplier, supplier_invoice=number, idempotency_key=idempotency_key,
                            acting_user=acting_user, note=gettext("Kiriman dari %(n)s", n=supplier.name),
                            today=today)
