"""Selling prices (effective-dated member and public prices) and government ceilings (HET)."""
from flask_babel import gettext
from sqlalchemy import or_, select

from app.core.errors import ValidationFailed
from app.core.formatting import rupiah, tanggal

from ..models import ItemHet, ItemPrice


def price_row(session, item, day):
    """The price row in force on ``day`` (the latest ``valid_from`` on or before it)."""
    return session.execute(select(ItemPrice).where(ItemPrice.item_id == item.id, ItemPrice.valid_from <= day)
                           .order_by(ItemPrice.valid_from.desc()).limit(1)).scalar()


def price_for(session, item, day, member):
    row = price_row(session, item, day)
    if row is None:
        raise ValidationFailed(gettext("Harga jual %(n)s belum ditetapkan untuk tanggal %(d)s.", n=item.name,
                                       d=tanggal(day)), "lines")
    return row.member_price if member is not None else row.public_price


def het_for(session, item, region_code, day):
    """The HET row in force on ``day`` for the cooperative's kelurahan (the most specific region that contains
    it), or None when no ceiling applies."""
    rows = session.execute(select(ItemHet).where(
        ItemHet.item_id == item.id, ItemHet.valid_from <= day,
        or_(ItemHet.valid_to.is_(None), ItemHet.valid_to >= day))).scalars().all()
    rows = [r for r in rows if region_code == r.region_code or region_code.startswith(r.region_code + ".")]
    return max(rows, key=lambda r: (len(r.region_code), r.valid_from), default=None)


def check_het(session, item, region_code, day, unit_price):
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
