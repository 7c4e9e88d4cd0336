"""Concurrent sukarela withdrawals on real PostgreSQL: exactly the withdrawals the balance allows succeed, and the
ledger rows agree with the transaction rows and the balance."""
import os
import threading
from decimal import Decimal as D

import pytest
from sqlalchemy import func, select

from app.core.scope import system_scope

pytestmark = pytest.mark.postgres

N = 12
START, EACH = D("100000.00"), D("30000.00")  # allows 3 of 12


@pytest.mark.skipif(not os.environ.get("DATABASE_URL", "").startswith("postgresql"),
                    reason="needs DATABASE_URL=postgresql://...")
def test_parallel_sukarela_withdrawals_never_overdraw_and_the_ledger_agrees(app):
    from app.cooperatives.models import Cooperative
    from app.extensions import db
    from app.ledger.models import Account, JournalLine
    from app.ledger.services import account_code
    from app.members.models import Member
    from app.savings import services
    from app.savings.models import SavingsTransaction

    from .conftest import SEKRETARIS

    with app.app_context(), system_scope():
        coop = db.session.scalar(select(Cooperative).where(Cooperative.region_code == "64.72.05.1003"))
        member = db.session.scalars(select(Member).where(Member.cooperative_id == coop.id,
                                                         Member.status == "aktif").order_by(Member.id.desc())).first()
        member_id, coop_id = member.id, coop.id
        day = services.local_today(coop)
        held = services.balances(db.session, member_id)["sukarela"]
        services.do_deposit(db.session, member=member, kind="sukarela", amount=START, tx_date=day,
                            idempotency_key="pg-conc-seed", acting_user=SEKRETARIS)
        db.session.commit()
        db.session.remove()
    start = held + START
    allowed = int(start // EACH)

    barrier = threading.Barrier(N)
    outcomes = []

    def worker(i):
        with app.app_context(), system_scope():
            session = db.session
            try:
                barrier.wait(timeout=30)
                services.do_withdraw(session, member=member_id, kind="sukarela", amount=EACH, tx_date=day,
                                     idempotency_key=f"pg-conc-{i}", acting_user=SEKRETARIS)
                session.commit()
                outcomes.append("ok")
            except services.SukarelaInsufficient:
                session.rollback()
                outcomes.append("refused")
            except Exception as e:  # anything else is a failure of the test
                session.rollback()
                outcomes.append(repr(e))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(N)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(outcomes) == sorted(["ok"] * allowed + ["refused"] * (N - allowed)), outcomes

    with app.app_context(), system_scope():
        session = db.session
        balance = services.balances(session, member_id)["sukarela"]
        assert balance == start - EACH * allowed and balance >= 0
        txs = session.execute(select(SavingsTransaction.direction, SavingsTransaction.amount,
                                     SavingsTransaction.journal_entry_id)
                              .where(SavingsTransaction.member_id == member_id,
                                     SavingsTransaction.kind == "sukarela")).all()
        by_rows = sum((a if d == "setor" else -a for d, a, _ in txs), D(0))
        code = account_code(session, coop_id, "simpanan_sukarela")
        debit, credit = session.execute(
            select(func.coalesce(func.sum(JournalLine.debit), 0), func.coalesce(func.sum(JournalLine.credit), 0))
            .join(Account, Account.id == JournalLine.account_id)
            .where(JournalLine.entry_id.in_([e for _, _, e in txs]), Account.code == code)).one()
        assert D(credit) - D(debit) == by_rows == balance
        assert sum(1 for d, a, _ in txs if d == "tarik" and a == EACH) >= allowed
        db.session.remove()
