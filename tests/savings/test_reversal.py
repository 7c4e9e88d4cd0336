"""Reversal (koreksi) of a savings transaction, and the arrears policy for members who ended: service rules pinned
with Decimal expectations in a rolled-back transaction, the form and the API through the real app, and two
concurrent reversals of one transaction on PostgreSQL."""
import os
import re
import threading
from datetime import date
from decimal import Decimal as D

import pytest
from sqlalchemy import func, select

from app.core.errors import DomainError, ValidationFailed
from app.savings import services
from app.savings.models import ReceiptCounter, SavingsTransaction, WajibBill

from .conftest import LURAH, PENGURUS, SEKRETARIS, Board, make_member, month_back, recent_day


def deposit(uow, member, kind, amount, key, day=None):
    return services.do_deposit(uow, member=member, kind=kind, amount=amount, tx_date=day or recent_day(
        member.cooperative), idempotency_key=key, acting_user=SEKRETARIS)


def reverse(uow, tx, reason="Salah input jumlah", user=PENGURUS, **kw):
    return services.do_reverse_transaction(uow, transaction=tx, reason=reason, acting_user=user, **kw)


def ledger_balance(uow, coop, purpose):
    """Credit minus debit of the account the cooperative uses for ``purpose`` (a liability or equity)."""
    from app.ledger.models import Account, JournalLine
    from app.ledger.services import account_code

    code = account_code(uow, coop.id, purpose)
    debit, credit = uow.execute(
        select(func.coalesce(func.sum(JournalLine.debit), 0), func.coalesce(func.sum(JournalLine.credit), 0))
        .join(Account, Account.id == JournalLine.account_id)
        .where(JournalLine.cooperative_id == coop.id, Account.code == code)).one()
    return D(credit) - D(debit)


def paid_by_month(uow, member):
    return [b.paid_amount for b in uow.execute(select(WajibBill).where(WajibBill.member_id == member.id)
                                               .order_by(WajibBill.year, WajibBill.month)).scalars()]


def bill_months(uow, coop, months=3):
    """Bills for the last ``months`` months up to the current one (a wajib deposit bills the current month itself)."""
    for back in range(months - 1, -1, -1):
        y, m = month_back(coop, back)
        services.generate_wajib_bills(uow, coop.id, y, m, PENGURUS)


# -- what a reversal writes -------------------------------------------------------------------------------------

def test_reversing_a_sukarela_deposit_writes_a_linked_transaction_a_receipt_and_the_ledgers_reversal(uow, products):
    from app.core.audit import AuditEvent
    from app.ledger.models import JournalEntry

    coop = products
    member = make_member(uow, coop)
    tx = deposit(uow, member, "sukarela", "150.000", "rv-1")
    assert services.balances(uow, member.id)["sukarela"] == D("150000.00")
    assert ledger_balance(uow, coop, "simpanan_sukarela") == D("150000.00")
    assert ledger_balance(uow, coop, "kas") == D("-150000.00")

    rev = reverse(uow, tx, reason="  Salah   anggota ")
    assert (rev.kind, rev.direction, rev.amount, rev.reversal_of_id) == ("sukarela", "tarik", D("150000.00"), tx.id)
    assert rev.tx_date == recent_day(coop) and tx.reversed_at is not None
    assert rev.receipt_seq == tx.receipt_seq + 1 and rev.receipt_number != tx.receipt_number
    assert rev.note == f"Koreksi atas {tx.receipt_number}: Salah anggota"
    entry = uow.get(JournalEntry, rev.journal_entry_id)
    assert entry.reverses_id == tx.journal_entry_id and entry.entry_type == "pembalik"
    assert entry.total == D("150000.00")
    # balance, ledger and the transaction rows agree: all back to zero
    assert services.balances(uow, member.id)["sukarela"] == D("0.00")
    assert ledger_balance(uow, coop, "simpanan_sukarela") == D("0.00")
    assert ledger_balance(uow, coop, "kas") == D("0.00")
    assert services.reversal_of(uow, tx).id == rev.id
    # the passbook shows both lines, the original marked as reversed
    lines = services.passbook(uow, member.id)
    assert [(l.receipt_number, l.credit, l.debit, l.balance) for l in lines] == [
        (tx.receipt_number, D("150000.00"), None, D("150000.00")),
        (rev.receipt_number, None, D("150000.00"), D("0.00"))]
    assert [str(l.correction) for l in lines] == ["Dibatalkan", "Koreksi"]
    # audited like every other change: the new row and the update of the original
    uow.flush()
    actions = set(uow.execute(select(AuditEvent.action, AuditEvent.record_id).where(
        AuditEvent.table_name == "savings_transaction", AuditEvent.record_id.in_([str(tx.id), str(rev.id)]))).all())
    assert {a for a, r in actions if r == str(rev.id)} and {a for a, r in actions if r == str(tx.id)} >= {"update"}


def test_reversing_a_sukarela_withdrawal_puts_the_money_back(uow, products):
    coop = products
    member = make_member(uow, coop)
    deposit(uow, member, "sukarela", D(100000), "rv-w1")
    out = services.do_withdraw(uow, member=member, kind="sukarela", amount=D(40000), tx_date=recent_day(coop),
                               idempotency_key="rv-w2", acting_user=SEKRETARIS)
    rev = reverse(uow, out)
    assert (rev.direction, rev.amount) == ("setor", D("40000.00"))
    assert services.balances(uow, member.id)["sukarela"] == D("100000.00")
    assert ledger_balance(uow, coop, "simpanan_sukarela") == D("100000.00")
    assert ledger_balance(uow, coop, "kas") == D("-100000.00")


def test_reversing_a_wajib_deposit_takes_it_off_the_newest_paid_bills_so_the_arrears_come_back(uow, products):
    coop = products
    member = make_member(uow, coop)
    bill_months(uow, coop, 3)  # 3 x Rp10.000
    first = deposit(uow, member, "wajib", D(25000), "rv-wj1")   # 10.000, 10.000, 5.000
    deposit(uow, member, "wajib", D(5000), "rv-wj2")            # the third month paid up
    assert paid_by_month(uow, member) == [D("10000.00")] * 3
    assert services.arrears(uow, member_id=member.id) == []

    reverse(uow, first, reason="Uang tidak diterima")
    # 25.000 comes off the newest first: month 3 (10.000), month 2 (10.000), month 1 (5.000)
    assert paid_by_month(uow, member) == [D("5000.00"), D("0.00"), D("0.00")]
    assert services.balances(uow, member.id)["wajib"] == D("5000.00")
    assert ledger_balance(uow, coop, "simpanan_wajib") == D("5000.00")
    row, = services.arrears(uow, member_id=member.id)
    assert (row.months, row.amount) == (3, D("25000.00"))
    # the next payment settles the oldest bill first again
    deposit(uow, member, "wajib", D(5000), "rv-wj3")
    assert paid_by_month(uow, member) == [D("10000.00"), D("0.00"), D("0.00")]


def test_a_reversed_pokok_instalment_does_not_count_as_an_instalment(uow, products):
    coop = products  # pokok Rp100.000 in at most 2 instalments
    member = make_member(uow, coop)
    wrong = deposit(uow, member, "pokok", D(50000), "rv-p1")
    reverse(uow, wrong)
    assert services.balances(uow, member.id)["pokok"] == D("0.00")
    assert ledger_balance(uow, coop, "simpanan_pokok") == D("0.00")
    deposit(uow, member, "pokok", D(60000), "rv-p2")  # the first real instalment
    with pytest.raises(ValidationFailed):
        deposit(uow, member, "pokok", D(10000), "rv-p3")  # the last must be the rest
    deposit(uow, member, "pokok", D(40000), "rv-p4")
    assert services.balances(uow, member.id)["pokok"] == D("100000.00")
    assert ledger_balance(uow, coop, "simpanan_pokok") == D("100000.00")


# -- refusals ---------------------------------------------------------------------------------------------------

def _counts(uow, coop):
    uow.flush()
    return (uow.scalar(select(func.count(SavingsTransaction.id)).where(SavingsTransaction.cooperative_id == coop.id)),
            uow.scalar(select(ReceiptCounter.last_number).where(ReceiptCounter.cooperative_id == coop.id)))


def test_a_transaction_is_reversed_once_only_and_a_reversal_is_not_reversed(uow, products):
    coop = products
    member = make_member(uow, coop)
    tx = deposit(uow, member, "sukarela", D(30000), "rv-twice")
    rev = reverse(uow, tx)
    before = _counts(uow, coop)
    with pytest.raises(services.AlreadyReversed) as e:
        reverse(uow, tx)
    assert "sudah dibatalkan" in str(e.value) and rev.receipt_number in str(e.value)
    with pytest.raises(services.AlreadyReversed) as e:
        reverse(uow, rev)
    assert "koreksi" in str(e.value)
    assert _counts(uow, coop) == before
    assert services.balances(uow, member.id)["sukarela"] == D("0.00")


@pytest.mark.parametrize("reason", [None, "", "   ", "abc"])
def test_a_reason_is_required(uow, products, reason):
    coop = products
    member = make_member(uow, coop)
    tx = deposit(uow, member, "sukarela", D(30000), "rv-reason")
    before = _counts(uow, coop)
    with pytest.raises(ValidationFailed) as e:
        reverse(uow, tx, reason=reason)
    assert e.value.field == "reason" and "alasan pembatalan" in str(e.value).lower()
    assert _counts(uow, coop) == before and tx.reversed_at is None


@pytest.mark.parametrize("user", [SEKRETARIS, LURAH, Board("Camat"), Board("Sudin"), None])
def test_only_the_board_or_admin_reverses(uow, products, user):
    coop = products
    member = make_member(uow, coop)
    tx = deposit(uow, member, "sukarela", D(30000), "rv-role")
    with pytest.raises(DomainError) as e:
        reverse(uow, tx, user=user)
    assert "Hanya Pengurus" in str(e.value)
    assert reverse(uow, tx, user=Board("Admin")).reversal_of_id == tx.id


def test_reversing_a_sukarela_deposit_already_partly_withdrawn_is_refused(uow, products):
    coop = products
    member = make_member(uow, coop)
    tx = deposit(uow, member, "sukarela", D(100000), "rv-neg1")
    services.do_withdraw(uow, member=member, kind="sukarela", amount=D(60000), tx_date=recent_day(coop),
                         idempotency_key="rv-neg2", acting_user=SEKRETARIS)
    before = _counts(uow, coop)
    with pytest.raises(services.SukarelaInsufficient) as e:
        reverse(uow, tx)
    assert "Rp40.000" in str(e.value) and "Rp100.000" in str(e.value)
    assert _counts(uow, coop) == before
    assert services.balances(uow, member.id)["sukarela"] == D("40000.00")


def test_transactions_of_an_exit_settlement_and_of_a_settled_member_cannot_be_reversed(uow, products):
    from app.members.services import do_end

    coop = products
    member = make_member(uow, coop)
    paid = deposit(uow, member, "pokok", D(100000), "rv-exit1")
    sukarela = deposit(uow, member, "sukarela", D(20000), "rv-exit2")
    do_end(uow, member, PENGURUS, "keluar", on=recent_day(coop), today=recent_day(coop))
    settlement = services.do_exit_settlement(uow, member=member, settle_date=recent_day(coop), loss_share="0",
                                             acting_user=PENGURUS)
    payout = uow.scalars(select(SavingsTransaction).where(SavingsTransaction.settlement_id == settlement.id)).one()
    for tx in (payout, paid):
        with pytest.raises(ValidationFailed) as e:
            reverse(uow, tx)
        assert "penyelesaian" in str(e.value) or "diselesaikan" in str(e.value)
    # sukarela is outside the settlement, but the member's savings are closed: refused too
    with pytest.raises(ValidationFailed):
        reverse(uow, sukarela)
    assert services.balances(uow, member.id) == {"pokok": D("0.00"), "wajib": D("0.00"), "sukarela": D("20000.00")}


def test_a_transaction_in_a_closed_month_is_reversed_today_and_never_into_the_closed_month(uow, products):
    from app.ledger.models import JournalEntry
    from app.ledger.services import close_period

    coop = products
    member = make_member(uow, coop)
    y, m = month_back(coop, 1)
    old_day = date(y, m, 15)
    first = deposit(uow, member, "sukarela", D(70000), "rv-closed1", day=old_day)
    second = deposit(uow, member, "sukarela", D(30000), "rv-closed2", day=old_day)
    close_period(uow, coop.id, y, m, acting_user=PENGURUS)
    rev = reverse(uow, first)
    assert rev.tx_date == recent_day(coop) and (rev.tx_date.year, rev.tx_date.month) != (y, m)
    assert uow.get(JournalEntry, rev.journal_entry_id).entry_date == recent_day(coop)
    before = _counts(uow, coop)
    with pytest.raises(ValidationFailed) as e:
        reverse(uow, second, today=date(y, m, 20))
    assert "sudah ditutup" in str(e.value)
    assert _counts(uow, coop) == before
    assert services.balances(uow, member.id)["sukarela"] == D("30000.00")


# -- arrears policy: members who ended ---------------------------------------------------------------------------

@pytest.mark.parametrize("status", ["keluar", "meninggal", "diberhentikan"])
def test_members_who_ended_leave_the_arrears_list_and_get_no_new_bills(uow, products, status):
    from app.members.services import do_end

    coop = products
    stays = make_member(uow, coop, name="Tetap Aktif")
    leaves = make_member(uow, coop, name="Sudah Keluar")
    y1, m1 = month_back(coop, 2)
    services.generate_wajib_bills(uow, coop.id, y1, m1, PENGURUS)
    assert {r.member_id for r in services.arrears(uow, cooperative_id=coop.id)} == {stays.id, leaves.id}
    do_end(uow, leaves, PENGURUS, status, on=recent_day(coop), note="Melanggar AD/ART", today=recent_day(coop))
    uow.flush()
    assert {r.member_id for r in services.arrears(uow, cooperative_id=coop.id)} == {stays.id}
    assert services.arrears(uow, member_id=leaves.id) == []
    # neither the current month nor an earlier month billed late bills the member who ended
    y2, m2 = month_back(coop, 1)
    y0, m0 = month_back(coop, 0)
    assert services.generate_wajib_bills(uow, coop.id, y2, m2, PENGURUS) == 1
    assert services.generate_wajib_bills(uow, coop.id, y0, m0, PENGURUS) == 1
    billed = uow.scalars(select(WajibBill.member_id).where(WajibBill.cooperative_id == coop.id,
                                                           (WajibBill.year * 100 + WajibBill.month)
                                                           >= y2 * 100 + m2)).all()
    assert sorted(billed) == [stays.id, stays.id]
    # the old bill stays as history, unpaid
    assert uow.scalar(select(func.count(WajibBill.id)).where(WajibBill.member_id == leaves.id)) == 1


# -- through the real app ---------------------------------------------------------------------------------------

KEBON_JERUK = "31.73.05.1001"


def _kj_member(sysdb, offset):
    from app.cooperatives.models import Cooperative
    from app.members.models import Member

    coop_id = sysdb.scalar(select(Cooperative.id).where(Cooperative.region_code == KEBON_JERUK))
    return sysdb.scalars(select(Member).where(Member.cooperative_id == coop_id, Member.status == "aktif")
                         .order_by(Member.id.desc()).offset(offset).limit(1)).first()


def _deposit_by_form(login, member, amount):
    s = login("sekretaris.kebonjeruk")
    r = s.post("/simpanan/transaksi/setor", {"member": str(member.id), "kind": "sukarela", "amount": amount,
                                             "tx_date": date.today().strftime("%d/%m/%Y")},
               form_url="/simpanan/transaksi/setor")
    assert r.status_code == 302, r.get_data(as_text=True)[:1000]
    return int(r.headers["Location"].rstrip("/").split("/")[-1]), s


def test_the_board_reverses_on_the_show_page_and_the_secretary_cannot(login, sysdb):
    member = _kj_member(sysdb, 4)
    tx_id, sek = _deposit_by_form(login, member, "12.345")
    page = sek.get(f"/simpanan/transaksi/show/{tx_id}").get_data(as_text=True)
    assert "kkmp-reverse-form" not in page
    r = sek.client.post(f"/simpanan/transaksi/batal/{tx_id}", data={"csrf_token": sek.token("/"),
                                                                   "reason": "Salah input"})
    assert r.status_code in (302, 403)
    sysdb.expire_all()
    assert sysdb.get(SavingsTransaction, tx_id).reversed_at is None

    p = login("pengurus.kebonjeruk")
    page = p.get(f"/simpanan/transaksi/show/{tx_id}").get_data(as_text=True)
    assert "kkmp-reverse-form" in page and "Batalkan (koreksi)" in page
    url = f"/simpanan/transaksi/batal/{tx_id}"
    show = f"/simpanan/transaksi/show/{tx_id}"
    r = p.post(url, {"reason": ""}, form_url=show, follow_redirects=True)
    assert "Alasan pembatalan wajib diisi" in r.get_data(as_text=True)
    sysdb.expire_all()
    assert sysdb.get(SavingsTransaction, tx_id).reversed_at is None
    r = p.post(url, {"reason": "Anggota salah pilih"}, form_url=show)
    assert r.status_code == 302
    sysdb.expire_all()
    original = sysdb.get(SavingsTransaction, tx_id)
    rev = sysdb.scalars(select(SavingsTransaction).where(SavingsTransaction.reversal_of_id == tx_id)).one()
    assert original.reversed_at is not None and (rev.direction, rev.amount) == ("tarik", D("12345.00"))
    assert r.headers["Location"].endswith(f"/simpanan/transaksi/show/{rev.id}")
    page = p.get(show).get_data(as_text=True)
    assert "kkmp-reversed" in page and rev.receipt_number in page and "kkmp-reverse-form" not in page
    assert "Koreksi atas" in p.get(f"/simpanan/transaksi/show/{rev.id}").get_data(as_text=True)
    again = p.post(url, {"reason": "Anggota salah pilih"}, form_url=show, follow_redirects=True)
    assert "sudah dibatalkan" in again.get_data(as_text=True)
    assert sysdb.scalar(select(func.count(SavingsTransaction.id))
                        .where(SavingsTransaction.reversal_of_id == tx_id)) == 1
    listing = p.get("/simpanan/transaksi/list/").get_data(as_text=True)
    assert "Dibatalkan" in listing and "Koreksi" in listing
    book = p.get(f"/simpanan/transaksi/buku/{member.id}").get_data(as_text=True)
    assert original.receipt_number in book and rev.receipt_number in book
    receipt = p.get(f"/simpanan/transaksi/kwitansi/{rev.id}").get_data(as_text=True)
    assert "KOREKSI" in receipt


def test_the_ledger_screen_refuses_to_reverse_a_savings_journal_so_balance_and_books_stay_in_step(login, sysdb):
    from app.ledger.models import JournalEntry

    member = _kj_member(sysdb, 5)
    tx_id, _ = _deposit_by_form(login, member, "23.456")
    entry_id = sysdb.get(SavingsTransaction, tx_id).journal_entry_id
    p = login("pengurus.kebonjeruk")
    r = p.post(f"/jurnal/balik/{entry_id}", {"entry_date": date.today().isoformat(), "reason": "coba balik"},
               form_url=f"/jurnal/show/{entry_id}", follow_redirects=True)
    assert "Batalkan (koreksi)" in r.get_data(as_text=True)
    sysdb.expire_all()
    assert sysdb.scalar(select(func.count(JournalEntry.id)).where(JournalEntry.reverses_id == entry_id)) == 0
    assert sysdb.get(SavingsTransaction, tx_id).reversed_at is None


def test_the_api_reverses_with_the_same_rules(client, login, sysdb):
    from tests.conftest import api_token

    member = _kj_member(sysdb, 5)
    tx_id, _s = _deposit_by_form(login, member, "7.000")
    for user in ("sekretaris.kebonjeruk", "lurah.kebonjeruk"):
        r = client.post(f"/api/v1/savings_transaction/{tx_id}/reverse", json={"reason": "Salah input"},
                        headers=api_token(client, user))
        assert r.status_code == 403, (user, r.json)
    board = api_token(client, "pengurus.kebonjeruk")
    r = client.post(f"/api/v1/savings_transaction/{tx_id}/reverse", json={"reason": ""}, headers=board)
    assert r.status_code == 422 and "reason" in r.json["message"]
    r = client.post(f"/api/v1/savings_transaction/{tx_id}/reverse", json={"reason": "Salah input"}, headers=board)
    assert r.status_code == 201, r.json
    assert r.json["result"]["reversal_of_id"] == tx_id and r.json["result"]["amount"] == "7000.00"
    assert re.fullmatch(r"KW-\d{4}-\d{6}", r.json["result"]["receipt_number"])
    again = client.post(f"/api/v1/savings_transaction/{tx_id}/reverse", json={"reason": "Salah input"},
                        headers=board)
    assert again.status_code == 422
    shown = client.get(f"/api/v1/savings_transaction/{tx_id}", headers=board).json["result"]
    assert shown["reversed_at"]
    # another cooperative's transaction looks missing
    other = api_token(client, "sekretaris.cemorokandang")
    assert client.post(f"/api/v1/savings_transaction/{tx_id}/reverse", json={"reason": "Salah input"},
                       headers=other).status_code in (403, 404)


# -- concurrency ------------------------------------------------------------------------------------------------

@pytest.mark.postgres
@pytest.mark.skipif(not os.environ.get("DATABASE_URL", "").startswith("postgresql"),
                    reason="needs DATABASE_URL=postgresql://...")
def test_two_concurrent_reversals_of_one_transaction_exactly_one_succeeds(app):
    from app.cooperatives.models import Cooperative
    from app.core.scope import system_scope
    from app.extensions import db
    from app.members.models import Member

    with app.app_context(), system_scope():
        coop = db.session.scalar(select(Cooperative).where(Cooperative.region_code == "64.72.05.1003"))
        member = db.session.scalars(select(Member).where(Member.cooperative_id == coop.id,
                                                         Member.status == "aktif").order_by(Member.id)).first()
        member_id = member.id
        start = services.balances(db.session, member_id)["sukarela"]
        tx = services.do_deposit(db.session, member=member, kind="sukarela", amount=D(45000),
                                 tx_date=services.local_today(coop), idempotency_key="pg-rev-seed",
                                 acting_user=SEKRETARIS)
        db.session.commit()
        tx_id = tx.id
        db.session.remove()

    n = 6
    barrier = threading.Barrier(n)
    outcomes = []

    def worker(i):
        with app.app_context(), system_scope():
            session = db.session
            try:
                barrier.wait(timeout=30)
                services.do_reverse_transaction(session, transaction=tx_id, reason=f"Koreksi paralel {i}",
                                                acting_user=PENGURUS)
                session.commit()
                outcomes.append("ok")
            except services.AlreadyReversed:
                session.rollback()
                outcomes.append("refused")
            except Exception as e:  # anything else fails the test
                session.rollback()
                outcomes.append(repr(e))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(outcomes) == ["ok"] + ["refused"] * (n - 1), outcomes

    with app.app_context(), system_scope():
        session = db.session
        assert services.balances(session, member_id)["sukarela"] == start
        reversals = session.scalars(select(SavingsTransaction).where(
            SavingsTransaction.reversal_of_id == tx_id)).all()
        assert len(reversals) == 1
        from app.ledger.models import JournalEntry

        original = session.get(SavingsTransaction, tx_id)
        assert session.scalar(select(func.count(JournalEntry.id)).where(
            JournalEntry.reverses_id == original.journal_entry_id)) == 1
        db.session.remove()
