"""Demo rows for the review chain, called by app.demo.seed_demo() after the ledger's demo books exist.

The ledger demo closes the month three months back in the operating cooperatives. Here: Kebon Jeruk's report of
that month is submitted and approved by its lurah (it waits for the camat), Kebon Jeruk's sibling closes the same
(empty) month and submits it (it waits for its own lurah), and Cemorokandang's waits for its lurah. Dates are
relative to today. Written as rows, not through the services: the demo users do not exist yet at this point.
"""
from sqlalchemy import select

from app.core.dates import local_today, utc_now

from .models import MonthlyReport, MonthlyReportStep

SUBMITTED = {"31.73.05.1001": "lurah_approved", "31.73.05.1002": "submitted", "35.73.03.1010": "submitted"}


def _three_months_back(today):
    month, year = today.month - 3, today.year
    while month < 1:
        month += 12
        year -= 1
    return year, month


def seed(session, coops_by_code):
    from app.ledger import services as ledger
    from app.ledger.models import Period

    now = utc_now().replace(tzinfo=None)
    for code, status in SUBMITTED.items():
        coop = coops_by_code.get(code)
        if coop is None:
            continue
        year, month = _three_months_back(local_today(coop))
        closed = session.scalar(select(Period.status).where(Period.cooperative_id == coop.id, Period.year == year,
                                                            Period.month == month))
        if closed != "closed":
            ledger.close_period(session, coop.id, year, month)
        report = MonthlyReport(cooperative_id=coop.id, year=year, month=month, status=status, submitted_at=now,
                               submitted_by="pengurus (demo)")
        session.add(report)
        session.flush()
        session.add(MonthlyReportStep(cooperative_id=coop.id, report_id=report.id, action="submit",
                                      role="Pengurus", username="pengurus (demo)", full_name="Pengurus (demo)",
                                      at=now, status_after="submitted"))
        if status == "lurah_approved":
            report.lurah_at, report.lurah_by = now, "lurah (demo)"
            session.add(MonthlyReportStep(cooperative_id=coop.id, report_id=report.id, action="approve",
                                          role="Lurah", username="lurah (demo)", full_name="Lurah (demo)", at=now,
                                          status_after="lurah_approved"))
    session.flush()
