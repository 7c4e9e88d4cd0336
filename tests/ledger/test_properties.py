"""Property: whatever balanced entries are posted, the trial balance balances and assets = liabilities + equity +
current-year SHU (revenue - HPP - expenses); after the year-end close, assets = liabilities + equity exactly. And
whatever the order and dates of the postings, kas and bank are never below zero at the end of any day: a posting that
would overdraw one (on its date or later) is refused and changes nothing."""
from datetime import date
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sqlalchemy import func, select

from app.ledger import services
from app.ledger.models import Account, JournalEntry, JournalLine

POSTABLE = ["111000", "112000", "113100", "114000", "120000", "211000", "212000", "220000", "311000", "312000",
            "314000", "411100", "411200", "412100", "419000", "511000", "521000", "522000", "529000"]

amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("999999999.99"), places=2)
pairs = st.tuples(st.sampled_from(POSTABLE), st.sampled_from(POSTABLE), amounts)
entries = st.lists(st.tuples(st.lists(pairs, min_size=1, max_size=4),
                             st.dates(min_value=date(2025, 7, 1), max_value=date(2025, 12, 31))),
                   min_size=1, max_size=6)


def _totals(session, coop_id, date_to=None):
    by_kind = {}
    for b in services.account_balances(session, coop_id, date_to=date_to):
        by_kind[b.kind] = by_kind.get(b.kind, Decimal(0)) + (b.debit - b.credit)
    return {k: by_kind.get(k, Decimal(0)) for k in ("aset", "kewajiban", "ekuitas", "pendapatan", "hpp", "beban")}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(entries)
def test_random_balanced_postings_keep_the_trial_balance_and_the_accounting_equation(uow, coop, generated):
    savepoint = uow.begin_nested()
    try:
        opening = Decimal("1000000000")
        services.post_entry(uow, cooperative_id=coop.id, entry_date=date(2025, 7, 1), description="modal",
                            lines=[("111000", opening, 0), ("112000", opening, 0), ("313000", 0, 2 * opening)])
        for pair_list, day in generated:
            lines = []
            for debit_code, credit_code, amount in pair_list:
                lines += [(debit_code, amount, 0), (credit_code, 0, amount)]
            attempt = uow.begin_nested()
            try:
                services.post_entry(uow, cooperative_id=coop.id, entry_date=day, description="acak", lines=lines)
                attempt.commit()
            except services.OverdrawnCashError:
                attempt.rollback()
        for code in ("111000", "112000"):
            daily = uow.execute(select(JournalEntry.entry_date, func.sum(JournalLine.debit - JournalLine.credit))
                                .join(JournalEntry, JournalEntry.id == JournalLine.entry_id)
                                .join(Account, Account.id == JournalLine.account_id)
                                .where(Account.cooperative_id == coop.id, Account.code == code)
                                .group_by(JournalEntry.entry_date).order_by(JournalEntry.entry_date)).all()
            running = Decimal(0)
            for day, moved in daily:
                running += Decimal(moved)
                assert running >= 0, (code, day, running)
        rows, total_debit, total_credit = services.trial_balance(uow, coop.id)
        assert total_debit == total_credit
        t = _totals(uow, coop.id)
        shu = -(t["pendapatan"]) - t["hpp"] - t["beban"]          # revenue is credit-normal
        assert t["aset"] == -(t["kewajiban"]) - t["ekuitas"] + shu
        # Close the year: nominal accounts go to SHU, and the equation holds without the SHU term.
        for month in range(6, 13):
            services.close_period(uow, coop.id, 2025, month)
        record = services.close_year(uow, coop.id, 2025)
        assert record.shu == shu
        after = _totals(uow, coop.id, date_to=date(2025, 12, 31))
        assert after["pendapatan"] == after["hpp"] == after["beban"] == 0
        assert after["aset"] == -(after["kewajiban"]) - after["ekuitas"]
    finally:
        savepoint.rollback()
