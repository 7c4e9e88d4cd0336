"""What the fertiliser module tells the inventory: an item kept as a subsidised type sits on persediaan pupuk
(goods received debit it) and is never sold at the ordinary counter (only redeemed against a quota)."""
from flask_babel import gettext
from sqlalchemy import select

from app.core.errors import ValidationFailed
from app.inventory.services import common as inventory

from .models import PupukItem


def _is_subsidised(session, item):
    return session.execute(select(PupukItem.id).where(PupukItem.item_id == item.id)).first() is not None


def stock_purpose(session, item):
    return "persediaan_pupuk" if _is_subsidised(session, item) else None


def refuse_at_counter(session, item):
    if _is_subsidised(session, item):
        raise ValidationFailed(gettext("%(n)s adalah pupuk bersubsidi: hanya dapat ditebus petani lewat layar "
                                       "penebusan pupuk, sesuai kuota e-RDKK.", n=item.name), "lines")


if stock_purpose not in inventory.STOCK_PURPOSE_RESOLVERS:
    inventory.STOCK_PURPOSE_RESOLVERS.append(stock_purpose)
if refuse_at_counter not in inventory.SALE_REFUSALS:
    inventory.SALE_REFUSALS.append(refuse_at_counter)
# the reconcile then counts persediaan pupuk and the redemptions' journals with the rest of the stock
if "persediaan_pupuk" not in inventory.STOCK_PURPOSES:
    inventory.STOCK_PURPOSES.append("persediaan_pupuk")
if "pupuk_redemption" not in inventory.STOCK_SOURCES:
    inventory.STOCK_SOURCES.append("pupuk_redemption")
