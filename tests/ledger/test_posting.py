"""The posting service: arithmetic, validation, numbering, immutability, periods, reversal, atomicity."""
from datetime import date, datetime, timezone
from decimal import Decimal

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DatabaseError

from app.ledger import services
from app.ledger.guards import ClosedPeriodError, ImmutableEntryError, LedgerError
from app.ledger.models import Account, JournalCounter, JournalEntry, JournalLine, Period

from .conftest import D, balance_of, post

# The assertions below read messages by their English msgids.
pytestmark = pytest.mark.usefixtures("english_messages")

DAY = date(2026, 3, 10)


def test_chart_of_accounts_is_created_with_a_new_cooperative_and_ensuring_it_again_adds_nothing(uow, coop):
    codes = set(uow.scalars(select(Account.code).where(Account.cooperative_id == coop.id)))
    assert {"111000", "112000", "113100", "114000", "211000", "212000", "311000", "312000", "315000", "316000",
            "317000", "411100", "411200", "511000"} <= codes
    kinds = dict(uow.execute(select(Account.code, Account.kind).where(Account.cooperative_id == coop.id)).all())
    assert (kinds["311000"], kinds["312000"], kinds["211000"]) == ("ekuitas", "ekuitas", "kewajiban")
    flags = dict(uow.execute(select(Account.code, Account.member_flag).where(Account.cooperative_id == coop.id)).all())
    assert (flags["411100"], flags["411200"]) == ("anggota", "non_anggota")
    services.ensure_chart_of_accounts(uow, coop)
    assert uow.scalar(select(func.count()).select_from(Account).where(Account.cooperative_id == coop.id)) == len(codes)


def test_postings_leave_exact_decimal_balances_and_numbers_count_up_from_one_per_year(uow, coop):
    a = post(uow, coop, DAY, [("kas", D("1500000.00"), 0), ("simpanan_pokok", 0, D("1500000.00"))])
    b = post(uow, coop, DAY, [("111000", D("10000000.10"), 0), ("simpanan_wajib", 0, D("10000000.10"))])
    c = post(uow, coop, DAY, [("bank", D("2500000.05"), 0), ("kas", 0, D("2500000.05"))])
    d = post(uow, coop, date(2025, 12, 30), [("kas", D("0.01"), 0), ("419000", 0, D("0.01"))])
    assert [a.number, b.number, c.number] == ["JU-2026-000001", "JU-2026-000002", "JU-2026-000003"]
    assert d.number == "JU-2025-000001"
    assert balance_of(uow, coop.id, "111000") == D("9000000.06")
    assert balance_of(uow, coop.id, "112000") == D("2500000.05")
    assert balance_of(uow, coop.id, "311000") == D("-1500000.00")
    assert balance_of(uow, coop.id, "312000") == D("-10000000.10")
    rows, dr, cr = services.trial_balance(uow, coop.id)
    assert dr == cr == D("11500000.11")
    assert all(isinstance(l.debit, Decimal) for l in b.lines)


@pytest.mark.parametrize("lines,message", [
    ([("kas", D(100), 0), ("simpanan_pokok", 0, D(99))], "not equal"),
    ([("kas", D(100), 0)], "at least two lines"),
    ([("kas", D(0), 0), ("simpanan_pokok", 0, D(0))], "greater than zero"),
    ([("kas", D(-5), 0), ("simpanan_pokok", 0, D(-5))], "negative"),
    ([("kas", D(5), D(5)), ("simpanan_pokok", 0, D(5))], "either a debit or a credit"),
    ([("kas", 100.0, 0), ("simpanan_pokok", 0, 100.0)], "Decimal"),
    ([("kas", D("1.001"), 0), ("simpanan_pokok", 0, D("1.001"))], "two decimals"),
    ([("999999", D(1), 0), ("kas", 0, D(1))], "not in this cooperative's chart"),
    ([("bukan_tujuan", D(1), 0), ("kas", 0, D(1))], "Unknown account or purpose"),
    ([("110000", D(1), 0), ("kas", 0, D(1))], "is a group"),
])
def test_a_bad_posting_is_refused_with_a_clear_message_and_nothing_is_written(uow, coop, lines, message):
    before = uow.scalar(select(func.count()).select_from(JournalEntry))
    with pytest.raises(LedgerError if "Decimal" not in message and "two decimals" not in message else Exception) as e:
        post(uow, coop, DAY, lines)
    assert message in str(e.value)
    assert uow.scalar(select(func.count()).select_from(JournalEntry)) == before


def test_posting_to_an_inactive_account_or_another_cooperatives_account_is_refused(uow, coop):
    acct = uow.scalar(select(Account).where(Account.cooperative_id == coop.id, Account.code == "529000"))
    acct.is_active = False
    uow.flush()
    with pytest.raises(services.AccountError, match="inactive"):
        post(uow, coop, DAY, [("529000", D(1), 0), ("kas", 0, D(1))])
    # Another cooperative's account id never resolves: codes are looked up inside the posting cooperative only.
    from app.cooperatives.models import Cooperative
    other = uow.scalar(select(Cooperative).where(Cooperative.region_code == "35.73.03.1010"))
    foreign = uow.scalar(select(Account).where(Account.cooperative_id == other.id, Account.code == "111000"))
    entry = JournalEntry(cooperative_id=coop.id, number="X", year=2026, seq=999, entry_date=DAY, description="x",
                         entry_type="umum", status="posted", posted_at=datetime(2026, 3, 10), total=D(1))
    kas = uow.scalar(select(Account).where(Account.cooperative_id == coop.id, Account.code == "111000"))
    entry.lines.append(JournalLine(cooperative_id=coop.id, line_no=1, account=foreign, debit=D(1), credit=D(0)))
    entry.lines.append(JournalLine(cooperative_id=coop.id, line_no=2, account=kas, debit=D(0), credit=D(1)))
    uow.add(entry)
    with pytest.raises(LedgerError, match="another cooperative"):
        uow.flush()


def test_a_date_after_today_in_the_cooperatives_time_zone_is_refused(uow, coop):
    # 17:30 UTC on 31 March is already 00:30 on 1 April in Jakarta (WIB).
    now = datetime(2026, 3, 31, 17, 30, tzinfo=timezone.utc)
    assert services.local_today(coop, now) == date(2026, 4, 1)
    post(uow, coop, date(2026, 4, 1), [("kas", D(1), 0), ("simpanan_pokok", 0, D(1))], _now=now)
    with pytest.raises(services.FutureDateError):
        post(uow, coop, date(2026, 4, 2), [("kas", D(1), 0), ("simpanan_pokok", 0, D(1))], _now=now)


@pytest.mark.parametrize("province,expected", [("31", 7), ("61", 7), ("62", 7), ("64", 8), ("51", 8), ("73", 8),
                                               ("82", 9), ("94", 9)])
def test_business_dates_use_wib_wita_or_wit_by_province(province, expected):
    from types import SimpleNamespace

    coop = SimpleNamespace(province_code=province, region_code=province)
    now = datetime(2026, 1, 1, 0, 0, tzinfo=timezone.utc)
    assert services.cooperative_timezone(coop).utcoffset(now.replace(tzinfo=None)).total_seconds() == expected * 3600


def test_a_refused_posting_consumes_no_number_and_a_rolled_back_one_leaves_no_gap(uow, coop):
    post(uow, coop, DAY, [("kas", D(10), 0), ("simpanan_pokok", 0, D(10))])
    with pytest.raises(LedgerError):
        post(uow, coop, DAY, [("kas", D(10), 0), ("simpanan_pokok", 0, D(9))])
    savepoint = uow.begin_nested()
    post(uow, coop, DAY, [("kas", D(10), 0), ("simpanan_pokok", 0, D(10))])
    savepoint.rollback()
    services.close_period(uow, coop.id, 2026, 2)
    with pytest.raises(ClosedPeriodError):
        post(uow, coop, date(2026, 2, 3), [("kas", D(10), 0), ("simpanan_pokok", 0, D(10))])
    last = post(uow, coop, DAY, [("kas", D(10), 0), ("simpanan_pokok", 0, D(10))])
    assert last.number == "JU-2026-000002"
    numbers = uow.scalars(select(JournalEntry.seq).where(JournalEntry.cooperative_id == coop.id,
                                                         JournalEntry.year == 2026).order_by(JournalEntry.seq)).all()
    assert numbers == [1, 2]


def test_a_posted_entry_cannot_be_changed_or_deleted_through_the_orm(uow, coop):
    entry = post(uow, coop, DAY, [("kas", D(10), 0), ("simpanan_pokok", 0, D(10))])
    entry.description = "diubah"
    with pytest.raises(ImmutableEntryError):
        uow.flush()
    uow.rollback()
    entry = uow.scalar(select(JournalEntry).where(JournalEntry.cooperative_id == 1).limit(1))
    line = entry.lines[0]
    line.debit = line.debit + 1
    with pytest.raises(ImmutableEntryError):
        uow.flush()
    uow.rollback()
    entry = uow.scalar(select(JournalEntry).where(JournalEntry.cooperative_id == 1).limit(1))
    uow.delete(entry.lines[0])
    with pytest.raises(ImmutableEntryError):
        uow.flush()
    uow.rollback()
    entry = uow.scalar(select(JournalEntry).where(JournalEntry.cooperative_id == 1).limit(1))
    entry.lines.append(JournalLine(cooperative_id=1, line_no=9, account=entry.lines[0].account, debit=D(1),
                                   credit=D(0)))
    with pytest.raises(ImmutableEntryError):
        uow.flush()


@pytest.mark.parametrize("statement", [
    "UPDATE journal_line SET debit = debit + 1 WHERE id = :id",
    "DELETE FROM journal_line WHERE id = :id",
    "UPDATE journal_entry SET description = 'x' WHERE id = (SELECT entry_id FROM journal_line WHERE id = :id)",
    "DELETE FROM journal_entry WHERE id = (SELECT entry_id FROM journal_line WHERE id = :id)",
])
def test_a_raw_sql_change_of_a_posted_entry_is_refused_by_the_database(uow, statement):
    line_id = uow.scalar(select(JournalLine.id).order_by(JournalLine.id).limit(1))
    with pytest.raises(DatabaseError, match="immutable"):
        uow.execute(text(statement), {"id": line_id})


def test_an_account_with_postings_cannot_be_deleted_by_the_service_or_the_database(uow, coop):
    post(uow, coop, DAY, [("kas", D(10), 0), ("simpanan_pokok", 0, D(10))])
    kas = uow.scalar(select(Account).where(Account.cooperative_id == coop.id, Account.code == "111000"))
    with pytest.raises(LedgerError, match="postings"):
        services.check_delete_account(uow, kas)
    with pytest.raises(DatabaseError):
        with uow.begin_nested():
            uow.execute(text("DELETE FROM account WHERE id = :id"), {"id": kas.id})


def test_pengurus_adds_an_account_and_deactivates_only_unused_unmapped_ones(uow, coop):
    new = services.add_account(uow, coop.id, "411300", "Penjualan air isi ulang dari anggota",
                               member_flag="anggota")
    assert (new.kind, new.normal_balance, new.is_system) == ("pendapatan", "K", False)
    with pytest.raises(Exception, match="already exists"):
        services.add_account(uow, coop.id, "411300", "Dobel")
    with pytest.raises(Exception, match="are pendapatan"):
        services.add_account(uow, coop.id, "418000", "Salah jenis", kind="beban")
    post(uow, coop, DAY, [("kas", D(10), 0), ("411300", 0, D(10))])
    before = Account(cooperative_id=coop.id, code="411300", is_active=True)
    before.id = new.id
    new.is_active = False
    with pytest.raises(Exception, match="balance"):
        services.check_account(uow, new, existing=before)
    kas_before = Account(cooperative_id=coop.id, code="111000", is_active=True)
    kas_before.id = uow.scalar(select(Account.id).where(Account.cooperative_id == coop.id, Account.code == "111000"))
    with pytest.raises(Exception, match="kas"):
        services.check_account(uow, Account(cooperative_id=coop.id, code="111000", is_active=False),
                               existing=kas_before)


def test_a_purpose_can_point_at_another_account_and_postings_follow_it(uow, coop):
    services.add_account(uow, coop.id, "216000", "Simpanan wajib (kewajiban)")
    services.set_account_purpose(uow, coop.id, "simpanan_wajib", "216000")
    assert services.account_code(uow, coop.id, "simpanan_wajib") == "216000"
    post(uow, coop, DAY, [("kas", D(50000), 0), ("simpanan_wajib", 0, D(50000))])
    assert balance_of(uow, coop.id, "216000") == D("-50000.00")
    assert balance_of(uow, coop.id, "312000") == D("0.00")


def test_nothing_can_be_posted_or_reversed_into_a_closed_month_through_the_service_or_the_orm(uow, coop):
    entry = post(uow, coop, date(2026, 1, 15), [("kas", D(700), 0), ("simpanan_pokok", 0, D(700))])
    period = services.close_period(uow, coop.id, 2026, 1)
    assert period.status == "closed" and period.closed_at is not None
    with pytest.raises(ClosedPeriodError, match="01/2026"):
        post(uow, coop, date(2026, 1, 31), [("kas", D(1), 0), ("simpanan_pokok", 0, D(1))])
    with pytest.raises(ClosedPeriodError):
        services.reverse_entry(uow, entry, date(2026, 1, 20), "salah catat")
    # The ORM guard refuses an entry built by hand, without the service.
    kas = uow.scalar(select(Account).where(Account.cooperative_id == coop.id, Account.code == "111000"))
    pokok = uow.scalar(select(Account).where(Account.cooperative_id == coop.id, Account.code == "311000"))
    manual = JournalEntry(cooperative_id=coop.id, number="JU-2026-999999", year=2026, seq=999999,
                          entry_date=date(2026, 1, 2), description="lewat ORM", entry_type="umum", status="posted",
                          posted_at=datetime(2026, 3, 1), total=D(5))
    manual.lines.append(JournalLine(cooperative_id=coop.id, line_no=1, account=kas, debit=D(5), credit=D(0)))
    manual.lines.append(JournalLine(cooperative_id=coop.id, line_no=2, account=pokok, debit=D(0), credit=D(5)))
    uow.add(manual)
    with pytest.raises(ClosedPeriodError):
        uow.flush()
    uow.rollback()


def test_the_database_refuses_an_entry_inserted_into_a_closed_month_below_the_orm(uow):
    from app.cooperatives.models import Cooperative

    coop_id = uow.scalar(select(Cooperative.id).where(Cooperative.region_code == "31.73.05.1001"))
    closed = uow.execute(select(Period.year, Period.month).where(Period.cooperative_id == coop_id,
                                                                 Period.status == "closed")).first()
    assert closed is not None, "the demo closes a month"
    with pytest.raises(DatabaseError, match="closed"):
        uow.execute(text("INSERT INTO journal_entry (cooperative_id, number, year, seq, entry_date, description, "
                         "entry_type, status, posted_at, total) VALUES (:c, 'JU-X', :y, 999999, :d, 'raw', 'umum', "
                         "'posted', :d, 1)"), {"c": coop_id, "y": closed.year, "d": date(closed.year, closed.month, 2)})


def test_a_reversal_swaps_every_line_references_the_original_and_cannot_be_repeated(uow, coop):
    entry = post(uow, coop, date(2026, 2, 10), [("kas", D("9350000"), 0), ("411100", 0, D("6100000")),
                                                ("411200", 0, D("3250000"))], reference="REKAP-02")
    reversal = services.reverse_entry(uow, entry, date(2026, 3, 1), "salah tanggal")
    assert reversal.reverses_id == entry.id and reversal.reference == entry.number
    assert reversal.entry_type == "pembalik"
    assert [(l.account.code, l.debit, l.credit) for l in reversal.lines] == [
        ("111000", D("0.00"), D("9350000.00")), ("411100", D("6100000.00"), D("0.00")),
        ("411200", D("3250000.00"), D("0.00"))]
    for code in ("111000", "411100", "411200"):
        assert balance_of(uow, coop.id, code) == D("0.00")
    with pytest.raises(LedgerError, match="already reversed"):
        services.reverse_entry(uow, entry, date(2026, 3, 2), "lagi dong")


def test_a_failure_after_posting_inside_the_callers_transaction_leaves_neither_business_row_nor_journal(
        app, monkeypatch):
    """The business row, its journal and the audit rows commit together or not at all (reliability §4.6)."""
    from app.cooperatives.models import BusinessUnit, Cooperative
    from app.core.audit import AuditEvent
    from app.core.scope import system_scope
    from app.extensions import db

    class Notifier:
        @staticmethod
        def after_posting(entry):
            return None

    def record_unit_and_opening_cash(session, coop_id):
        unit = BusinessUnit(cooperative_id=coop_id, kind="klinik", status="persiapan")
        session.add(unit)
        session.flush()
        entry = services.post_entry(session, cooperative_id=coop_id, entry_date=date(2026, 3, 5),
                                    description="Modal awal klinik", lines=[("kas", D(5000000), 0),
                                                                            ("313000", 0, D(5000000))],
                                    business_unit_id=unit.id, source_type="business_unit", source_id=unit.id)
        Notifier.after_posting(entry)
        session.commit()
        return unit, entry

    def boom(entry):
        raise RuntimeError("crash between the business row and its commit")

    monkeypatch.setattr(Notifier, "after_posting", staticmethod(boom))
    with app.app_context(), system_scope():
        session = db.session
        coop_id = session.scalar(select(Cooperative.id).where(Cooperative.region_code == "31.73.05.1002"))
        counter_before = session.scalar(select(JournalCounter.last_number).where(
            JournalCounter.cooperative_id == coop_id, JournalCounter.year == 2026))
        audit_before = session.scalar(select(func.count()).select_from(AuditEvent))
        with pytest.raises(RuntimeError):
            try:
                record_unit_and_opening_cash(session, coop_id)
            except RuntimeError:
                session.rollback()
                raise
        db.session.remove()
    with app.app_context(), system_scope():
        session = db.session
        assert session.scalar(select(BusinessUnit.id).where(BusinessUnit.cooperative_id == coop_id,
                                                            BusinessUnit.kind == "klinik")) is None
        assert session.scalar(select(JournalEntry.id).where(JournalEntry.cooperative_id == coop_id,
                                                            JournalEntry.source_type == "business_unit")) is None
        assert session.scalar(select(func.count()).select_from(AuditEvent)) == audit_before
        assert session.scalar(select(JournalCounter.last_number).where(
            JournalCounter.cooperative_id == coop_id, JournalCounter.year == 2026)) == counter_before
        db.session.remove()


def test_a_posting_uses_its_own_cooperatives_account_when_an_older_cooperative_opened_the_same_code_later(uow, coop):
    """Account codes repeat across cooperatives (every chart starts from the KKMP template, and sub-accounts are
    numbered alike). This cooperative opens sub-account 111098; an older cooperative then opens its own 111098.
    A posting of this cooperative to 111098 lands on its own account, whatever the other charts hold."""
    from .conftest import fresh_cooperative

    older = coop
    newer = fresh_cooperative(uow)
    own = services.add_account(uow, newer.id, "111098", "Kas kecil gerai", kind="aset")
    services.add_account(uow, older.id, "111098", "Kas kecil gerai", kind="aset")
    entry = post(uow, newer, DAY, [("111098", D("40000"), 0), ("311000", 0, D("40000"))])
    uow.flush()
    assert [(line.account_id, line.debit) for line in entry.lines if line.debit] == [(own.id, D("40000.00"))]
    assert balance_of(uow, newer.id, "111098") == D("40000.00")
    assert balance_of(uow, older.id, "111098") == D("0.00")
