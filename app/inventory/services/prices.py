"""Selling prices (effective-dated member and public prices) and government ceilings (HET)."""
from flask_babel import gettext
from sqlalchemy import exists, or_, select
from sqlalchemy.orm import aliased, lazyload

from app.core.errors import ValidationFailed
from app.core.formatting import rupiah, tanggal

from ..models import ItemHet, ItemPrice


def price_row(session, item, day):
    """The price row in force on ``day`` (the latest ``valid_from`` on or before it)."""
    return session.execute(select(ItemPrice).where(ItemPrice.item_id == item.id, ItemPrice.valid_from <= day)
                           .order_by(ItemPrice.valid_from.desc()).limit(1)).scalar()


def price_rows(session, items, day):
    """{item id: the price row in force on ``day``} for every item of a sale at once (one statement; an item with
    no price yet is missing). The rows come without the item they would join: the caller holds the items."""
    newer = aliased(ItemPrice)
    rows = session.execute(select(ItemPrice).where(
        ItemPrice.item_id.in_([item.id for item in items]), ItemPrice.valid_from <= day,
        ~exists().where(newer.item_id == ItemPrice.item_id, newer.valid_from > ItemPrice.valid_from,
                        newer.valid_from <= day)).options(lazyload("*"))).scalars()
    return {row.item_id: row for row in rows}


_ASK = object()


def price_for(session, item, day, member, row=_ASK):
    """The member or public price of ``item`` on ``day``; ``row``: its price row already read (price_rows)."""
    if row is _ASK:
        row = price_row(session, item, day)
    if row is None:
        raise ValidationFailed(gettext("Harga jual %(n)s belum ditetapkan untuk tanggal %(d)s.", n=item.name,
                                       d=tanggal(day)), "lines")
    return row.member_price if member is not None else row.public_price


def _het_in_force(rows, region_code):
    # The most specific region that contains the kelurahan, then the latest start.
    rows = [r for r in rows if region_code == r.region_code or region_code.startswith(r.region_code + ".")]
    return max(rows, key=lambda r: (len(r.region_code), r.valid_from), default=None)


def _het_rows(session, item_ids, day):
    return session.execute(select(ItemHet).where(
        ItemHet.item_id.in_(item_ids), ItemHet.valid_from <= day,
        or_(ItemHet.valid_to.is_(None), ItemHet.valid_to >= day)).options(lazyload("*"))).scalars().all()


def het_for(session, item, region_code, day):
    """The HET row in force on ``day`` for the cooperative's kelurahan (the most specific region that contains
    it), or None when no ceiling applies."""
    return _het_in_force(_het_rows(session, [item.id], day), region_code)


def het_rows(session, items, region_code, day):
    """{item id: its HET row in force on ``day`` or None} for every item of a sale at once (one statement)."""
    rows = _het_rows(session, [item.id for item in items], day)
    return {item.id: _het_in_force([r for r in rows if r.item_id == item.id], region_code) for item in items}


def check_het(session, item, region_code, day, unit_price, row=_ASK):
    """Refuse ``unit_price`` above the HET (plus the region's margin) in force; ``row``: the HET row already
    read (het_rows), None when no ceiling applies."""
    if row is _ASK:
        row = het_for(session, item, region_code, day)
    if row is None:
        return None
    ceiling = row.het + (row.margin or 0)
    if unit_price > ceiling:
        raise ValidationFailed(gettext("Harga %(n)s %(p)s melebihi HET %(h)s yang berlaku pada %(d)s; penjualan "
                                       "ditolak.", n=item.name, p=rupiah(unit_price), h=rupiah(ceiling),
                                       d=tanggal(day)), "lines")
    return ceiling


def check_price(record, existing, session):
    """Form rule for a price row: both prices positive, public price not below the member price is not required
    (a cooperative may sell to members dearer on purpose, so only positivity and the HET in force are checked)."""
    for field in ("member_price", "public_price"):
        value = getattr(record, field, None)
        if value is None or value <= 0:
            raise ValidationFailed(gettext("Harga harus lebih dari nol."), field)
    if record.item is not None and record.valid_from is not None:
        region = record.item.cooperative.region_code if record.item.cooperative is not None else ""
        for field in ("member_price", "public_price"):
            try:
                check_het(session, record.item, region, record.valid_from, getattr(record, field))
            except ValidationFailed as e:
                raise ValidationFailed(str(e), field) from None
