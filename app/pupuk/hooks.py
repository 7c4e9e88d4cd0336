"""What the fertiliser module tells the inventory: an item kept as a subsidised type sits on persediaan pupuk
(goods received debit it) and is never sold at the ordinary counter (only redeemed against a quota)."""
from flask_babel import gettext
from sqlalchemy import select

from app.core.errors import ValidationFailed
from app.inventory.services import common as inventory

from .models import PupukItem


def _subsidised(session, items):
    """The ids among ``items`` kept as a subsidised type (one statement for the whole receipt, count or sale)."""
    ids = [item.id for item in items]
    if not ids:
        return set()
    return set(session.execute(select(PupukItem.item_id).where(PupukItem.item_id.in_(ids))).scalars())


def stock_purposes(session, items):
    return {item_id: "persediaan_pupuk" for item_id in _subsidised(session, items)}


def refuse_at_counter(session, items):
    subsidised = _subsidised(session, items)
    for item in items:
        if item.id in subsidised:
            raise ValidationFailed(gettext("%(n)s adalah pupuk bersubsidi: hanya dapat ditebus petani lewat layar "
                                           "penebusan pupuk, sesuai kuota e-RDKK.", n=item.name), "lines")


if stock_purposes not in inventory.STOCK_PURPOSE_RESOLVERS:
    inventory.STOCK_PURPOSE_RESOLVERS.append(stock_purposes)
if refuse_at_counter not in inventory.SALE_REFUSALS:
    inventory.SALE_REFUSALS.append(refuse_at_counter)
# the reconcile then counts persediaan pupuk and the redemptions' journals with the rest of the stock
if "persediaan_pupuk" not in inventory.STOCK_PURPOSES:
    inventory.STOCK_PURPOSES.append("persediaan_pupuk")
if "pupuk_redemption" not in inventory.STOCK_SOURCES:
    inventory.STOCK_SOURCES.append("pupuk_redemption")
