"""What a deposit (setoran) may be, at the edges: wajib against bills already partly paid, pokok where none is set
or larger than what is left, and the date of the deposit. Through the services, in a rolled-back transaction, with
Decimal expectations; and nothing is written when a deposit is refused."""
from datetime import date
from decimal import Decimal as D

import pytest
from sqlalchemy import func, select

from app.core.errors import DomainError, ValidationFailed
from app.savings import services
from app.savings.models import SavingsTransaction, WajibBill

from .conftest import PENGURUS, SEKRETARIS, make_member, month_back, recent_day


def deposit(uow, member, kind, amount, key, day=None):
    return services.do_deposit(uow, member=member, kind=kind, amount=D(amount), idempotency_key=key,
                               tx_date=recent_day(member.cooperative) if day is None else day,
                               acting_user=SEKRETARIS)


def transactions_of(uow, member):
    return uow.scalar(select(func.count(SavingsTransaction.id)).where(SavingsTransaction.member_id == member.id))


def bills_of(uow, member):
    return [(b.amount, b.paid_amount) for b in uow.scalars(
        select(WajibBill).where(WajibBill.member_id == member.id).order_by(WajibBill.year, WajibBill.month))]


def bill_months(uow, coop, months):
    for back in range(months, 0, -1):
        y, m = month_back(coop, back)
        services.generate_wajib_bills(uow, coop.id, y, m, PENGURUS)


# -- wajib -------------------------------------------------------------------------------------------------------

CURRENT = (D("10000.00"), D("0.00"))  # the current month: billed by the first wajib deposit of the month itself


def test_wajib_paid_against_a_half_paid_bill_fills_only_what_is_still_open_and_holds_the_rest(uow, products):
    """A half-paid Rp10.000 bill takes Rp5.000 more, not Rp15.000: the rest settles the current month and what is
    left after that is held as prepaid wajib."""
    member = make_member(uow, products)
    bill_months(uow, products, 1)               # one bill of Rp10.000
    deposit(uow, member, "wajib", 5000, "w1")   # now half paid (and the current month billed)
    assert bills_of(uow, member) == [(D("10000.00"), D("5000.00")), CURRENT]
    deposit(uow, member, "wajib", 20000, "w2")
    assert bills_of(uow, member) == [(D("10000.00"), D("10000.00")), (D("10000.00"), D("10000.00"))]
    assert services.prepaid_wajib(uow, member.id) == D("5000.00")
    assert services.balances(uow, member.id)["wajib"] == D("25000.00")
    # below the service too: the bills never take more than they still ask
    with pytest.raises(ValidationFailed, match="10.000|tagihan"):
        services.allocate_wajib(uow, member.id, D("1"))


def test_wajib_beyond_every_open_bill_is_held_as_prepaid(uow, products):
    member = make_member(uow, products)
    bill_months(uow, products, 1)
    deposit(uow, member, "wajib", 20000, "w1")  # the billed month and the current one
    deposit(uow, member, "wajib", 1000, "w2")
    assert services.prepaid_wajib(uow, member.id) == D("1000.00")
    assert transactions_of(uow, member) == 2


def test_wajib_exactly_settling_every_open_bill_is_accepted_and_fills_them_oldest_first(uow, products):
    member = make_member(uow, products)
    bill_months(uow, products, 3)
    deposit(uow, member, "wajib", 25000, "w1")
    assert bills_of(uow, member) == [(D("10000.00"), D("10000.00")), (D("10000.00"), D("10000.00")),
                                     (D("10000.00"), D("5000.00")), CURRENT]
    deposit(uow, member, "wajib", 15000, "w2")
    assert [paid for _, paid in bills_of(uow, member)] == [D("10000.00")] * 4
    assert services.prepaid_wajib(uow, member.id) == D("0.00")
    assert services.balances(uow, member.id)["wajib"] == D("40000.00")


def test_reversing_a_wajib_deposit_reopens_the_newest_months_it_paid(uow, products):
    member = make_member(uow, products)
    bill_months(uow, products, 3)
    deposit(uow, member, "wajib", 10000, "w1")
    second = deposit(uow, member, "wajib", 15000, "w2")
    services.do_reverse_transaction(uow, transaction=second, reason="salah catat jumlah", acting_user=PENGURUS)
    assert [paid for _, paid in bills_of(uow, member)] == [D("10000.00"), D("0.00"), D("0.00"), D("0.00")]
    assert services.balances(uow, member.id)["wajib"] == D("10000.00")


def test_reversing_the_only_wajib_deposit_reopens_every_month_it_paid(uow, products):
    member = make_member(uow, products)
    bill_months(uow, products, 2)
    only = deposit(uow, member, "wajib", 15000, "w1")
    services.do_reverse_transaction(uow, transaction=only, reason="salah anggota", acting_user=PENGURUS)
    assert [paid for _, paid in bills_of(uow, member)] == [D("0.00"), D("0.00"), D("0.00")]


def test_a_wajib_payment_names_the_months_it_settled_and_by_how_much(uow, products):
    member = make_member(uow, products)
    bill_months(uow, products, 3)
    parts = services.allocate_wajib(uow, member.id, D(15000))
    assert [(b.month, part) for b, part in parts] == [(month_back(products, 3)[1], D("10000.00")),
                                                      (month_back(products, 2)[1], D("5000.00"))]
    parts = services.allocate_wajib(uow, member.id, D(5000))
    assert [(b.month, part) for b, part in parts] == [(month_back(products, 2)[1], D("5000.00"))]


def test_undoing_wajib_names_the_newest_months_first_and_never_more_than_was_paid(uow, products):
    member = make_member(uow, products)
    bill_months(uow, products, 3)
    services.allocate_wajib(uow, member.id, D(15000))
    parts = services.unallocate_wajib(uow, member.id, D(8000))
    assert [(b.month, part) for b, part in parts] == [(month_back(products, 2)[1], D("5000.00")),
                                                      (month_back(products, 3)[1], D("3000.00"))]
    with pytest.raises(DomainError, match="tidak cocok"):
        services.unallocate_wajib(uow, member.id, D("7000.01"))
    assert [paid for _, paid in bills_of(uow, member)] == [D("7000.00"), D("0.00"), D("0.00")]


# -- pokok -------------------------------------------------------------------------------------------------------

def test_pokok_where_the_board_has_set_no_pokok_is_refused_with_a_clear_message(uow, coop):
    member = make_member(uow, coop, status="disetujui")
    with pytest.raises(ValidationFailed, match="belum menetapkan simpanan pokok") as e:
        deposit(uow, member, "pokok", 50000, "p1")
    assert e.value.field == "kind"
    assert transactions_of(uow, member) == 0


def test_pokok_where_the_product_exists_without_an_amount_is_refused_with_a_clear_message(uow, coop):
    from app.savings.models import SavingsProduct

    uow.add(SavingsProduct(cooperative_id=coop.id, kind="pokok", name="Simpanan Pokok", amount=None,
                           instalments=1))
    uow.flush()
    member = make_member(uow, coop, status="disetujui")
    with pytest.raises(ValidationFailed, match="belum menetapkan simpanan pokok"):
        deposit(uow, member, "pokok", 50000, "p1")


def test_a_first_pokok_instalment_larger_than_the_pokok_is_refused(uow, products):
    member = make_member(uow, products)   # pokok Rp100.000 in at most 2 parts
    with pytest.raises(ValidationFailed, match="100.000") as e:
        deposit(uow, member, "pokok", 150000, "p1")
    assert e.value.field == "amount"
    with pytest.raises(ValidationFailed):
        deposit(uow, member, "pokok", 100001, "p2")
    assert transactions_of(uow, member) == 0


def test_pokok_may_be_paid_whole_at_once_even_when_instalments_are_allowed(uow, products):
    member = make_member(uow, products)
    deposit(uow, member, "pokok", 100000, "p1")
    assert services.balances(uow, member.id)["pokok"] == D("100000.00")


def test_the_last_allowed_pokok_instalment_must_be_exactly_what_is_left(uow, products):
    member = make_member(uow, products)
    deposit(uow, member, "pokok", 30000, "p1")
    with pytest.raises(ValidationFailed, match="70.000"):
        deposit(uow, member, "pokok", 69999, "p2")
    deposit(uow, member, "pokok", 70000, "p3")
    assert services.balances(uow, member.id)["pokok"] == D("100000.00")


def test_a_pokok_paid_in_one_go_must_be_the_whole_pokok(uow, coop):
    services.set_product(uow, coop.id, "pokok", PENGURUS, amount=D(100000), instalments=1)
    member = make_member(uow, coop, status="disetujui")
    with pytest.raises(ValidationFailed, match="sekaligus"):
        deposit(uow, member, "pokok", 40000, "p1")
    deposit(uow, member, "pokok", 100000, "p2")


def test_a_reversed_pokok_instalment_does_not_count_towards_the_allowed_number(uow, products):
    member = make_member(uow, products)
    first = deposit(uow, member, "pokok", 30000, "p1")
    services.do_reverse_transaction(uow, transaction=first, reason="salah anggota", acting_user=PENGURUS)
    # Two instalments are still allowed: this one is the first of them and need not be the rest.
    deposit(uow, member, "pokok", 40000, "p2")
    assert services.balances(uow, member.id)["pokok"] == D("40000.00")


# -- the date ----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("day", [date(1925, 8, 17), date(1999, 12, 31)])
def test_a_deposit_dated_before_the_year_2000_is_refused(uow, products, day):
    member = make_member(uow, products)
    with pytest.raises(ValidationFailed) as e:
        deposit(uow, member, "sukarela", 10000, "d1", day=day)
    assert e.value.field == "tx_date"
    assert transactions_of(uow, member) == 0


def test_the_earliest_deposit_date_accepted_is_1_january_2000(uow, products):
    member = make_member(uow, products)
    tx = deposit(uow, member, "sukarela", 10000, "d1", day=date(2000, 1, 1))
    assert tx.tx_date == date(2000, 1, 1)


@pytest.mark.parametrize("missing", [None, "", "17/08/2025"])
def test_a_deposit_without_a_date_is_refused_with_a_clear_message_not_an_error(uow, products, missing):
    member = make_member(uow, products)
    with pytest.raises(ValidationFailed, match="Tanggal wajib diisi") as e:
        services.do_deposit(uow, member=member, kind="sukarela", amount=D(10000), tx_date=missing,
                            idempotency_key="d1", acting_user=SEKRETARIS)
    assert e.value.field == "tx_date"
    assert transactions_of(uow, member) == 0


def test_a_deposit_dated_today_is_accepted_and_tomorrow_is_refused(uow, products):
    from datetime import timedelta

    member = make_member(uow, products)
    today = recent_day(products)
    assert deposit(uow, member, "sukarela", 10000, "d1", day=today).tx_date == today
    with pytest.raises(ValidationFailed, match="masa depan"):
        deposit(uow, member, "sukarela", 10000, "d2", day=today + timedelta(days=1))


def _kebon_jeruk_member(sysdb):
    from app.cooperatives.models import Cooperative
    from app.members.models import Member

    coop_id = sysdb.scalar(select(Cooperative.id).where(Cooperative.region_code == "31.73.05.1001"))
    return sysdb.scalars(select(Member).where(Member.cooperative_id == coop_id, Member.status == "aktif")
                         .order_by(Member.id)).first()


def test_the_deposit_screen_refuses_a_deposit_dated_1925_with_a_message_and_writes_nothing(login, sysdb):
    member = _kebon_jeruk_member(sysdb)
    before = sysdb.scalar(select(func.count(SavingsTransaction.id)))
    s = login("sekretaris.kebonjeruk")
    r = s.post("/simpanan/transaksi/setor", {"member": str(member.id), "kind": "sukarela", "amount": "10.000",
                                             "tx_date": "17/08/1925"}, form_url="/simpanan/transaksi/setor")
    assert r.status_code == 422   # the form again, with the message at the date
    assert "Tanggal tidak masuk akal" in r.get_data(as_text=True)
    sysdb.expire_all()
    assert sysdb.scalar(select(func.count(SavingsTransaction.id))) == before


def test_the_api_answers_a_deposit_without_a_date_with_422_not_a_server_error(client, sysdb):
    from tests.conftest import api_token

    member = _kebon_jeruk_member(sysdb)
    headers = api_token(client, "sekretaris.kebonjeruk")
    before = sysdb.scalar(select(func.count(SavingsTransaction.id)))
    body = {"member_id": member.id, "kind": "sukarela", "direction": "setor", "amount": "10.000",
            "idempotency_key": "api-no-date"}
    for dated in ({}, {"tx_date": None}, {"tx_date": ""}, {"tx_date": "1925-08-17"}):
        r = client.post("/api/v1/savings_transaction/", json=dict(body, **dated), headers=headers)
        assert r.status_code == 422, (dated, r.status_code)
    sysdb.expire_all()
    assert sysdb.scalar(select(func.count(SavingsTransaction.id))) == before


def test_refusals_are_domain_errors_the_screens_show_not_crashes(uow, products):
    member = make_member(uow, products)
    for bad in (lambda: deposit(uow, member, "pokok", 150000, "x1"),
                lambda: deposit(uow, member, "sukarela", 1, "x2", day=date(1925, 1, 1))):
        with pytest.raises(DomainError):
            bad()


# -- one member's money never lands on another's -------------------------------------------------------------------

def test_a_wajib_payment_and_its_undoing_touch_only_the_paying_members_bills(uow, products):
    """Members registered before and after the payer have open bills too: the payer's money settles his own
    oldest months, and undoing it reopens only his."""
    older, payer, newer = (make_member(uow, products, name=n) for n in ("Ani", "Budi", "Citra"))
    assert older.id < payer.id < newer.id
    bill_months(uow, products, 2)
    open_bills = [(D("10000.00"), D("0.00"))] * 2
    parts = services.allocate_wajib(uow, payer.id, D(15000))
    assert [part for _, part in parts] == [D("10000.00"), D("5000.00")]
    assert {b.member_id for b, _ in parts} == {payer.id}
    assert bills_of(uow, payer) == [(D("10000.00"), D("10000.00")), (D("10000.00"), D("5000.00"))]
    assert bills_of(uow, older) == bills_of(uow, newer) == open_bills
    services.allocate_wajib(uow, older.id, D(20000))
    services.allocate_wajib(uow, newer.id, D(20000))
    parts = services.unallocate_wajib(uow, payer.id, D(15000))
    assert {b.member_id for b, _ in parts} == {payer.id}
    assert bills_of(uow, payer) == open_bills
    assert bills_of(uow, older) == bills_of(uow, newer) == [(D("10000.00"), D("10000.00"))] * 2


def test_the_last_rupiah_of_a_wajib_payment_goes_to_the_next_bill_and_comes_back_from_it(uow, products):
    member = make_member(uow, products)
    bill_months(uow, products, 3)
    parts = services.allocate_wajib(uow, member.id, D(10001))
    assert [part for _, part in parts] == [D("10000.00"), D("1.00")]
    assert bills_of(uow, member) == [(D("10000.00"), D("10000.00")), (D("10000.00"), D("1.00")),
                                     (D("10000.00"), D("0.00"))]
    parts = services.unallocate_wajib(uow, member.id, D(10001))
    assert [part for _, part in parts] == [D("1.00"), D("10000.00")]
    assert bills_of(uow, member) == [(D("10000.00"), D("0.00"))] * 3


def test_sukarela_and_wajib_deposits_do_not_count_as_pokok_instalments(uow, products):
    """Pokok Rp100.000 in at most 2 instalments: after a sukarela and a wajib deposit the first pokok instalment
    may still be a part, and the second must be the rest."""
    member = make_member(uow, products)
    deposit(uow, member, "sukarela", 5000, "s1")
    deposit(uow, member, "wajib", 10000, "w1")
    deposit(uow, member, "pokok", 30000, "p1")
    with pytest.raises(ValidationFailed, match="70.000"):
        deposit(uow, member, "pokok", 30000, "p2")
    assert services.balances(uow, member.id)["pokok"] == D("30000.00")


def test_pokok_instalments_of_other_members_do_not_count_as_this_members(uow, products):
    older, member, newer = (make_member(uow, products, name=n) for n in ("Ani", "Budi", "Citra"))
    deposit(uow, older, "pokok", 30000, "p-older")
    deposit(uow, newer, "pokok", 30000, "p-newer")
    deposit(uow, member, "pokok", 40000, "p1")   # his first of two: a part is fine
    assert services.balances(uow, member.id)["pokok"] == D("40000.00")
    with pytest.raises(ValidationFailed, match="60.000"):
        deposit(uow, member, "pokok", 10000, "p2")


def test_undoing_part_of_a_wajib_payment_names_only_the_months_it_reopened(uow, products):
    member = make_member(uow, products)
    bill_months(uow, products, 3)
    services.allocate_wajib(uow, member.id, D(25000))   # 10.000, 10.000, 5.000
    parts = services.unallocate_wajib(uow, member.id, D(5000))
    assert [(b.month, part) for b, part in parts] == [(month_back(products, 1)[1], D("5000.00"))]
    assert [paid for _, paid in bills_of(uow, member)] == [D("10000.00"), D("10000.00"), D("0.00")]


def test_wajib_for_a_member_without_bills_and_wajib_above_his_bills_are_refused_each_with_its_own_message(
        uow, products):
    member = make_member(uow, products)
    with pytest.raises(ValidationFailed) as e:
        services.allocate_wajib(uow, member.id, D(5000))
    assert str(e.value) == "Anggota ini tidak punya tagihan simpanan wajib yang belum dibayar."
    bill_months(uow, products, 1)
    with pytest.raises(ValidationFailed) as e:
        services.allocate_wajib(uow, member.id, D(15000))
    assert str(e.value) == "Lebih besar dari tagihan simpanan wajib yang belum dibayar (Rp10.000)."
    assert e.value.field == "amount" and bills_of(uow, member) == [(D("10000.00"), D("0.00"))]
