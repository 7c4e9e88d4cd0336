"""The posting service's own rules, each as what the bookkeeper sees: what an entry needs (a date, a description,
lines of the right shape, a known cooperative and business unit), what it records (number, poster, reference,
memo, total) and when a reversal is refused."""
from datetime import date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.core.errors import ValidationFailed
from app.ledger import services
from app.ledger.guards import ClosedPeriodError, LedgerError
from app.ledger.models import JournalEntry

from .conftest import D, fresh_cooperative, post

pytestmark = pytest.mark.usefixtures("english_messages")

DAY = date(2026, 3, 10)
GOOD = [("kas", D(100), 0), ("simpanan_pokok", 0, D(100))]


class Poster:
    id = 4242
    username = "bendahara.uji"


def entries(uow):
    return uow.scalar(select(func.count()).select_from(JournalEntry))


@pytest.mark.parametrize("day", [None, "2026-03-10", datetime(2026, 3, 10, 9, 0)])
def test_an_entry_needs_a_calendar_date(uow, coop, day):
    with pytest.raises(ValidationFailed, match="date is required") as e:
        post(uow, coop, day, GOOD)
    assert e.value.field == "entry_date"


@pytest.mark.parametrize("description", [None, "", "   "])
def test_an_entry_needs_a_description(uow, coop, description):
    before = entries(uow)
    with pytest.raises(ValidationFailed, match="description is required") as e:
        post(uow, coop, DAY, GOOD, description=description)
    assert e.value.field == "description"
    assert entries(uow) == before


def test_the_description_is_trimmed_and_kept_to_255_characters(uow, coop):
    assert post(uow, coop, DAY, GOOD, description="  Setoran kas  ").description == "Setoran kas"
    assert post(uow, coop, DAY, GOOD, description="x" * 300).description == "x" * 255


@pytest.mark.parametrize("cooperative", [None, "abc", 99999999])
def test_posting_for_an_unknown_cooperative_is_refused(uow, cooperative):
    with pytest.raises(LedgerError, match="Unknown cooperative"):
        services.post_entry(uow, cooperative_id=cooperative, entry_date=DAY, description="x", lines=GOOD)


def test_a_cooperative_may_be_given_by_id_as_text_or_as_the_object(uow, coop):
    a = services.post_entry(uow, cooperative_id=str(coop.id), entry_date=DAY, description="x", lines=GOOD)
    b = services.post_entry(uow, cooperative_id=coop, entry_date=DAY, description="x", lines=GOOD)
    assert a.cooperative_id == b.cooperative_id == coop.id


@pytest.mark.parametrize("line", [("kas", D(100)), ("kas", D(100), 0, "memo", "extra")])
def test_a_line_must_be_account_debit_credit_and_an_optional_memo(uow, coop, line):
    with pytest.raises(ValidationFailed, match="journal line is"):
        post(uow, coop, DAY, [line, ("simpanan_pokok", 0, D(100))])


def test_the_entry_records_its_lines_memo_total_number_reference_and_who_posted_it(uow, coop):
    entry = post(uow, coop, DAY, [("kas", D("1250.50"), 0, "tunai di loket"), ("simpanan_pokok", 0, D("1000")),
                                  (" simpanan_wajib ", None, D("250.50"), "")],
                 reference="R" * 80, source_type="uji", source_id=17, acting_user=Poster())
    assert entry.total == D("1250.50")
    assert [(l.line_no, l.account.code, l.debit, l.credit, l.memo) for l in entry.lines] == [
        (1, "111000", D("1250.50"), D("0.00"), "tunai di loket"), (2, "311000", D("0.00"), D("1000.00"), None),
        (3, "312000", D("0.00"), D("250.50"), None)]
    assert entry.number == f"JU-2026-{entry.seq:06d}" and entry.year == 2026
    assert entry.reference == "R" * 60
    assert (entry.source_type, entry.source_id) == ("uji", "17")
    assert (entry.posted_by_id, entry.posted_by) == (4242, "bendahara.uji")
    assert (entry.entry_type, entry.status) == ("umum", "posted")


def test_an_entry_without_reference_or_poster_is_posted_by_the_system(uow, coop):
    entry = post(uow, coop, DAY, GOOD, reference="")
    assert entry.reference is None and entry.source_id is None
    assert (entry.posted_by_id, entry.posted_by) == (None, "system")


def test_entry_numbers_are_six_digits_per_year():
    assert services.entry_number(2026, 7) == "JU-2026-000007"
    assert services.entry_number(2026, 1234567) == "JU-2026-1234567"


def test_numbers_count_per_cooperative_and_year(uow, coop):
    first = post(uow, coop, date(2025, 12, 31), GOOD)
    second = post(uow, coop, date(2026, 1, 1), GOOD)
    third = post(uow, coop, date(2026, 1, 2), GOOD)
    assert (first.seq, second.seq, third.seq) == (1, 1, 2)


def test_an_entry_is_booked_to_the_business_unit_of_its_own_cooperative_only(uow, coop):
    from app.cooperatives.models import BusinessUnit, Cooperative

    own = BusinessUnit(cooperative_id=coop.id, kind="klinik", status="persiapan")
    uow.add(own)
    other_coop = uow.scalar(select(Cooperative).where(Cooperative.region_code == "35.73.03.1010"))
    foreign = uow.scalar(select(BusinessUnit).where(BusinessUnit.cooperative_id == other_coop.id))
    uow.flush()
    assert post(uow, coop, DAY, GOOD, business_unit_id=str(own.id)).business_unit_id == own.id
    assert post(uow, coop, DAY, GOOD, business_unit_id="").business_unit_id is None
    for bad in ([foreign.id] if foreign is not None else []) + ["abc", 99999999]:
        with pytest.raises(ValidationFailed, match="Unknown business unit") as e:
            post(uow, coop, DAY, GOOD, business_unit_id=bad)
        assert e.value.field == "business_unit"


def test_an_inactive_or_group_account_is_named_in_the_refusal(uow, coop):
    with pytest.raises(services.AccountError, match="110000"):
        post(uow, coop, DAY, [("110000", D(1), 0), ("kas", 0, D(1))])


def test_a_credit_only_line_and_a_debit_only_line_make_an_entry(uow, coop):
    # (the credit-only line first; kas is debited, since a credit would take an empty kas below zero)
    entry = post(uow, coop, DAY, [("simpanan_pokok", 0, D(5)), ("kas", D(5), 0)])
    assert entry.total == D("5.00")


@pytest.mark.parametrize("lines", [[("kas", D(5), 0), ("simpanan_pokok", 0, D(-5)), ("bank", 0, D(10))],
                                   [("kas", D(-5), 0), ("bank", D(10), 0), ("simpanan_pokok", 0, D(5))],
                                   [("kas", D("-0.50"), D(5)), ("bank", D("4.50"), 0)],
                                   [("kas", D(5), D("-0.50")), ("bank", 0, D("4.50"))]])
def test_a_negative_amount_is_refused_even_when_the_entry_would_balance(uow, coop, lines):
    with pytest.raises(LedgerError, match="negative"):
        post(uow, coop, DAY, lines)


# -- reversal -------------------------------------------------------------------------------------------------

def test_a_reversal_needs_a_reason_of_at_least_five_characters(uow, coop):
    entry = post(uow, coop, DAY, GOOD)
    for short in (None, "", "  abcd  "):
        with pytest.raises(ValidationFailed, match="reason") as e:
            services.reverse_entry(uow, entry, DAY, short)
        assert e.value.field == "reason"
    reversal = services.reverse_entry(uow, entry.id, DAY, " abcde ", acting_user=Poster())
    assert reversal.description == f"Pembalik {entry.number}: abcde"
    assert (reversal.source_type, reversal.source_id, reversal.posted_by) == ("journal_entry", str(entry.id),
                                                                             "bendahara.uji")


def test_reversing_an_unknown_entry_is_refused(uow, coop):
    with pytest.raises(LedgerError, match="Unknown journal entry"):
        services.reverse_entry(uow, 99999999, DAY, "salah catat")


def test_a_reversal_dated_before_the_entry_it_reverses_is_refused_and_writes_nothing(uow, coop):
    """Otherwise the cash book would show the undoing days before the thing undone (issue 10)."""
    entry = post(uow, coop, DAY, GOOD)
    before = entries(uow)
    with pytest.raises(ValidationFailed, match="before the entry it reverses") as e:
        services.reverse_entry(uow, entry, date(2026, 3, 9), "salah catat")
    assert e.value.field == "entry_date" and entries(uow) == before
    assert services.reverse_entry(uow, entry, DAY, "salah catat").entry_date == DAY


def test_a_year_end_closing_entry_cannot_be_reversed(uow, coop):
    entry = post(uow, coop, DAY, GOOD, _entry_type="penutup")
    with pytest.raises(LedgerError, match="closing entry"):
        services.reverse_entry(uow, entry, DAY, "salah catat")


def test_an_entry_owned_by_the_savings_is_reversed_only_by_the_savings(uow, coop):
    entry = post(uow, coop, DAY, GOOD, source_type="savings_transaction", source_id=1)
    with pytest.raises(LedgerError, match="Batalkan"):
        services.reverse_entry(uow, entry, DAY, "salah catat")
    reversal = services.reverse_entry(uow, entry, DAY, "salah catat", _owner="savings_transaction")
    assert reversal.reverses_id == entry.id


def test_a_reversal_into_a_closed_month_is_refused_but_the_closing_entry_may_enter_one(uow, coop):
    entry = post(uow, coop, date(2026, 1, 10), GOOD)
    services.close_period(uow, coop.id, 2026, 1)
    with pytest.raises(ClosedPeriodError) as e:
        services.reverse_entry(uow, entry, date(2026, 1, 31), "salah catat")
    assert e.value.field == "entry_date"
    closing = post(uow, coop, date(2026, 1, 31), GOOD, _entry_type="penutup", _allow_closed=True)
    assert closing.entry_type == "penutup"


def test_amounts_are_stored_exactly_as_decimal(uow, coop):
    entry = post(uow, coop, DAY, [("kas", "1000.10", 0), ("simpanan_pokok", 0, Decimal("1000.1"))])
    assert entry.total == Decimal("1000.10") and isinstance(entry.total, Decimal)


def test_a_line_memo_is_kept_to_255_characters(uow, coop):
    entry = post(uow, coop, DAY, [("kas", D(5), 0, "m" * 300), ("simpanan_pokok", 0, D(5), "n" * 255)])
    assert [l.memo for l in entry.lines] == ["m" * 255, "n" * 255]


def test_a_reversal_keeps_the_memos_and_the_business_unit_of_the_original(uow, coop):
    from app.cooperatives.models import BusinessUnit

    unit = BusinessUnit(cooperative_id=coop.id, kind="klinik", status="persiapan")
    uow.add(unit)
    uow.flush()
    entry = post(uow, coop, DAY, [("kas", D(5), 0, "tunai"), ("simpanan_pokok", 0, D(5))], business_unit_id=unit.id)
    reversal = services.reverse_entry(uow, entry, DAY, "salah unit usaha")
    assert reversal.business_unit_id == unit.id
    assert [(l.account.code, l.debit, l.credit, l.memo) for l in reversal.lines] == [
        ("111000", D("0.00"), D("5.00"), "tunai"), ("311000", D("5.00"), D("0.00"), None)]


def test_an_opening_balance_entry_and_a_reversal_can_themselves_be_reversed(uow, coop):
    opening = post(uow, coop, DAY, GOOD, _entry_type="pembuka")
    assert services.reverse_entry(uow, opening, DAY, "saldo awal salah").reverses_id == opening.id
    entry = post(uow, coop, DAY, GOOD)
    reversal = services.reverse_entry(uow, entry, DAY, "salah catat")
    assert services.reverse_entry(uow, reversal, DAY, "pembalikan keliru").reverses_id == reversal.id


def test_reversing_a_later_entry_first_does_not_block_reversing_an_earlier_one(uow, coop):
    earlier = post(uow, coop, DAY, GOOD)
    later = post(uow, coop, DAY, GOOD)
    services.reverse_entry(uow, later, DAY, "salah catat")
    assert services.reverse_entry(uow, earlier, DAY, "salah catat juga").reverses_id == earlier.id


# -- what each cooperative's books keep apart ----------------------------------------------------------------------

def test_credits_above_the_debits_are_refused_naming_both_totals_and_nothing_is_written(uow, coop):
    before = entries(uow)
    with pytest.raises(services.UnbalancedEntryError, match=r"Debits \(Rp100\) and credits \(Rp150\) are not equal"):
        post(uow, coop, DAY, [("kas", D(100), 0), ("simpanan_pokok", 0, D(150))])
    assert entries(uow) == before


def test_the_same_month_of_two_years_is_two_periods(uow, coop):
    """June 2025 and June 2026 are booked side by side; closing June 2025 leaves June 2026 open."""
    for day in (date(2025, 6, 10), date(2026, 6, 10), date(2025, 6, 11)):
        assert post(uow, coop, day, GOOD).entry_date == day
    services.close_period(uow, coop.id, 2025, 6)
    assert post(uow, coop, date(2026, 6, 12), GOOD).entry_date == date(2026, 6, 12)
    with pytest.raises(ClosedPeriodError):
        post(uow, coop, date(2025, 6, 12), GOOD)


def test_a_month_closed_by_every_other_cooperative_stays_open_for_this_one(uow, coop):
    """Other cooperatives, registered before and after this one, have closed January 2026: this cooperative's
    January is its own and takes its postings; once it closes it, it refuses them."""
    from app.cooperatives.models import Cooperative

    newer = fresh_cooperative(uow)
    assert newer.id > coop.id
    for other in uow.scalars(select(Cooperative.id).where(Cooperative.id != coop.id)).all():
        if not services.period_is_closed(uow, other, date(2026, 1, 1)):
            services.close_period(uow, other, 2026, 1)
    assert post(uow, coop, date(2026, 1, 20), GOOD).entry_date == date(2026, 1, 20)
    services.close_period(uow, coop.id, 2026, 1)
    with pytest.raises(ClosedPeriodError):
        post(uow, coop, date(2026, 1, 21), GOOD)


def test_a_cooperative_numbered_in_the_thousands_books_to_its_own_business_unit(uow):
    """Ids past the first few hundred (a province registers thousands of KKMP), read back from the database."""
    from app.cooperatives.models import BusinessUnit

    big = fresh_cooperative(uow, id=700002)
    unit = BusinessUnit(cooperative_id=big.id, kind="klinik", status="persiapan")
    uow.add(unit)
    uow.flush()
    unit_id = unit.id
    uow.expire_all()
    entry = post(uow, big, services.local_today(big), GOOD, business_unit_id=unit_id)
    assert entry.business_unit_id == unit_id and entry.cooperative_id == 700002


def test_a_business_unit_of_a_newer_cooperative_is_refused_too(uow, coop):
    from app.cooperatives.models import BusinessUnit

    newer = fresh_cooperative(uow)
    unit = BusinessUnit(cooperative_id=newer.id, kind="klinik", status="persiapan")
    uow.add(unit)
    uow.flush()
    before = entries(uow)
    with pytest.raises(ValidationFailed, match="Unknown business unit"):
        post(uow, coop, DAY, GOOD, business_unit_id=unit.id)
    assert entries(uow) == before


def test_the_savings_reverses_its_own_entry_read_back_from_the_database(uow, coop):
    """As in a later request: the entry is loaded afresh, not the object that was posted."""
    entry_id = post(uow, coop, DAY, GOOD, source_type="savings_transaction", source_id=1).id
    uow.expire_all()
    with pytest.raises(LedgerError, match="Batalkan"):
        services.reverse_entry(uow, entry_id, DAY, "salah catat")
    reversal = services.reverse_entry(uow, entry_id, DAY, "salah catat", _owner="savings_transaction")
    assert reversal.reverses_id == entry_id


def test_a_year_end_closing_entry_read_back_from_the_database_cannot_be_reversed(uow, coop):
    entry_id = post(uow, coop, DAY, GOOD, _entry_type="penutup").id
    uow.expire_all()
    before = entries(uow)
    with pytest.raises(LedgerError, match="closing entry"):
        services.reverse_entry(uow, entry_id, DAY, "salah catat")
    assert entries(uow) == before
