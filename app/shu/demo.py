"""Demo rows: every demo cooperative gets the textbook SHU rule for last year and a RAT record being prepared
(its deadline relative to today, so the overdue flag shows once the six months have passed). Written as ORM rows
(audited) in the demo's system scope; no journal is posted, so the ledger demo stays as it is."""
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from app.core.dates import local_today

from .models import ALLOCATION_LABELS, RatMeeting, ShuAllocation, ShuRule
from .services.rules import DEFAULT_SPLIT


def seed(session, coops_by_code):
    for coop in coops_by_code.values():
        year = local_today(coop).year - 1
        if session.execute(select(ShuRule.id).where(ShuRule.cooperative_id == coop.id, ShuRule.year == year)).first():
            continue
        rule = ShuRule(cooperative=coop, cooperative_id=coop.id, year=year, jm_basis="pokok_wajib",
                       balance_basis="akhir_tahun", leaver_rule="sampai_keluar", quorum_percent=Decimal("50.00"),
                       decision_ref="AD/ART Pasal 38")
        for i, (kind, percent) in enumerate(DEFAULT_SPLIT):
            rule.allocations.append(ShuAllocation(cooperative_id=coop.id, position=i, kind=kind,
                                                  name=str(ALLOCATION_LABELS[kind]), percent=Decimal(percent)))
        session.add(rule)
        session.add(RatMeeting(cooperative=coop, cooperative_id=coop.id, year=year, status="disiapkan",
                               planned_date=date(year + 1, 3, 28)))
    session.flush()
