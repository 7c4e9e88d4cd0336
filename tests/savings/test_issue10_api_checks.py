"""Issue 10's review checks through the API: a new member's first wajib sent as Indonesian text ("10.000" style) the
day the Pengurus activates them is taken as that many rupiah, "10,5" is refused in Indonesian and nothing is written."""
import uuid
from decimal import Decimal as D

from sqlalchemy import func, select

from app.core.dates import local_today
from app.savings.models import SavingsTransaction
from tests.conftest import api_token
from tests.savings.test_first_wajib_and_today import _activate, _approved_member, _bills, _prepaid, _rate


def _indonesian(amount):
    return f"{int(amount):,}".replace(",", ".")


def test_a_new_members_first_wajib_through_the_api_reads_indonesian_rupiah_and_refuses_sen(app, login, client, sysdb):
    from app.cooperatives.models import Cooperative

    coop = sysdb.scalar(select(Cooperative).where(Cooperative.region_code == "31.73.05.1001"))
    today = local_today(coop)
    member_id, coop_id = _approved_member(app, sysdb, "Sari Api Pertama", today)
    _activate(login, member_id)
    rate = _rate(sysdb, coop_id, today)
    headers = api_token(client, "sekretaris.kebonjeruk")

    def count():
        sysdb.expire_all()
        return sysdb.scalar(select(func.count(SavingsTransaction.id)).where(SavingsTransaction.member_id == member_id))

    body = {"member_id": member_id, "kind": "wajib", "direction": "setor", "tx_date": today.isoformat()}
    for typed, word in (("10,5", "rupiah utuh"), ("10.000,50", "rupiah utuh")):
        r = client.post("/api/v1/savings_transaction/", json=dict(body, amount=typed, idempotency_key=str(uuid.uuid4())), headers=headers)
        assert r.status_code == 422, r.get_data(as_text=True)
        assert word in r.get_data(as_text=True) and "Not a valid" not in r.get_data(as_text=True)
    assert count() == 0

    r = client.post("/api/v1/savings_transaction/", json=dict(body, amount=f"Rp {_indonesian(rate)}", idempotency_key=str(uuid.uuid4())),
                    headers=headers)
    assert r.status_code == 201, r.get_data(as_text=True)
    assert sysdb.get(SavingsTransaction, r.json["id"]).amount == rate
    assert _bills(sysdb, member_id) == [(today.year, today.month, rate, rate)]

    r = client.post("/api/v1/savings_transaction/", json=dict(body, amount="10.000", idempotency_key=str(uuid.uuid4())), headers=headers)
    assert r.status_code == 201, r.get_data(as_text=True)
    assert sysdb.get(SavingsTransaction, r.json["id"]).amount == D("10000.00")
    assert _prepaid(sysdb, member_id) == D("10000.00")  # ahead of the next bills
