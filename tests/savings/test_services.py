"""Savings rules, pinned with Decimal expectations, through the services in a rolled-back transaction."""
from datetime import date
from decimal import Decimal as D

import pytest
from sqlalchemy import func, select

from app.core.errors import DomainError, ValidationFailed
from app.savings import services
from app.savings.models import SavingsTransaction, WajibBill

from .conftest import LURAH, PENGURUS, SEKRETARIS, make_member, month_back, recent_day


def bills_of(session, member):
    return session.execute(select(WajibBill).where(WajibBill.member_id == member.id)
                           .order_by(WajibBill.year, WajibBill.month)).scalars().all()


def _bill_months(uow, coop, months=3):
    """Bills for the last ``months`` months up to the current one (a wajib deposit bills the current month itself)."""
    out = []
    for back in range(months - 1, -1, -1):
        y, m = month_back(coop, back)
        services.generate_wajib_bills(uow, coop.id, y, m, PENGURUS)
        out.append((y, m))
    return out


def deposit(uow, member, kind, amount, key, day=None, **kw):
    return services.do_deposit(uow, member=member, kind=kind, amount=amount, tx_date=day or recent_day(
        member.cooperative), idempotency_key=key, acting_user=SEKRETARIS, **kw)


# -- amounts ----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text,expected", [("1.500.000", D("1500000.00")), ("1500000", D("1500000.00")),
                                           ("Rp 1.500.000", D("1500000.00")), ("Rp1.500.000", D("1500000.00")),
                                           ("rp. 25.000", D("25000.00")), ("1.000,00", D("1000.00")),
                                           (D("5000"), D("5000.00")), (5000, D("5000.00")),
                                           (5000.0, D("5000.00"))])
def test_indonesian_amount_input_is_read_exactly(app, text, expected):
    with app.app_context():
        assert services.parse_amount(text) == expected


@pytest.mark.parametrize("bad", ["0", "-50000", "1,5", "1.5", "1000.005", "1,500,000", "1e12", "NaN",
                                 "Infinity", "99999999999999999999", "1000000001", "", "abc", D("0.50"),
                                 D("-1"), D("NaN"), 1.5, True])
def test_zero_negative_fractional_or_absurd_amounts_are_refused(app, bad):
    with app.app_context(), pytest.raises(ValidationFailed) as e:
        services.parse_amount(bad)
    assert e.value.field == "amount"


# -- products, rates, bills -------------------------------------------------------------------------------------

def test_a_new_wajib_rate_does_not_rewrite_bills_of_earlier_months(uow, products):
    coop = products
    member = make_member(uow, coop)
    (y1, m1), (y2, m2), (y3, m3) = [month_back(coop, back) for back in (3, 2, 1)]
    for y, m in ((y1, m1), (y2, m2), (y3, m3)):
        services.generate_wajib_bills(uow, coop.id, y, m, PENGURUS)
    y4, m4 = month_back(coop, 0)
    services.set_wajib_rate(uow, coop.id, date(y4, m4, 1), D(15000), PENGURUS)
    services.generate_wajib_bills(uow, coop.id, y4, m4, PENGURUS)
    assert [b.amount for b in bills_of(uow, member)] == [D("10000.00")] * 3 + [D("15000.00")]
    assert services.wajib_rate_for(uow, coop.id, y1, m1) == D("10000.00")


def test_a_rate_cannot_start_in_a_month_already_billed(uow, products):
    coop = products
    make_member(uow, coop)
    (y, m), = _bill_months(uow, coop, 1)
    with pytest.raises(ValidationFailed) as e:
        services.set_wajib_rate(uow, coop.id, date(y, m, 1), D(20000), PENGURUS)
    assert e.value.field == "valid_from"


def test_generating_wajib_bills_twice_creates_nothing_new(uow, products):
    coop = products
    make_member(uow, coop)
    make_member(uow, coop, name="Budi")
    make_member(uow, coop, name="Calon", status="permohonan", active_since=None)
    y, m = month_back(coop, 1)
    assert services.generate_wajib_bills(uow, coop.id, y, m, PENGURUS) == 2
    assert services.generate_wajib_bills(uow, coop.id, y, m, PENGURUS) == 0
    assert uow.scalar(select(func.count(WajibBill.id)).where(WajibBill.cooperative_id == coop.id)) == 2


def test_members_who_became_active_after_the_month_are_not_billed_for_it(uow, products):
    coop = products
    y, m = month_back(coop, 2)
    make_member(uow, coop, active_since=recent_day(coop))
    assert services.generate_wajib_bills(uow, coop.id, y, m, PENGURUS) == 0


def test_only_the_board_generates_bills_and_not_for_future_months(uow, products):
    coop = products
    y, m = month_back(coop, 0)
    with pytest.raises(DomainError):
        services.generate_wajib_bills(uow, coop.id, y, m, SEKRETARIS)
    with pytest.raises(ValidationFailed):
        services.generate_wajib_bills(uow, coop.id, y + 1, m, PENGURUS)


def test_a_wajib_payment_settles_the_oldest_bills_first_and_leaves_a_partly_paid_bill(uow, products):
    coop = products
    member = make_member(uow, coop)
    _bill_months(uow, coop, 3)
    deposit(uow, member, "wajib", "15.000", "k1")
    assert [(b.paid_amount, b.outstanding) for b in bills_of(uow, member)] == [
        (D("10000.00"), D("0.00")), (D("5000.00"), D("5000.00")), (D("0.00"), D("10000.00"))]
    deposit(uow, member, "wajib", "10000", "k2")
    assert [b.paid_amount for b in bills_of(uow, member)] == [D("10000.00"), D("10000.00"), D("5000.00")]


def test_arrears_count_months_and_rupiah_per_member(uow, products):
    coop = products
    a = make_member(uow, coop, name="Ani")
    b = make_member(uow, coop, name="Badu")
    _bill_months(uow, coop, 3)
    deposit(uow, a, "wajib", "15000", "k1")
    rows = {r.member_id: r for r in services.arrears(uow, cooperative_id=coop.id)}
    assert (rows[a.id].months, rows[a.id].amount) == (2, D("15000.00"))
    assert (rows[b.id].months, rows[b.id].amount) == (3, D("30000.00"))
    deposit(uow, a, "wajib", "15000", "k2")
    assert a.id not in {r.member_id for r in services.arrears(uow, cooperative_id=coop.id)}


def test_paying_more_wajib_than_is_billed_and_a_year_ahead_is_refused_and_nothing_is_written(uow, products):
    coop = products
    member = make_member(uow, coop)
    _bill_months(uow, coop, 1)
    with pytest.raises(ValidationFailed, match="di muka paling banyak 12 bulan") as e:
        deposit(uow, member, "wajib", "130.001", "k1")  # 10.000 billed + 12 x 10.000 ahead is the most
    assert e.value.field == "amount"
    assert uow.scalar(select(func.count(SavingsTransaction.id)).where(SavingsTransaction.member_id == member.id)) == 0


# -- pokok ------------------------------------------------------------------------------------------------------

def test_pokok_is_paid_once_up_to_its_amount_in_at_most_the_allowed_instalments(uow, products):
    coop = products  # pokok Rp100.000 in at most 2 parts
    member = make_member(uow, coop)
    deposit(uow, member, "pokok", "40000", "p1")
    with pytest.raises(ValidationFailed, match="cicilan terakhir"):
        deposit(uow, member, "pokok", "30000", "p2")
    deposit(uow, member, "pokok", "60000", "p3")
    assert services.balances(uow, member.id)["pokok"] == D("100000.00")
    with pytest.raises(ValidationFailed, match="lunas"):
        deposit(uow, member, "pokok", "1000", "p4")


# -- sukarela, idempotency, receipts, journal --------------------------------------------------------------------

def ledger_sum(uow, coop, purpose, tx_ids):
    """Credit minus debit on the account of ``purpose`` over the journals of the given transactions."""
    from app.ledger.models import Account, JournalLine
    from app.ledger.services import account_code

    code = account_code(uow, coop.id, purpose)
    entry_ids = [e for e in uow.execute(select(SavingsTransaction.journal_entry_id).where(
        SavingsTransaction.id.in_(tx_ids))).scalars()]
    debit, credit = uow.execute(select(func.coalesce(func.sum(JournalLine.debit), 0),
                                       func.coalesce(func.sum(JournalLine.credit), 0))
                                .join(Account, Account.id == JournalLine.account_id)
                                .where(JournalLine.entry_id.in_(entry_ids), Account.code == code)).one()
    return D(credit) - D(debit)


def test_each_deposit_and_withdrawal_posts_its_balanced_journal_in_the_same_transaction(uow, products):
    coop = products
    member = make_member(uow, coop)
    t1 = deposit(uow, member, "sukarela", "Rp 250.000", "s1")
    t2 = services.do_withdraw(uow, member=member, kind="sukarela", amount="100.000", tx_date=recent_day(coop),
                              idempotency_key="s2", acting_user=SEKRETARIS)
    assert t1.journal_entry is not None and t2.journal_entry is not None
    assert ledger_sum(uow, coop, "simpanan_sukarela", [t1.id, t2.id]) == D("150000.00")
    assert ledger_sum(uow, coop, "kas", [t1.id, t2.id]) == D("-150000.00")
    assert services.balances(uow, member.id)["sukarela"] == D("150000.00")


def test_sukarela_never_goes_below_zero(uow, products):
    coop = products
    member = make_member(uow, coop)
    deposit(uow, member, "sukarela", "50000", "s1")
    with pytest.raises(services.SukarelaInsufficient) as e:
        services.do_withdraw(uow, member=member, kind="sukarela", amount="50001", tx_date=recent_day(coop),
                             idempotency_key="s2", acting_user=SEKRETARIS)
    assert "Rp50.000" in str(e.value)
    assert services.balances(uow, member.id)["sukarela"] == D("50000.00")


def test_pokok_and_wajib_cannot_be_withdrawn_while_a_member(uow, products):
    coop = products
    member = make_member(uow, coop)
    for kind in ("pokok", "wajib"):
        with pytest.raises(ValidationFailed) as e:
            services.do_withdraw(uow, member=member, kind=kind, amount="1000", tx_date=recent_day(coop),
                                 idempotency_key="w" + kind, acting_user=SEKRETARIS)
        assert e.value.field == "kind"


def test_a_replayed_submission_with_the_same_idempotency_key_writes_one_transaction(uow, products):
    coop = products
    member = make_member(uow, coop)
    first = deposit(uow, member, "sukarela", "50000", "same-key")
    again = deposit(uow, member, "sukarela", "50000", "same-key")
    assert again.id == first.id
    assert services.balances(uow, member.id)["sukarela"] == D("50000.00")
    with pytest.raises(services.IdempotencyConflict):
        deposit(uow, member, "sukarela", "70000", "same-key")


def test_receipt_numbers_are_gapless_per_cooperative_and_a_refused_operation_uses_none(uow, products):
    coop = products
    member = make_member(uow, coop)
    year = recent_day(coop).year
    numbers = [deposit(uow, member, "sukarela", "10000", f"r{i}").receipt_number for i in range(2)]
    with pytest.raises(DomainError):
        services.do_withdraw(uow, member=member, kind="sukarela", amount="999999", tx_date=recent_day(coop),
                             idempotency_key="bad", acting_user=SEKRETARIS)
    numbers.append(deposit(uow, member, "sukarela", "10000", "r9").receipt_number)
    assert numbers == [f"KW-{year}-000001", f"KW-{year}-000002", f"KW-{year}-000003"]


def test_a_failure_between_the_transaction_row_and_its_journal_leaves_neither(products, uow, monkeypatch):
    from app.ledger import services as ledger
    from app.ledger.models import JournalEntry

    coop = products
    member = make_member(uow, coop)
    before_entries = uow.scalar(select(func.count(JournalEntry.id)).where(JournalEntry.cooperative_id == coop.id))
    seen = {}

    def crash_after_the_business_row(session, **kw):
        seen["rows"] = session.scalar(select(func.count(SavingsTransaction.id)).where(
            SavingsTransaction.member_id == member.id))
        raise RuntimeError("disk full")

    monkeypatch.setattr(ledger, "post_entry", crash_after_the_business_row)
    unit = uow.begin_nested()  # stands for the request's transaction; the view rolls back on any error
    with pytest.raises(RuntimeError):
        deposit(uow, member, "sukarela", "50000", "crash")
    unit.rollback()
    assert seen["rows"] == 1  # the transaction row was written before the journal failed
    assert uow.scalar(select(func.count(SavingsTransaction.id)).where(
        SavingsTransaction.member_id == member.id)) == 0
    assert uow.scalar(select(func.count(JournalEntry.id)).where(
        JournalEntry.cooperative_id == coop.id)) == before_entries
    assert services.balances(uow, member.id)["sukarela"] == D("0.00")


def test_deposits_into_a_closed_period_or_the_future_are_refused(uow, products):
    from datetime import timedelta

    from app.ledger.services import close_period

    coop = products
    member = make_member(uow, coop)
    y, m = month_back(coop, 2)
    close_period(uow, coop.id, y, m)
    with pytest.raises(ValidationFailed) as e:
        deposit(uow, member, "sukarela", "1000", "c1", day=date(y, m, 5))
    assert e.value.field == "tx_date"
    with pytest.raises(ValidationFailed):
        deposit(uow, member, "sukarela", "1000", "c2", day=recent_day(coop) + timedelta(days=1))


def test_only_secretary_or_board_takes_deposits(uow, products):
    member = make_member(uow, products)
    with pytest.raises(DomainError):
        services.do_deposit(uow, member=member, kind="sukarela", amount="1000", tx_date=recent_day(products),
                            idempotency_key="l1", acting_user=LURAH)


# -- exit settlement --------------------------------------------------------------------------------------------

def test_exit_settlement_pays_back_pokok_and_wajib_less_the_loss_share_and_posts_it(uow, products):
    coop = products
    member = make_member(uow, coop)
    _bill_months(uow, coop, 3)
    deposit(uow, member, "pokok", "100000", "p")
    deposit(uow, member, "wajib", "30000", "w")
    with pytest.raises(ValidationFailed):  # still a member
        services.do_exit_settlement(uow, member=member, settle_date=recent_day(coop), loss_share="0",
                                    acting_user=PENGURUS)
    member.status = "keluar"
    uow.flush()
    with pytest.raises(ValidationFailed) as e:
        services.do_exit_settlement(uow, member=member, settle_date=recent_day(coop), loss_share="130.001",
                                    acting_user=PENGURUS)
    assert e.value.field == "loss_share"
    with pytest.raises(DomainError):
        services.do_exit_settlement(uow, member=member, settle_date=recent_day(coop), loss_share="5000",
                                    acting_user=SEKRETARIS)
    s = services.do_exit_settlement(uow, member=member, settle_date=recent_day(coop), loss_share="Rp 12.500",
                                    acting_user=PENGURUS)
    assert (s.pokok, s.wajib, s.loss_share, s.paid_out) == (D("100000.00"), D("30000.00"), D("12500.00"),
                                                            D("117500.00"))
    held = services.balances(uow, member.id)
    assert (held["pokok"], held["wajib"]) == (D("0.00"), D("0.00"))
    lines = {(l.account.code, l.debit, l.credit) for l in s_entry(uow, s).lines}
    assert lines == {("311000", D("100000.00"), D("0.00")), ("312000", D("30000.00"), D("0.00")),
                     ("111000", D("0.00"), D("117500.00")), ("317000", D("0.00"), D("12500.00"))}
    with pytest.raises(ValidationFailed):  # once only
        services.do_exit_settlement(uow, member=member, settle_date=recent_day(coop), loss_share="0",
                                    acting_user=PENGURUS)


def s_entry(uow, settlement):
    from app.ledger.models import JournalEntry
    return uow.get(JournalEntry, settlement.journal_entry_id)


# -- passbook and WhatsApp ----------------------------------------------------------------------------------------

def test_the_passbook_shows_every_transaction_with_a_running_balance(uow, products):
    coop = products
    member = make_member(uow, coop)
    deposit(uow, member, "pokok", "50000", "a")
    deposit(uow, member, "sukarela", "20000", "b")
    services.do_withdraw(uow, member=member, kind="sukarela", amount="5000", tx_date=recent_day(coop),
                         idempotency_key="c", acting_user=SEKRETARIS)
    lines = services.passbook(uow, member.id)
    assert [l.balance for l in lines] == [D("50000.00"), D("70000.00"), D("65000.00")]
    assert [l.kind_balance for l in lines] == [D("50000.00"), D("20000.00"), D("15000.00")]


@pytest.mark.parametrize("phone,number", [("0812-3456-7890", "6281234567890"), ("+62 812 3456 7890", "6281234567890"),
                                          ("6281234567890", "6281234567890"), ("81234567890", "6281234567890"),
                                          ("021-5551234", None), ("", None), (None, None), ("-", None)])
def test_phone_numbers_are_normalised_for_whatsapp(phone, number):
    assert services.normalise_phone(phone) == number


def test_the_whatsapp_reminder_is_a_polite_prefilled_url_encoded_message(app):
    from urllib.parse import parse_qs, urlparse

    with app.app_context():
        link = services.whatsapp_link("0812-3456-7890", "Siti & Ani", "KKMP Kebon Jeruk", 3, D("30000"))
    url = urlparse(link)
    assert (url.scheme, url.netloc, url.path) == ("https", "wa.me", "/6281234567890")
    assert " " not in link and "&Ani" not in link
    text = parse_qs(url.query)["text"][0]
    assert "Siti & Ani" in text and "KKMP Kebon Jeruk" in text and "3 bulan" in text and "Rp30.000" in text
    assert "Terima kasih" in text
