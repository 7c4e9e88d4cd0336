"""The balances the statements read are the journal lines, added up at posting time (issue 12).

Each test states what a user or an operator would see: the neraca saldo of a reversal still balances and
``flask kkmp reconcile`` finds no difference; a credit purchase shows in the arus kas only as the cash paid;
balances built by the migration from existing books agree with the lines; tampering is caught.
"""
import importlib.util
import os
from datetime import date
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, update

from app.ledger import balances, services
from app.ledger import statements as s
from app.ledger.balances import AccountBalance, CashFlow, reconcile, share

from .conftest import post

D = Decimal
NOW = None


def test_share_splits_exactly_to_the_cent():
    assert share(D("100.00"), [D("1"), D("1"), D("1")]) == [D("33.34"), D("33.33"), D("33.33")]
    assert sum(share(D("400000.00"), [D("1000000.00")]), D(0)) == D("400000.00")
    assert share(D("0.01"), [D("5"), D("5")]) in ([D("0.01"), D("0.00")], [D("0.00"), D("0.01")])
    assert share(D("10.00"), [D("0"), D("3")]) == [D("0.00"), D("10.00")]


def test_a_credit_purchase_shows_in_the_cash_flow_as_the_cash_paid(uow, coop):
    """Dr persediaan 1.000.000 / Cr kas 400.000 / Cr utang usaha 600.000: the arus kas shows a payment of
    400.000 for persediaan, and no receipt from the supplier's credit."""
    post(uow, coop, date(2026, 1, 5), [("111000", D("5000000"), 0), ("311000", 0, D("5000000"))], "Modal awal")
    post(uow, coop, date(2026, 1, 10), [("114000", D("1000000"), 0), ("111000", 0, D("400000")),
                                        ("212000", 0, D("600000"))], "Beli barang sebagian kredit")
    cf = s.cash_flow(uow, coop, s.ReportPeriod(2026, 1))
    lines = {row.cells[0]: row.cells[2] for row in cf.rows if row.style == "line"}
    assert lines["114000"] == D("-400000.00")
    assert "212000" not in lines
    assert cf.balanced and cf.data["closing"] == D("4600000.00")


def test_a_posting_and_its_reversal_leave_a_balanced_trial_balance_and_nothing_to_reconcile(uow, coop):
    entry = post(uow, coop, date(2026, 2, 3), [("111000", D("250000"), 0), ("411100", 0, D("250000"))])
    services.reverse_entry(uow, entry, date(2026, 2, 4), "salah catat")
    tb = s.trial_balance_report(uow, coop, s.ReportPeriod(2026, 2))
    assert tb.balanced and tb.data["md"] == tb.data["mc"] == D("500000.00")
    kas = uow.execute(select(AccountBalance.debit, AccountBalance.credit, AccountBalance.lines).join(
        services.Account, services.Account.id == AccountBalance.account_id).where(
        AccountBalance.cooperative_id == coop.id, services.Account.code == "111000")).one()
    assert kas == (D("250000.00"), D("250000.00"), 2)
    assert reconcile(uow, [coop.id]) == []


def test_tampering_with_a_kept_balance_is_caught(uow, coop):
    post(uow, coop, date(2026, 3, 3), [("111000", D("1000"), 0), ("411100", 0, D("1000"))])
    assert reconcile(uow, [coop.id]) == []
    uow.execute(update(AccountBalance).where(AccountBalance.cooperative_id == coop.id)
                .values(debit=AccountBalance.debit + 1))
    problems = reconcile(uow, [coop.id])
    assert problems and {p[0] for p in problems} == {"ledger_balance"}
    uow.execute(update(CashFlow).where(CashFlow.cooperative_id == coop.id).values(inflow=D("1.00")))
    assert "ledger_cash_flow" in {p[0] for p in reconcile(uow, [coop.id])}


POSTABLE = ["111000", "112000", "113100", "114000", "120000", "211000", "212000", "311000", "411100", "412100",
            "511000", "521000"]
amounts = st.decimals(min_value=D("0.01"), max_value=D("99999999.99"), places=2)
steps = st.lists(st.one_of(
    st.tuples(st.just("post"), st.lists(st.tuples(st.sampled_from(POSTABLE), st.sampled_from(POSTABLE), amounts),
                                        min_size=1, max_size=3),
              st.dates(min_value=date(2025, 1, 1), max_value=date(2025, 12, 31)), st.booleans()),
    st.tuples(st.just("reverse"), st.integers(min_value=0, max_value=50)),
    st.tuples(st.just("close"), st.integers(min_value=1, max_value=12))), min_size=1, max_size=12)


def _try(session, post_fn):
    """A posting the ledger refuses (kas or bank would go below zero) is skipped, as a clerk's would be."""
    from app.ledger.services import OverdrawnCashError

    savepoint = session.begin_nested()
    try:
        entry = post_fn()
    except OverdrawnCashError:
        savepoint.rollback()
        return None
    savepoint.commit()
    return entry


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps)
def test_random_books_keep_every_balance_equal_to_its_lines(uow, coop, plan):
    """Random postings (some with a business unit), reversals, month closes and the year-end close: at every
    step each kept balance and cash flow equals what its lines say, and the statements still balance."""
    from app.cooperatives.models import BusinessUnit

    savepoint = uow.begin_nested()
    try:
        unit = uow.scalars(select(BusinessUnit).where(BusinessUnit.cooperative_id == coop.id)).first()
        posted, closed = [], set()
        for step in plan:
            if step[0] == "post":
                _, pairs, day, with_unit = step
                if day.month in closed:
                    continue
                lines = []
                for debit_code, credit_code, amount in pairs:
                    lines += [(debit_code, amount, 0), (credit_code, 0, amount)]
                entry = _try(uow, lambda: post(uow, coop, day, lines,
                                               business_unit_id=unit.id if with_unit and unit else None))
                if entry is not None:
                    posted.append(entry)
            elif step[0] == "reverse" and posted:
                entry = posted[step[1] % len(posted)]
                if entry.reverses_id is None and entry.id not in {e.reverses_id for e in posted}:
                    day = date(2025, 12, 31)
                    if 12 not in closed:
                        reversal = _try(uow, lambda: services.reverse_entry(uow, entry, day, "acak dibalik"))
                        if reversal is not None:
                            posted.append(reversal)
            elif step[0] == "close" and step[1] not in closed:
                services.close_period(uow, coop.id, 2025, step[1])
                closed.add(step[1])
        for month in range(1, 13):
            if month not in closed:
                services.close_period(uow, coop.id, 2025, month)
        services.close_year(uow, coop.id, 2025)
        assert reconcile(uow, [coop.id]) == []
        tb = s.trial_balance_report(uow, coop, s.ReportPeriod(2025))
        assert tb.balanced
        pos = s.financial_position(uow, coop, s.ReportPeriod(2026, 1))
        assert pos.balanced
        cf = s.cash_flow(uow, coop, s.ReportPeriod(2025))
        assert cf.balanced
    finally:
        savepoint.rollback()


def test_the_migration_builds_the_balances_of_books_posted_before_it(app):
    """Books posted before the upgrade (here: the demo's, emptied of their balances) get balances and cash
    flows from the migration's backfill, and the reconcile then finds nothing."""
    from alembic.migration import MigrationContext
    from alembic.operations import Operations

    from app.core.scope import system_scope
    from app.extensions import db

    path = os.path.join(os.path.dirname(__file__), "..", "..", "migrations", "versions",
                        "lead12bal001_ledger_balances.py")
    spec = importlib.util.spec_from_file_location("balances_migration", path)
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    with app.app_context(), system_scope():
        before = reconcile(db.session)
        assert before == []
        kept = db.session.execute(select(AccountBalance.cooperative_id, AccountBalance.account_id,
                                         AccountBalance.debit, AccountBalance.credit)).all()
        assert kept, "the demo books have postings"
        with db.engine.begin() as conn:
            conn.execute(AccountBalance.__table__.delete())
            conn.execute(CashFlow.__table__.delete())
            with Operations.context(MigrationContext.configure(conn)):
                migration._backfill()
        db.session.expire_all()
        assert reconcile(db.session) == []
        assert sorted(db.session.execute(select(AccountBalance.cooperative_id, AccountBalance.account_id,
                                                AccountBalance.debit, AccountBalance.credit)).all()) == sorted(kept)
        db.session.remove()


def test_flask_kkmp_reconcile_exits_0_on_agreeing_books(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["kkmp", "reconcile"])
    assert result.exit_code == 0, result.output
    assert "agree" in result.output


def test_admin_sees_a_whole_province_and_a_sudin_only_his_city(app):
    from tests.conftest import Session

    admin = Session(app, "admin")
    page = admin.get("/laporan-konsolidasi/?kota=31&tahun=2026&bulan=").get_data(as_text=True)
    assert "Kebon Jeruk" in page and "Lempake" not in page and "Cemorokandang" not in page
    sudin = Session(app, "sudin.jakbar")
    page = sudin.get("/laporan-konsolidasi/?kota=31&tahun=2026&bulan=").get_data(as_text=True)
    assert "(31.73)" in page and "(31)" not in page


def test_share_of_nothing_or_by_nothing_is_zero_for_everyone():
    assert share(D("10.00"), [D("0"), D("0")]) == [D("0.00"), D("0.00")]
    assert share(D("0.00"), [D("1"), D("2")]) == [D("0.00"), D("0.00")]


def test_share_gives_the_leftover_cent_to_the_largest_remainder_not_the_largest_part():
    # 0,10 in 5:1 is 0,0833 and 0,0167: the cent left over goes to the second (0,67 of a cent short)
    assert share(D("0.10"), [D("5"), D("1")]) == [D("0.08"), D("0.02")]
    assert share(D("1.00"), [D("1"), D("2")]) == [D("0.33"), D("0.67")]


def test_share_of_a_negative_total_is_exact_to_the_cent_too():
    assert share(D("-1.00"), [D("1"), D("2")]) == [D("-0.33"), D("-0.67")]


def test_a_one_rupiah_receipt_and_a_fifty_sen_payment_show_in_the_cash_flow():
    """(account, code, debit, credit) lines of one entry each: the smallest amounts still count."""
    assert balances.cash_flows_of([(1, "111000", D("1.00"), D("0")), (2, "411100", D("0"), D("1.00"))]) == [
        (2, D("1.00"), D("0.00"))]
    assert balances.cash_flows_of([(3, "511000", D("0.50"), D("0")), (1, "111000", D("0"), D("0.50"))]) == [
        (3, D("0.00"), D("0.50"))]
    # a payment of exactly one rupiah (the cash moves by -1) is an outflow like any other
    assert balances.cash_flows_of([(4, "522000", D("1.00"), D("0")), (1, "111000", D("0"), D("1.00"))]) == [
        (4, D("0.00"), D("1.00"))]


def test_a_kept_balance_or_cash_flow_changed_either_way_is_caught(uow, coop):
    post(uow, coop, date(2026, 3, 3), [("111000", D("1000"), 0), ("411100", 0, D("1000"))])
    assert reconcile(uow, [coop.id]) == []
    for change in (AccountBalance.debit - 1, AccountBalance.debit + 1):
        savepoint = uow.begin_nested()
        uow.execute(update(AccountBalance).where(AccountBalance.cooperative_id == coop.id).values(debit=change))
        assert {p[0] for p in reconcile(uow, [coop.id])} == {"ledger_balance"}
        savepoint.rollback()
    for change in (CashFlow.inflow - 1, CashFlow.inflow + 1):
        savepoint = uow.begin_nested()
        uow.execute(update(CashFlow).where(CashFlow.cooperative_id == coop.id).values(inflow=change))
        assert {p[0] for p in reconcile(uow, [coop.id])} == {"ledger_cash_flow"}
        savepoint.rollback()
    assert reconcile(uow, [coop.id]) == []


def test_cash_flows_still_reconcile_once_the_journal_has_hundreds_of_entries(uow, coop):
    """Entry numbers past a few hundred (any real cooperative after a few months): each entry's lines are still
    read together when the cash flows are recomputed from the lines."""
    day = date(2026, 4, 6)
    entry = post(uow, coop, day, [("111000", D("100"), 0), ("411100", 0, D("100"))])
    while entry.id <= 300:
        entry = post(uow, coop, day, [("111000", D("100"), 0), ("411100", 0, D("60")), ("412100", 0, D("40"))])
    assert reconcile(uow, [coop.id]) == []
    flows = {k[1]: v for k, v in balances._flows_from_lines(uow, [coop.id]).items()}
    assert sum(v[0] for v in flows.values()) == entries_total(uow, coop)


def entries_total(uow, coop):
    from sqlalchemy import func

    from app.ledger.models import JournalEntry

    return uow.scalar(select(func.sum(JournalEntry.total)).where(JournalEntry.cooperative_id == coop.id))


def test_the_year_end_close_over_december_postings_keeps_balances_that_agree_with_the_journal(uow, coop):
    """Revenue and expenses posted in December share their month's kept balance row with the closing entry of
    31 December: after the close nothing needs reconciling, the trial balance balances, and the kept closing
    debits and credits of December are equal and cover the year's revenue."""
    savepoint = uow.begin_nested()
    try:
        post(uow, coop, date(2025, 12, 5), [("kas", D("300000"), 0), ("penjualan_sembako_non_anggota", 0, D("300000"))])
        post(uow, coop, date(2025, 12, 6), [("beban_lain", D("45000"), 0), ("kas", 0, D("45000"))])
        for month in range(1, 13):
            services.close_period(uow, coop.id, 2025, month)
        services.close_year(uow, coop.id, 2025)
        assert reconcile(uow, [coop.id]) == []
        assert s.trial_balance_report(uow, coop, s.ReportPeriod(2025)).balanced
        kept = uow.execute(select(AccountBalance.closing_debit, AccountBalance.closing_credit)
                           .where(AccountBalance.cooperative_id == coop.id, AccountBalance.year == 2025,
                                  AccountBalance.month == 12,
                                  (AccountBalance.closing_debit != 0) | (AccountBalance.closing_credit != 0))).all()
        assert sum((d for d, _ in kept), D(0)) == sum((c for _, c in kept), D(0)) >= D("300000")
    finally:
        savepoint.rollback()
