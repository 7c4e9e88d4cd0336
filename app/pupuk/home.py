"""Pupuk realisation on the home pages of the Lurah, Camat and Sudin (app.oversight.home.register_figure): this
year's subsidised fertiliser redeemed against the allocation of the farmers of their area's cooperatives.

One aggregate over the national quota counters (``pupuk_quota``, kept by every redemption and reversal in the same
transaction) joined to the farmers the reader's scope sees: the same rows, summed, as the realisation report
(``reports.realisation``) the figures link to, per city for the year.
"""
from decimal import Decimal

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from .models import Farmer, PupukQuota

AREA_ROLES = ("Admin", "Sudin", "Camat", "Lurah")


def totals(hs):
    """(allocated kg, redeemed kg) of this year, the reader's area."""
    q = PupukQuota.__table__
    allocated, redeemed = hs.session.execute(
        select(func.coalesce(func.sum(q.c.allocated_kg), 0), func.coalesce(func.sum(q.c.redeemed_kg), 0))
        .select_from(q).join(Farmer, Farmer.id == q.c.farmer_id)
        .where(hs.where(Farmer.cooperative_id), q.c.year == hs.today.year)).one()
    return Decimal(allocated), Decimal(redeemed)


def _redeemed_text(hs):
    """``12.500 dari 20.000 kg (62,5%)``."""
    from app.core.formatting import number, percent

    allocated, redeemed = hs.once("pupuk", totals)
    share = (redeemed * 100 / allocated).quantize(Decimal("0.1")) if allocated else Decimal("0.0")
    return gettext("%(redeemed)s dari %(allocated)s kg (%(share)s)", redeemed=number(redeemed),
                   allocated=number(allocated), share=percent(share))


def _link(hs):
    return f"/pupuk/laporan/?tingkat=kota&tahun={hs.today.year}"


def register_home():
    from app.oversight.home import register_figure

    register_figure("pupuk_realisation", _l("Pupuk bersubsidi tersalur tahun ini"), _redeemed_text, AREA_ROLES,
                    link=_link, kind="text", group="today")
