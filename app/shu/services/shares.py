"""Pages of a worksheet's member shares as plain rows (the member list, the RAT package, the API).

A page is one statement: the page's shares, as columns, by keyset on ``(cooperative_id, worksheet_id, id)`` (the
index ``ix_shu_member_share_coop_ws``) in a subquery, and only those rows joined to their members. Loading
``ShuMemberShare`` entities instead joined each share's member and both their cooperatives with regions (the
tenant relationship is eager), and with the statistics of a worksheet just written the planner joined all 5,000
shares before taking the first 50: 30 ms of SQL for a page. Joining the shares a second time to a subquery of the
page's ids was worse with such statistics (the planner looped over all shares once per page row, 90 ms); the
subquery that carries the columns itself is a nested loop over the 51 rows and the member primary key whatever
the estimates say.
"""
from sqlalchemy import select

from ..models import PAYMENT_LABELS, ShuMemberShare as S

SHARE_COLUMNS = ("id", "member_id", "jm_basis", "ju_basis", "jm_exact", "ju_exact", "total_exact", "total_rounded",
                 "left_on", "paid_on", "payment_method", "receipt_number")


def exact_text(value):
    """An exact share as the worksheet shows it: six decimals, Indonesian separators (``1.234,567890``)."""
    return "{:,.6f}".format(value).replace(",", "_").replace(".", ",").replace("_", ".")


class ShareRow:
    """One member share as the screens read it (``member_number``, ``name`` and the share's columns)."""

    __slots__ = SHARE_COLUMNS + ("member_number", "name")

    def __init__(self, row):
        for name in self.__slots__:
            setattr(self, name, getattr(row, name))

    @property
    def jm_exact_text(self):
        return exact_text(self.jm_exact)

    @property
    def ju_exact_text(self):
        return exact_text(self.ju_exact)

    @property
    def payment_label(self):
        from flask_babel import lazy_gettext as _l

        return PAYMENT_LABELS.get(self.payment_method, "") if self.payment_method else _l("Belum dibayar")


def share_page(session, worksheet, *, after_id=None, before_id=None, limit=None, unpaid_only=False, raw=False):
    """Member shares of ``worksheet`` in id order: after ``after_id``, or the ``limit`` just before ``before_id``
    (still returned in id order), or from the first. Returns ``ShareRow`` objects, or with ``raw`` the result rows
    themselves (same attribute names, no ``payment_label``: the worksheet answer of 5,000 shares)."""
    from app.members.models import Member

    cols = [getattr(S, c) for c in SHARE_COLUMNS]
    page = select(*cols).where(S.cooperative_id == worksheet.cooperative_id, S.worksheet_id == worksheet.id)
    if unpaid_only:
        page = page.where(S.paid_on.is_(None), S.total_rounded > 0)
    if before_id:
        page = page.where(S.id < before_id).order_by(S.id.desc())
    else:
        if after_id:
            page = page.where(S.id > after_id)
        page = page.order_by(S.id)
    if limit:
        page = page.limit(limit)
    page = page.subquery()
    stmt = (select(page, Member.member_number, Member.name).join(Member, Member.id == page.c.member_id)
            .order_by(page.c.id))
    result = session.execute(stmt)
    return result.all() if raw else [ShareRow(r) for r in result]
