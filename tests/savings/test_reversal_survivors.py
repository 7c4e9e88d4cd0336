"""The reversal (koreksi) of a savings transaction and the pokok rules, in the cases the full mutation run of
3 December 2026 found unpinned (tools/mutation, module "savings"): an id that is no whole number, the two reason
messages apart, a transaction without a journal, other members' exit settlements, wajib paid ahead next to a
sukarela or pokok reversal, the correction's key already taken, and pokok lowered below what was paid. Through
the service in a rolled-back transaction; a refused reversal writes nothing."""
from decimal import Decimal as D

import pytest
from sqlalchemy import func, select

from app.core.errors import DomainError, NotFound, ValidationFailed
from app.savings import services
from app.savings.models import SavingsTransaction, WajibBill

from .conftest import PENGURUS, SEKRETARIS, make_member, recent_day


def deposit(uow, member, kind, amount, key):
    return services.do_deposit(uow, member=member, kind=kind, amount=D(amount), idempotency_key=key,
                               tx_date=recent_day(member.cooperative), acting_user=SEKRETARIS)


def reverse(uow, tx, reason="Salah input jumlah", **kw):
    return services.do_reverse_transaction(uow, transaction=tx, reason=reason, acting_user=PENGURUS, **kw)


def count(uow, coop):
    uow.flush()
    return uow.scalar(select(func.count(SavingsTransaction.id)).where(SavingsTransaction.cooperative_id == coop.id))


def bills_paid(uow, member):
    return [b.paid_amount for b in uow.scalars(select(WajibBill).where(WajibBill.member_id == member.id)
                                               .order_by(WajibBill.year, WajibBill.month))]


def settle_exit(uow, coop, member):
    from app.members.services import do_end

    today = recent_day(coop)
    do_end(uow, member, PENGURUS, "keluar", on=today, today=today)
    return services.do_exit_settlement(uow, member=member, settle_date=today, loss_share="0", acting_user=PENGURUS)


# -- which transaction, and why ------------------------------------------------------------------------------------

@pytest.mark.parametrize("written", ["{id}.0", "{id}e0", "{id}.5"])
def test_a_transaction_id_that_is_no_whole_number_is_not_found_even_when_the_database_would_read_it_as_one(
        uow, products, written):
    """"12.0" is not the id 12: refused as unknown, and transaction 12 stays as it was (SQLite would compare the
    text "12.0" to the integer column as 12)."""
    member = make_member(uow, products)
    tx = deposit(uow, member, "sukarela", 30000, "rs-id")
    before = count(uow, products)
    with pytest.raises(NotFound) as e:
        reverse(uow, written.format(id=tx.id))
    assert str(e.value) == "Transaksi simpanan tidak ditemukan." and e.value.field == "transaction"
    assert count(uow, products) == before and tx.reversed_at is None
    assert services.balances(uow, member.id)["sukarela"] == D("30000.00")


@pytest.mark.parametrize("reason", [None, "", "   ", "\t\n"])
def test_no_reason_at_all_is_asked_for_as_such_not_as_a_reason_too_short(uow, products, reason):
    member = make_member(uow, products)
    tx = deposit(uow, member, "sukarela", 30000, "rs-reason")
    before = count(uow, products)
    with pytest.raises(ValidationFailed) as e:
        reverse(uow, tx, reason=reason)
    assert str(e.value) == "Alasan pembatalan wajib diisi." and e.value.field == "reason"
    assert count(uow, products) == before and tx.reversed_at is None


def test_a_transaction_without_a_journal_cannot_be_reversed_and_the_balance_stays(uow, products):
    """A row that has no journal (the column allows it until the journal is linked, once: a row written by hand or
    by a migration) is refused before anything is touched, with its own message. The member holds Rp30.000
    sukarela from a real deposit, so a reversal of the Rp30.000 row would find the money."""
    coop = products
    member = make_member(uow, coop)
    deposit(uow, member, "sukarela", 30000, "rs-journal-1")
    day = recent_day(coop)
    bare = SavingsTransaction(cooperative=coop, cooperative_id=coop.id, member=member, kind="sukarela",
                              direction="setor", amount=D("30000.00"), tx_date=day, idempotency_key="rs-journal-2",
                              receipt_year=day.year, receipt_seq=9001,
                              receipt_number=services.receipt_number(day.year, 9001))
    uow.add(bare)
    before = count(uow, coop)
    assert bare.journal_entry_id is None
    with pytest.raises(DomainError) as e:
        reverse(uow, bare)
    assert str(e.value) == "Transaksi ini tidak punya jurnal; tidak dapat dibatalkan."
    assert count(uow, coop) == before and bare.reversed_at is None
    assert services.balances(uow, member.id)["sukarela"] == D("30000.00")


def test_another_members_exit_settlement_does_not_block_reversing_this_members_transaction(uow, products):
    """Three members one after the other; the middle one left and was settled. The first (lower id) and the last
    (higher id) still have their sukarela deposits reversed."""
    coop = products
    first = make_member(uow, coop, name="Ani Lestari")
    leaver = make_member(uow, coop, name="Budi Santoso")
    last = make_member(uow, coop, name="Citra Dewi")
    assert first.id < leaver.id < last.id
    early = deposit(uow, first, "sukarela", 40000, "rs-exit-1")
    late = deposit(uow, last, "sukarela", 25000, "rs-exit-3")
    deposit(uow, leaver, "pokok", 100000, "rs-exit-2")
    settle_exit(uow, coop, leaver)
    assert reverse(uow, early).reversal_of_id == early.id
    assert reverse(uow, late).reversal_of_id == late.id
    assert services.balances(uow, first.id)["sukarela"] == D("0.00")
    assert services.balances(uow, last.id)["sukarela"] == D("0.00")


# -- wajib paid ahead next to other kinds ------------------------------------------------------------------------

@pytest.mark.parametrize("kind, amount", [("sukarela", 5000), ("pokok", 50000)])
def test_reversing_a_sukarela_or_pokok_deposit_leaves_the_wajib_paid_ahead_and_the_bills_alone(
        uow, products, kind, amount):
    """Rp30.000 wajib: Rp10.000 settles the current month, Rp20.000 is held ahead. Reversing another kind's
    deposit (Rp5.000 sukarela, Rp50.000 pokok, each less than or more than what is held ahead) takes nothing of
    the wajib."""
    member = make_member(uow, products)
    deposit(uow, member, "wajib", 30000, "rs-ahead-w")
    tx = deposit(uow, member, kind, amount, "rs-ahead-x")
    assert services.prepaid_wajib(uow, member.id) == D("20000.00")
    reverse(uow, tx)
    assert services.prepaid_wajib(uow, member.id) == D("20000.00")
    assert services.balances(uow, member.id) == {"pokok": D("0.00"), "wajib": D("30000.00"), "sukarela": D("0.00")}
    assert bills_paid(uow, member) == [D("10000.00")]


def test_when_another_transaction_holds_the_corrections_key_the_reversal_is_refused_not_a_server_error(
        uow, products):
    """The correction of transaction N is keyed ``koreksi-N``. An API client chose that key for a deposit of its
    own: the correction cannot be written (the key is unique per cooperative) and the reversal is refused as a
    domain error, which the screen and the API show, instead of the database's IntegrityError."""
    member = make_member(uow, products)
    tx = deposit(uow, member, "sukarela", 30000, "rs-key")
    deposit(uow, member, "sukarela", 1000, f"koreksi-{tx.id}")
    with pytest.raises(DomainError) as e:
        reverse(uow, tx)
    assert e.value.field == "transaction"


# -- pokok ---------------------------------------------------------------------------------------------------------

def test_when_the_board_lowers_simpanan_pokok_below_what_a_member_paid_it_counts_as_paid_in_full(uow, products):
    """Rp100.000 paid; the Pengurus then sets pokok at Rp50.000. Nothing is left to pay (not "Rp-50.000 left")."""
    coop = products
    member = make_member(uow, coop)
    deposit(uow, member, "pokok", 100000, "rs-pokok-1")
    services.set_product(uow, coop.id, "pokok", PENGURUS, amount=D(50000), instalments=2)
    before = count(uow, coop)
    with pytest.raises(ValidationFailed) as e:
        deposit(uow, member, "pokok", 1, "rs-pokok-2")
    assert str(e.value) == "Simpanan pokok anggota ini sudah lunas." and e.value.field == "amount"
    assert count(uow, coop) == before
    assert services.balances(uow, member.id)["pokok"] == D("100000.00")
