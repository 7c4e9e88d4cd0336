"""The savings transaction export reads its cells with one column-wise select (app/savings/exports.py); what the
user downloads is the same, cell for cell, as the list's generic export through the ORM: every row of the scope,
none beyond it, the member and cooperative as the list prints them, the kind, direction and correction labels."""
from decimal import Decimal as D

import pytest
from sqlalchemy.orm import Query

from tests.conftest import Session

from .conftest import PENGURUS, SEKRETARIS, make_member, recent_day


def _both(app, monkeypatch, username, url):
    # Imported once the app is made (the views module needs every model mapped first).
    from app.core.views import KkmpModelView
    from app.savings.views import SavingsTransactionView

    session = Session(app, username)
    fast = session.get(url)
    assert fast.status_code == 200, fast.status_code
    fast = fast.get_data(as_text=True)  # read before the next request: the body is streamed
    with monkeypatch.context() as m:
        m.setattr(SavingsTransactionView, "export_rows", KkmpModelView.export_rows)
        slow = session.get(url)
        assert slow.status_code == 200
        slow = slow.get_data(as_text=True)
    return fast, slow


@pytest.mark.parametrize("username", ["sekretaris.kebonjeruk", "sudin.jakbar", "admin"])
def test_the_fast_export_has_the_cells_of_the_generic_one(app, monkeypatch, username):
    fast, slow = _both(app, monkeypatch, username, "/simpanan/transaksi/export/csv")
    assert fast == slow
    assert len(fast.splitlines()) > 10  # the demo's transactions, not two empty files


def test_the_fast_export_keeps_the_search_filter(app, monkeypatch):
    fast, slow = _both(app, monkeypatch, "sudin.jakbar", "/simpanan/transaksi/export/csv?_flt_0_kind=wajib")
    assert fast == slow
    lines = fast.splitlines()[1:]
    assert lines and all(",Simpanan wajib," in line for line in lines)


def test_a_reversed_deposit_and_its_reversal_are_labelled_as_on_the_list(uow, products):
    """A wajib deposit of Rp15.000 reversed: its row says Dibatalkan, the reversing row Koreksi, each with the
    member as the list prints them and the amount as a Decimal."""
    from app.savings import services
    from app.savings.exports import transaction_rows
    from app.savings.models import SavingsTransaction

    member = make_member(uow, products)
    kept = services.do_deposit(uow, member=member, kind="sukarela", amount=D(20000), idempotency_key="x1",
                               tx_date=recent_day(member.cooperative), acting_user=SEKRETARIS)
    wrong = services.do_deposit(uow, member=member, kind="wajib", amount=D(15000), idempotency_key="x2",
                                tx_date=recent_day(member.cooperative), acting_user=SEKRETARIS)
    services.do_reverse_transaction(uow, transaction=wrong, reason="salah catat jumlah", acting_user=PENGURUS)
    query = Query(SavingsTransaction, session=uow).filter(SavingsTransaction.member_id == member.id) \
        .order_by(SavingsTransaction.id)
    rows = list(transaction_rows(uow, query))
    shown = f"{member.member_number} {member.name}" if member.member_number else member.name
    assert [r[0] for r in rows] == [member.cooperative.name] * 3
    assert [r[3] for r in rows] == [shown] * 3
    assert [(r[4], r[5], r[6], r[7]) for r in rows] == [
        ("Simpanan sukarela", "Setoran", D("20000.00"), ""), ("Simpanan wajib", "Setoran", D("15000.00"), "Dibatalkan"),
        ("Simpanan wajib", "Penarikan", D("15000.00"), "Koreksi")]
    assert rows[0][1] == kept.receipt_number and rows[1][2] == wrong.tx_date
