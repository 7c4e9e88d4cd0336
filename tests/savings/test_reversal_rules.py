"""The reversal (koreksi) of a savings transaction at its edges, as the Pengurus sees them: which transaction, the
reason's length, the correction's date, what the correction row and its journal say, and wajib paid ahead. Through
the service in a rolled-back transaction; a refused reversal writes nothing."""
from datetime import timedelta
from decimal import Decimal as D

import pytest
from sqlalchemy import func, select

from app.core.errors import NotFound, ValidationFailed
from app.savings import services
from app.savings.models import SavingsTransaction, WajibBill

from .conftest import PENGURUS, SEKRETARIS, make_member, month_back, recent_day


def deposit(uow, member, kind, amount, key, day=None):
    return services.do_deposit(uow, member=member, kind=kind, amount=D(amount), idempotency_key=key,
                               tx_date=day or recent_day(member.cooperative), acting_user=SEKRETARIS)


def reverse(uow, tx, reason="Salah input jumlah", **kw):
    return services.do_reverse_transaction(uow, transaction=tx, reason=reason, acting_user=PENGURUS, **kw)


def count(uow, coop):
    uow.flush()
    return uow.scalar(select(func.count(SavingsTransaction.id)).where(SavingsTransaction.cooperative_id == coop.id))


@pytest.mark.parametrize("which", ["abc", None, "", 99999999, "99999999"])
def test_reversing_a_transaction_that_does_not_exist_is_not_found(uow, products, which):
    with pytest.raises(NotFound, match="tidak ditemukan") as e:
        reverse(uow, which)
    assert e.value.field == "transaction"


def test_a_reason_of_four_letters_is_too_short_and_five_are_enough(uow, products):
    member = make_member(uow, products)
    tx = deposit(uow, member, "sukarela", 30000, "rr-1")
    before = count(uow, products)
    with pytest.raises(ValidationFailed, match="paling sedikit 5 huruf") as e:
        reverse(uow, tx, reason=" ab   c ")  # "ab c" once the spaces are tidied: four characters
    assert e.value.field == "reason" and count(uow, products) == before
    with pytest.raises(ValidationFailed, match="paling sedikit 5 huruf"):
        reverse(uow, tx, reason="abcd")
    assert reverse(uow, tx, reason="abcde").note.endswith(": abcde")


def test_the_correction_names_who_made_it_its_key_and_a_journal_saying_what_it_corrects(uow, products):
    from app.ledger.models import JournalEntry

    member = make_member(uow, products)
    tx = deposit(uow, member, "sukarela", 30000, "rr-2")
    rev = reverse(uow, tx, reason="Salah   anggota")
    assert (rev.created_by, rev.idempotency_key) == ("uji.pengurus", f"koreksi-{tx.id}")
    assert (rev.receipt_year, rev.receipt_number) == (rev.tx_date.year,
                                                      services.receipt_number(rev.tx_date.year, rev.receipt_seq))
    entry = uow.get(JournalEntry, rev.journal_entry_id)
    original = uow.get(JournalEntry, tx.journal_entry_id)
    assert entry.description == (f"Pembalik {original.number}: koreksi simpanan {tx.receipt_number} "
                                 f"({rev.receipt_number}): Salah anggota")


def test_a_long_reason_is_kept_to_the_length_of_the_note_and_of_the_journal_description(uow, products):
    from app.ledger.models import JournalEntry

    member = make_member(uow, products)
    tx = deposit(uow, member, "sukarela", 30000, "rr-3")
    reason = "salah catat " + "x" * 400
    rev = reverse(uow, tx, reason=reason)
    assert rev.note == f"Koreksi atas {tx.receipt_number}: {reason}"[:255] and len(rev.note) == 255
    entry = uow.get(JournalEntry, rev.journal_entry_id)
    original = uow.get(JournalEntry, tx.journal_entry_id)
    said = f"koreksi simpanan {tx.receipt_number} ({rev.receipt_number}): {reason}"[:200]
    assert entry.description == f"Pembalik {original.number}: {said}" and len(said) == 200


def test_a_correction_cannot_be_dated_before_the_transaction_but_may_be_the_same_day(uow, products):
    member = make_member(uow, products)
    today = recent_day(products)
    first = deposit(uow, member, "sukarela", 30000, "rr-4", day=today)
    second = deposit(uow, member, "sukarela", 20000, "rr-5", day=today)
    before = count(uow, products)
    with pytest.raises(ValidationFailed, match="sebelum tanggal transaksi") as e:
        reverse(uow, first, today=today - timedelta(days=1))
    assert e.value.field == "tx_date" and count(uow, products) == before and first.reversed_at is None
    assert reverse(uow, second, today=today).tx_date == today
    assert services.balances(uow, member.id)["sukarela"] == D("30000.00")


def test_reversing_wajib_paid_ahead_takes_it_back_from_the_prepaid_first_then_off_the_newest_bills(uow, products):
    """Rp10.000 a month; one month billed before, the current month billed by the deposit: Rp25.000 pays both
    and holds Rp5.000 ahead. Reversing it empties what is held ahead and reopens both months."""
    member = make_member(uow, products)
    y, m = month_back(products, 1)
    services.generate_wajib_bills(uow, products.id, y, m, PENGURUS)
    tx = deposit(uow, member, "wajib", 25000, "rr-6")
    assert services.prepaid_wajib(uow, member.id) == D("5000.00")
    reverse(uow, tx)
    assert services.prepaid_wajib(uow, member.id) == D("0.00")
    assert services.balances(uow, member.id)["wajib"] == D("0.00")
    assert [b.paid_amount for b in uow.scalars(select(WajibBill).where(WajibBill.member_id == member.id))] == [
        D("0.00"), D("0.00")]


def test_reversing_a_wajib_deposit_held_wholly_ahead_leaves_the_paid_bills_paid(uow, products):
    member = make_member(uow, products)
    deposit(uow, member, "wajib", 10000, "rr-7")           # settles the current month
    ahead = deposit(uow, member, "wajib", 20000, "rr-8")   # two months ahead
    assert services.prepaid_wajib(uow, member.id) == D("20000.00")
    reverse(uow, ahead)
    assert services.prepaid_wajib(uow, member.id) == D("0.00")
    assert services.balances(uow, member.id)["wajib"] == D("10000.00")
    assert [b.paid_amount for b in uow.scalars(select(WajibBill).where(WajibBill.member_id == member.id))] == [
        D("10000.00")]


def test_a_payout_of_an_exit_settlement_is_refused_as_part_of_the_settlement(uow, products):
    from app.members.services import do_end

    member = make_member(uow, products)
    deposit(uow, member, "pokok", 100000, "rr-9")
    today = recent_day(products)
    do_end(uow, member, PENGURUS, "keluar", on=today, today=today)
    settlement = services.do_exit_settlement(uow, member=member, settle_date=today, loss_share="0",
                                             acting_user=PENGURUS)
    payout = uow.scalars(select(SavingsTransaction).where(SavingsTransaction.settlement_id == settlement.id)).one()
    before = count(uow, products)
    with pytest.raises(ValidationFailed) as e:
        reverse(uow, payout)
    assert str(e.value) == ("Transaksi ini bagian dari penyelesaian simpanan anggota keluar dan tidak dapat "
                            "dibatalkan.")
    assert count(uow, products) == before and payout.reversed_at is None
