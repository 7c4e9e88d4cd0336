"""Year-end close: revenue and expense into SHU tahun berjalan, then SHU belum dibagi; balances carried."""
from datetime import date

import pytest

from app.ledger import services
from app.ledger.guards import LedgerError
from app.ledger.models import JournalEntry

from .conftest import D, balance_of, post

# The assertions below read messages by their English msgids.
pytestmark = pytest.mark.usefixtures("english_messages")


def _first_year(uow, coop):
    # Founded (akta) 20 June 2025: the first financial year runs 20/06/2025 - 31/12/2025.
    post(uow, coop, date(2025, 7, 1), [("kas", D("7000000"), 0), ("simpanan_pokok", 0, D("5000000")),
                                       ("simpanan_wajib", 0, D("2000000"))])
    post(uow, coop, date(2025, 7, 3), [("persediaan", D("4000000"), 0), ("kas", 0, D("4000000"))])
    post(uow, coop, date(2025, 9, 30), [("kas", D("3100000.50"), 0), ("411100", 0, D("2000000.25")),
                                        ("411200", 0, D("1100000.25"))])
    post(uow, coop, date(2025, 9, 30), [("511000", D("2400000"), 0), ("persediaan", 0, D("2400000"))])
    post(uow, coop, date(2025, 12, 20), [("521000", D("300000.10"), 0), ("522000", D("99999.90"), 0),
                                         ("kas", 0, D("400000.00"))])
    post(uow, coop, date(2025, 12, 22), [("419000", D("50000"), 0), ("kas", 0, D("50000"))])  # a debit on revenue


def test_the_first_financial_year_starts_at_the_founding_date(uow, coop):
    _first_year(uow, coop)
    assert services.financial_year_start(uow, coop, 2025) == date(2025, 6, 20)
    assert services.financial_year_start(uow, coop, 2026) == date(2026, 1, 1)


def test_the_year_cannot_be_closed_while_a_month_of_it_is_open(uow, coop):
    _first_year(uow, coop)
    for month in range(6, 12):
        services.close_period(uow, coop.id, 2025, month)
    with pytest.raises(LedgerError, match="still open: 12"):
        services.close_year(uow, coop.id, 2025)


def test_year_end_moves_revenue_and_expense_into_shu_and_then_into_shu_belum_dibagi(uow, coop):
    _first_year(uow, coop)
    for month in range(6, 13):
        services.close_period(uow, coop.id, 2025, month)
    record = services.close_year(uow, coop.id, 2025)
    # SHU = 2,000,000.25 + 1,100,000.25 - 50,000 (revenue) - 2,400,000 - 300,000.10 - 99,999.90 = 250,000.50
    assert record.shu == D("250000.50")
    closing = uow.get(JournalEntry, record.closing_entry_id)
    assert closing.entry_date == date(2025, 12, 31) and closing.entry_type == "penutup"
    assert sorted((l.account.code, l.debit, l.credit) for l in closing.lines) == [
        ("316000", D("0.00"), D("250000.50")),
        ("411100", D("2000000.25"), D("0.00")),
        ("411200", D("1100000.25"), D("0.00")),
        ("419000", D("0.00"), D("50000.00")),
        ("511000", D("0.00"), D("2400000.00")),
        ("521000", D("0.00"), D("300000.10")),
        ("522000", D("0.00"), D("99999.90")),
    ]
    transfer = uow.get(JournalEntry, record.transfer_entry_id)
    assert transfer.entry_date == date(2026, 1, 1)
    assert sorted((l.account.code, l.debit, l.credit) for l in transfer.lines) == [
        ("316000", D("250000.50"), D("0.00")), ("317000", D("0.00"), D("250000.50"))]
    end = date(2025, 12, 31)
    for code in ("411100", "411200", "419000", "511000", "521000", "522000"):
        assert balance_of(uow, coop.id, code, end) == D("0.00")
    assert balance_of(uow, coop.id, "316000", end) == D("-250000.50")
    assert balance_of(uow, coop.id, "316000") == D("0.00")
    assert balance_of(uow, coop.id, "317000") == D("-250000.50")
    # Opening balances of 2026 = closing balances of 2025, real accounts only.
    opening = services.opening_balances(uow, coop.id, 2026)
    assert opening == {"111000": D("5650000.50"), "114000": D("1600000.00"), "311000": D("-5000000.00"),
                       "312000": D("-2000000.00"), "316000": D("-250000.50")}
    assert sum(opening.values()) == 0
    with pytest.raises(LedgerError, match="already closed"):
        services.close_year(uow, coop.id, 2025)
    with pytest.raises(LedgerError, match="cannot be reopened"):
        services.reopen_period(uow, coop.id, 2025, 12, "koreksi setelah audit", acting_user=None)


def test_a_loss_year_debits_shu_tahun_berjalan_and_carries_a_debit_to_shu_belum_dibagi(uow, coop):
    post(uow, coop, date(2025, 8, 1), [("kas", D("1000000"), 0), ("simpanan_pokok", 0, D("1000000"))])
    post(uow, coop, date(2025, 8, 2), [("523000", D("600000.01"), 0), ("kas", 0, D("600000.01"))])
    for month in range(6, 13):
        services.close_period(uow, coop.id, 2025, month)
    record = services.close_year(uow, coop.id, 2025)
    assert record.shu == D("-600000.01")
    assert balance_of(uow, coop.id, "317000") == D("600000.01")
    assert balance_of(uow, coop.id, "523000") == D("0.00")
