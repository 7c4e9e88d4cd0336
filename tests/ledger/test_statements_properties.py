"""Property: for random balanced postings, every statement's identities hold: the neraca saldo balances, aset =
kewajiban + ekuitas (with the open SHU) at every month end, the equity statement ends at the balance sheet's
equity, the PHU's member + non-member results are the SHU, and the cash flow reconciles with the cash books."""
from datetime import date
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.ledger import services
from app.ledger import statements as s

POSTABLE = ["111000", "112000", "113100", "114000", "120000", "211000", "212000", "220000", "311000", "312000",
            "314000", "411100", "411200", "412100", "419000", "511000", "521000", "522000", "529000"]

amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("999999999.99"), places=2)
pairs = st.tuples(st.sampled_from(POSTABLE), st.sampled_from(POSTABLE), amounts)
entries = st.lists(st.tuples(st.lists(pairs, min_size=1, max_size=4),
                             st.dates(min_value=date(2025, 11, 1), max_value=date(2026, 2, 28))),
                   min_size=1, max_size=8)
PERIODS = [s.ReportPeriod(2025, 12), s.ReportPeriod(2026, 1), s.ReportPeriod(2026, 2), s.ReportPeriod(2026)]


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(entries)
def test_random_balanced_postings_keep_every_statement_identity(uow, coop, generated):
    savepoint = uow.begin_nested()
    try:
        # Enough capital in kas and bank for any generated payments (kas and bank may not go below zero).
        opening = Decimal("50000000000")
        services.post_entry(uow, cooperative_id=coop.id, entry_date=date(2025, 11, 1), description="modal",
                            lines=[("111000", opening, 0), ("112000", opening, 0), ("313000", 0, 2 * opening)])
        for pair_list, day in generated:
            lines = []
            for debit_code, credit_code, amount in pair_list:
                lines += [(debit_code, amount, 0), (credit_code, 0, amount)]
            services.post_entry(uow, cooperative_id=coop.id, entry_date=day, description="acak", lines=lines)
        for period in PERIODS:
            tb = s.trial_balance_report(uow, coop, period)
            assert tb.balanced and tb.data["cd"] == tb.data["cc"]
            pos = s.financial_position(uow, coop, period)
            assert pos.balanced and pos.data["aset"] == pos.data["kewajiban"] + pos.data["ekuitas"]
            eq = s.equity_changes(uow, coop, period)
            assert eq.data["closing"] == pos.data["ekuitas"]
            phu = s.income_statement(uow, coop, period).data
            assert phu["hasil_anggota"] + phu["hasil_non_anggota"] == phu["shu"]
            assert phu["shu"] == phu["pendapatan"] - phu["hpp"] - phu["beban"]
            cf = s.cash_flow(uow, coop, period)
            assert cf.balanced and cf.data["opening"] + cf.data["net"] == cf.data["closing"]
        # Per-month SHU adds up to the year's.
        year = s.income_statement(uow, coop, s.ReportPeriod(2026)).data["shu"]
        months = sum((s.income_statement(uow, coop, p).data["shu"] for p in PERIODS[1:3]), Decimal(0))
        assert year == months
    finally:
        savepoint.rollback()
