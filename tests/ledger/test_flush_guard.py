"""The ledger's rules hold below the posting service (app/ledger/guards.py): a journal entry written straight into
any SQLAlchemy session, by code that forgot ``post_entry``, is refused at flush when it is unbalanced, zero, has a
single line, uses another cooperative's account or lies in a closed month; a balanced one goes in."""
from datetime import date, datetime
from decimal import Decimal as D

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session as PlainSession

from app.extensions import db
from app.ledger import services
from app.ledger.guards import ClosedPeriodError, ImmutableEntryError, LedgerError
from app.ledger.models import Account, JournalEntry, JournalLine

from .conftest import fresh_cooperative, post

# The refusals are read by their English msgids (the product speaks Indonesian by default).
pytestmark = pytest.mark.usefixtures("english_messages")

DAY = date(2026, 1, 15)
_seq = iter(range(900000, 999999))


def account(session, coop, code):
    return session.scalar(select(Account).where(Account.cooperative_id == coop.id, Account.code == code))


def hand_made(session, coop, amounts, day=DAY, entry_type="umum", accounts=None):
    """An entry built from models, bypassing post_entry: ``amounts`` is [(debit, credit)] per line."""
    kas, pokok = account(session, coop, "111000"), account(session, coop, "311000")
    seq = next(_seq)
    entry = JournalEntry(cooperative_id=coop.id, number=f"JU-{day.year}-{seq}", year=day.year, seq=seq,
                         entry_date=day, description="langsung ke sesi", entry_type=entry_type, status="posted",
                         posted_at=datetime(2026, 3, 1), total=sum((d for d, _ in amounts), D(0)))
    for i, (debit, credit) in enumerate(amounts, start=1):
        acc = (accounts or [kas, pokok])[(i - 1) % 2]
        entry.lines.append(JournalLine(cooperative_id=coop.id, line_no=i, account=acc, debit=D(debit),
                                       credit=D(credit)))
    session.add(entry)
    return entry


def test_a_balanced_entry_written_straight_into_the_session_is_accepted(uow, coop):
    entry = hand_made(uow, coop, [(5000, 0), (0, 5000)])
    uow.flush()
    assert entry.id is not None


def test_a_balanced_entry_of_three_lines_is_accepted(uow, coop):
    hand_made(uow, coop, [(5000, 0), (0, 3000), (0, 2000)])
    uow.flush()


@pytest.mark.parametrize("amounts", [
    [(5000, 0), (0, 4000)],     # unbalanced: debit 5.000, credit 4.000
    [(4000, 0), (0, 5000)],     # unbalanced the other way
    [(0, 0), (0, 0)],           # a zero entry
    [(-5000, 0), (0, -5000)],   # negative amounts that balance each other
    [(5000, 0)],                # one line
    [(5000, 5000)],             # one line that balances itself
    [],                         # no line at all
])
def test_an_unbalanced_zero_or_single_line_entry_is_refused_below_the_service(uow, coop, amounts):
    hand_made(uow, coop, amounts)
    with pytest.raises(LedgerError, match="two lines and equal debits and credits"):
        uow.flush()


def test_the_guard_holds_for_any_session_not_only_the_apps(app):
    from app.cooperatives.models import Cooperative

    with app.app_context():
        session = PlainSession(db.engine)
        try:
            coop = session.scalar(select(Cooperative).where(Cooperative.region_code == "31.73.05.1001"))
            hand_made(session, coop, [(5000, 0), (0, 4000)], day=services.local_today(coop))
            with pytest.raises(LedgerError):
                session.flush()
        finally:
            session.rollback()
            session.close()


def test_an_entry_using_another_cooperatives_account_is_refused(uow, coop):
    from app.cooperatives.models import Cooperative

    other = uow.scalar(select(Cooperative).where(Cooperative.region_code == "31.73.05.1001"))
    kas = account(uow, coop, "111000")
    foreign = account(uow, other, "311000")
    hand_made(uow, coop, [(5000, 0), (0, 5000)], accounts=[kas, foreign])
    with pytest.raises(LedgerError, match="311000"):
        uow.flush()


def test_an_older_cooperatives_entry_using_a_newer_cooperatives_account_is_refused(uow, coop):
    from app.cooperatives.models import Cooperative

    older = uow.scalar(select(Cooperative).where(Cooperative.region_code == "31.73.05.1001"))
    assert older.id < coop.id
    # the cooperative's own today: a month that has not ended can never be closed, so only the account is wrong
    hand_made(uow, older, [(5000, 0), (0, 5000)], day=services.local_today(older),
              accounts=[account(uow, older, "111000"), account(uow, coop, "311000")])
    with pytest.raises(LedgerError, match="311000"):
        uow.flush()


def test_an_entry_of_a_cooperative_given_only_as_an_object_is_checked_against_its_closed_months(uow, coop):
    services.close_period(uow, coop.id, 2026, 1)
    entry = hand_made(uow, coop, [(5000, 0), (0, 5000)])
    entry.cooperative_id = None
    entry.cooperative = coop
    for line in entry.lines:
        line.cooperative_id = None
        line.cooperative = coop
    with pytest.raises(ClosedPeriodError, match="01/2026"):
        uow.flush()


@pytest.mark.parametrize("entry_type", ["umum", "pembalik", "pembuka"])
def test_an_entry_in_a_closed_month_is_refused(uow, coop, entry_type):
    """Every kind of entry but the year-end closing one: also a reversal or an opening balance."""
    services.close_period(uow, coop.id, 2026, 1)
    hand_made(uow, coop, [(5000, 0), (0, 5000)], day=date(2026, 1, 31), entry_type=entry_type)
    with pytest.raises(ClosedPeriodError, match="01/2026"):
        uow.flush()


def test_the_year_end_closing_entry_is_accepted_in_a_closed_month(uow, coop):
    services.close_period(uow, coop.id, 2026, 1)
    closing = hand_made(uow, coop, [(5000, 0), (0, 5000)], day=date(2026, 1, 31), entry_type="penutup")
    uow.flush()
    assert closing.id is not None


def test_an_entry_in_an_open_month_next_to_a_closed_one_is_accepted(uow, coop):
    services.close_period(uow, coop.id, 2026, 1)
    hand_made(uow, coop, [(5000, 0), (0, 5000)], day=date(2026, 2, 1))
    uow.flush()


def test_a_line_added_to_a_posted_entry_is_refused(uow, coop):
    entry = post(uow, coop, DAY, [("kas", D(10), 0), ("simpanan_pokok", 0, D(10))])
    uow.add(JournalLine(cooperative_id=coop.id, line_no=3, entry=entry, account=entry.lines[0].account,
                        debit=D(1), credit=D(0)))
    with pytest.raises(ImmutableEntryError, match="Lines cannot be added"):
        uow.flush()


def test_a_line_without_an_entry_is_refused(uow, coop):
    uow.add(JournalLine(cooperative_id=coop.id, line_no=1, account=account(uow, coop, "111000"), debit=D(1),
                        credit=D(0)))
    with pytest.raises(ImmutableEntryError, match="Lines cannot be added"):
        uow.flush()


def test_a_closed_january_leaves_january_of_the_next_year_open(uow, coop):
    services.close_period(uow, coop.id, 2025, 1)
    hand_made(uow, coop, [(5000, 0), (0, 5000)], day=date(2026, 1, 20))
    uow.flush()


def test_whether_a_month_is_closed_can_be_asked_on_a_plain_connection_too(uow, coop):
    from app.ledger.guards import period_is_closed

    services.close_period(uow, coop.id, 2026, 1)
    connection = uow.connection()
    assert period_is_closed(connection, coop.id, date(2026, 1, 31)) is True
    assert period_is_closed(connection, coop.id, date(2026, 2, 1)) is False
    assert period_is_closed(uow, coop.id, date(2026, 1, 1)) is True
    assert period_is_closed(uow, coop.id, date(2025, 1, 1)) is False


def test_a_posted_entry_cannot_be_deleted_nor_its_lines_changed(uow, coop):
    entry = post(uow, coop, DAY, [("kas", D(10), 0), ("simpanan_pokok", 0, D(10))])
    uow.delete(entry)
    with pytest.raises(ImmutableEntryError, match="deleted"):
        uow.flush()
    uow.rollback()


def test_loading_a_posted_entry_and_flushing_without_changes_is_fine(uow, coop):
    entry = post(uow, coop, DAY, [("kas", D(10), 0), ("simpanan_pokok", 0, D(10))])
    entry.description = entry.description
    entry.lines[0].debit = entry.lines[0].debit
    uow.flush()


def test_months_closed_by_other_cooperatives_older_and_newer_leave_this_cooperatives_month_open(uow, coop):
    """A cooperative's January stays open for its own postings although every other cooperative, registered
    before it or after it, has closed its January."""
    from app.cooperatives.models import Cooperative
    from app.ledger.guards import period_is_closed

    newer = fresh_cooperative(uow)
    assert newer.id > coop.id
    for other in uow.scalars(select(Cooperative.id).where(Cooperative.id != coop.id)).all():
        if not period_is_closed(uow, other, date(2026, 1, 1)):
            services.close_period(uow, other, 2026, 1)
    entry = hand_made(uow, coop, [(5000, 0), (0, 5000)], day=date(2026, 1, 31))
    uow.flush()
    assert entry.id is not None and period_is_closed(uow, coop.id, date(2026, 1, 31)) is False


def test_a_closed_later_month_leaves_the_months_before_it_open(uow, coop):
    services.close_period(uow, coop.id, 2026, 3)
    entry = hand_made(uow, coop, [(5000, 0), (0, 5000)], day=date(2026, 2, 28))
    uow.flush()
    assert entry.id is not None


def test_a_cooperative_numbered_in_the_thousands_posts_with_its_own_accounts(uow):
    """Ids past the first few hundred (a city registers thousands of KKMP): the account and the line name the
    same cooperative, and the entry goes in."""
    big = fresh_cooperative(uow, id=700001)
    entry = post(uow, big, services.local_today(big), [("kas", D(10), 0), ("simpanan_pokok", 0, D(10))])
    assert entry.id is not None and entry.cooperative_id == 700001


def test_whether_a_month_is_closed_does_not_depend_on_whose_session_asks(app):
    """The guard sits below the scope: a session of a user of another cooperative still sees the month closed
    (the answer never comes from what that user may read)."""
    from flask_login import login_user

    from app.cooperatives.models import Cooperative
    from app.core.scope import reset_cached_scope, system_scope
    from app.ledger.guards import period_is_closed

    with app.test_request_context("/"):
        login_user(app.appbuilder.sm.find_user(username="sekretaris.lempake"))
        reset_cached_scope()
        session = db.session
        try:
            with system_scope():
                kebon_jeruk = session.scalar(select(Cooperative.id).where(Cooperative.region_code == "31.73.05.1001"))
                if not period_is_closed(session, kebon_jeruk, date(2025, 2, 1)):
                    services.close_period(session, kebon_jeruk, 2025, 2)
            assert session.scalar(select(Cooperative.id).where(Cooperative.id == kebon_jeruk)) is None  # not his
            assert period_is_closed(session, kebon_jeruk, date(2025, 2, 14)) is True
            assert period_is_closed(session, kebon_jeruk, date(2025, 3, 14)) is False
        finally:
            session.rollback()
            db.session.remove()
