"""Edges of the wajib bills and the pokok instalments, to the rupiah: the cases a mutation run found unpinned
(tools/mutation, module "savings")."""
from decimal import Decimal as D

import pytest

from app.core.errors import ValidationFailed
from app.savings import services

from .conftest import PENGURUS, make_member
from .test_services import _bill_months, bills_of, deposit


def test_a_wajib_payment_worked_out_before_another_clerk_paid_the_same_bill_is_refused_not_booked_over_it(
        uow, products):
    """Two clerks at once: the amount open was read (Rp10.000) before the other clerk's Rp5.000 landed. The bill
    rows are read again under their lock, and only Rp5.000 is still open: the stale Rp10.000 is refused."""
    coop = products
    member = make_member(uow, coop)
    _bill_months(uow, coop, 1)
    deposit(uow, member, "wajib", "5.000", "k1")
    with pytest.raises(ValidationFailed, match="Lebih besar dari tagihan") as e:
        services.allocate_wajib(uow, member.id, D("10000.00"))
    assert "Rp5.000" in str(e.value) and e.value.field == "amount"
    assert [b.paid_amount for b in bills_of(uow, member)] == [D("5000.00")]


def test_reversing_a_wajib_deposit_gives_back_the_arrears_to_the_rupiah(uow, products):
    """Rp10.000 paid the older month, then Rp9.999 most of the newer one. Reversing the Rp10.000 takes it off
    the newest paid months first: Rp9.999 from the newer month and the last rupiah from the older one."""
    coop = products
    member = make_member(uow, coop)
    _bill_months(uow, coop, 2)
    first = deposit(uow, member, "wajib", "10.000", "k1")
    deposit(uow, member, "wajib", "9.999", "k2")
    assert [b.paid_amount for b in bills_of(uow, member)] == [D("10000.00"), D("9999.00")]
    services.do_reverse_transaction(uow, transaction=first, reason="salah input jumlah", acting_user=PENGURUS)
    assert [b.paid_amount for b in bills_of(uow, member)] == [D("9999.00"), D("0.00")]
    row = next(r for r in services.arrears(uow, cooperative_id=coop.id) if r.member_id == member.id)
    assert (row.months, row.amount) == (2, D("10001.00"))


def test_the_last_rupiah_of_simpanan_pokok_is_accepted_and_then_it_is_paid_in_full(uow, products):
    coop = products  # pokok Rp100.000 in at most 2 parts
    member = make_member(uow, coop)
    deposit(uow, member, "pokok", "99.999", "p1")
    deposit(uow, member, "pokok", "1", "p2")
    assert services.balances(uow, member.id)["pokok"] == D("100000.00")
    with pytest.raises(ValidationFailed, match="lunas"):
        deposit(uow, member, "pokok", "1", "p3")


def test_when_the_board_allows_fewer_pokok_instalments_than_a_member_has_paid_the_next_one_must_be_the_rest(
        uow, products):
    """Three instalments allowed, two paid; the Pengurus then allows two. The member's next payment is past the
    limit, so it must be the whole rest (Rp80.000), not another part."""
    coop = products
    services.set_product(uow, coop.id, "pokok", PENGURUS, amount=D(100000), instalments=3)
    member = make_member(uow, coop)
    deposit(uow, member, "pokok", "10.000", "p1")
    deposit(uow, member, "pokok", "10.000", "p2")
    services.set_product(uow, coop.id, "pokok", PENGURUS, amount=D(100000), instalments=2)
    with pytest.raises(ValidationFailed, match="cicilan terakhir") as e:
        deposit(uow, member, "pokok", "30.000", "p3")
    assert "Rp80.000" in str(e.value)
    deposit(uow, member, "pokok", "80.000", "p4")
    assert services.balances(uow, member.id)["pokok"] == D("100000.00")
