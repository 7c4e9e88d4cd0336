"""A savings withdrawal is paid from kas: when kas holds less than the withdrawal (the money went to the bank),
it is refused with the kas message, even though the member's sukarela balance covers it."""
from decimal import Decimal

import pytest

from app.ledger import services as ledger
from app.savings import services

from .conftest import SEKRETARIS, make_member, recent_day

D = Decimal


def test_a_sukarela_withdrawal_beyond_the_kas_balance_is_refused_naming_kas(uow, products):
    coop = products
    member = make_member(uow, coop)
    services.do_deposit(uow, member=member, kind="sukarela", amount="100.000", tx_date=recent_day(coop, 2),
                        idempotency_key="kas-1", acting_user=SEKRETARIS)
    # the bendahara takes Rp80.000 of the Rp100.000 in kas to the bank
    ledger.post_entry(uow, cooperative_id=coop.id, entry_date=recent_day(coop, 1), description="Setor ke bank",
                      lines=[("bank", D("80000"), 0), ("kas", 0, D("80000"))])
    with pytest.raises(ledger.OverdrawnCashError) as e:
        services.do_withdraw(uow, member=member, kind="sukarela", amount="50.000", tx_date=recent_day(coop),
                             idempotency_key="kas-2", acting_user=SEKRETARIS)
    assert "111000 Kas" in str(e.value) and "Rp20.000" in str(e.value) and "Rp50.000" in str(e.value)
