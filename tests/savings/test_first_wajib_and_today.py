"""Issue 10.2 and 10.4 from the user's side: the cooperative's own 'today' at 00:30 WIB on the 1st (17:30 UTC the day
before), and a new member's first wajib, paid the day the Pengurus activates them, also months ahead.

The clock is frozen through the seam ``app.core.dates.utc_now``; the frozen instants lie in the past (the 1st of the
previous and of the current month), so every date the app writes is a real, open business day."""
import random
import re
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal as D

import pytest
from sqlalchemy import select

from app.cooperatives.models import Cooperative
from app.core.dates import WIB
from app.members.models import Member
from app.savings.models import SavingsBalance, SavingsTransaction, WajibBill

KEBON_JERUK = "31.73.05.1001"


def _first_of_months_at_0030_wib():
    """(previous month's 1st, this month's 1st), each at 00:30 WIB, as aware UTC instants."""
    today = datetime.now(timezone.utc).astimezone(WIB).date()
    this = datetime(today.year, today.month, 1, 0, 30, tzinfo=WIB)
    prev_day = this.date() - timedelta(days=1)
    prev = datetime(prev_day.year, prev_day.month, 1, 0, 30, tzinfo=WIB)
    return prev.astimezone(timezone.utc), this.astimezone(timezone.utc)


@pytest.fixture()
def clock(monkeypatch):
    """Freeze the one clock; returns a setter."""
    import app.core.dates as dates

    def set_to(instant):
        monkeypatch.setattr(dates, "utc_now", lambda: instant)
        return instant
    return set_to


def _approved_member(app, sysdb, name, approved_on):
    """An approved (not yet active) member of Kebon Jeruk, as the registry leaves it after approval."""
    from app.members.services import nik_hmac

    coop = sysdb.scalar(select(Cooperative).where(Cooperative.region_code == KEBON_JERUK))
    serial = random.randint(1000, 9999)
    nik = f"{coop.region_code.replace('.', '')[:6]}440891{serial:04d}"
    seq = 900000 + random.randint(0, 99999)
    member = Member(cooperative_id=coop.id, nik=nik, nik_hmac=_in_app(app, nik_hmac, nik), name=name, sex="P",
                    birth_date=date(1991, 8, 4), address="Jl. Uji 2", rt="001", rw="002",
                    domicile_code=coop.region_code, phone="081234567891", join_date=approved_on - timedelta(days=3),
                    status="disetujui", approved_on=approved_on, member_seq=seq, member_number=f"B-{seq:06d}")
    sysdb.add(member)
    sysdb.commit()
    return member.id, coop.id


def _in_app(app, fn, *args):
    with app.app_context():
        return fn(*args)


def _form_value(html, name):
    m = re.search(rf'<input[^>]*name="{name}"[^>]*value="([^"]*)"', html) or \
        re.search(rf'<input[^>]*value="([^"]*)"[^>]*name="{name}"', html)
    return m.group(1) if m else None


def _rate(sysdb, coop_id, day):
    from app.savings.models import WajibRate

    return sysdb.scalar(select(WajibRate.amount).where(WajibRate.cooperative_id == coop_id,
                                                       WajibRate.valid_from <= day.replace(day=1))
                        .order_by(WajibRate.valid_from.desc()).limit(1))


def _bills(sysdb, member_id):
    sysdb.expire_all()
    return [(b.year, b.month, b.amount, b.paid_amount) for b in sysdb.scalars(
        select(WajibBill).where(WajibBill.member_id == member_id).order_by(WajibBill.year, WajibBill.month))]


def _prepaid(sysdb, member_id):
    sysdb.expire_all()
    return sysdb.scalar(select(SavingsBalance.prepaid).where(SavingsBalance.member_id == member_id,
                                                             SavingsBalance.kind == "wajib")) or D("0.00")


def _activate(login, member_id):
    p = login("pengurus.kebonjeruk")
    show = p.get(f"/anggota/show/{member_id}").get_data(as_text=True)
    offered = _form_value(show, "on_date")
    r = p.post(f"/anggota/status/{member_id}/activate", {"on_date": offered}, form_url=f"/anggota/show/{member_id}")
    assert r.status_code == 302
    return offered


def _deposit(login, member_id, amount):
    s = login("sekretaris.kebonjeruk")
    form = s.get(f"/simpanan/transaksi/setor?member={member_id}&kind=wajib").get_data(as_text=True)
    offered = _form_value(form, "tx_date")
    r = s.post("/simpanan/transaksi/setor", {"member": str(member_id), "kind": "wajib", "amount": amount,
                                             "tx_date": offered}, form_url="/simpanan/transaksi/setor")
    return offered, r


def test_at_0030_wib_on_the_first_every_offered_date_is_the_local_one_and_the_first_wajib_is_taken(
        app, login, sysdb, clock):
    """At 00:30 WIB on the 1st the server's UTC date is still the last day of the previous month. The Pengurus
    activates a new member (the form offers the 1st, the member is active from the 1st), the bill generator offers
    the new month, and the Sekretaris takes the member's first wajib the same night: the form offers the 1st and
    the deposit settles the activation month's bill, which exists without anyone generating bills."""
    first_prev, _ = _first_of_months_at_0030_wib()
    now = clock(first_prev)
    local = now.astimezone(WIB).date()
    assert now.date() != local  # the trap: UTC is still the day before
    member_id, coop_id = _approved_member(app, sysdb, "Rina Malam Pertama", local - timedelta(days=10))

    assert _activate(login, member_id) == local.isoformat()
    member = sysdb.get(Member, member_id)
    sysdb.refresh(member)
    assert (member.status, member.active_since) == ("aktif", local)
    rate = _rate(sysdb, coop_id, local)
    assert _bills(sysdb, member_id) == [(local.year, local.month, rate, D("0.00"))]  # billed on activation

    p = login("pengurus.kebonjeruk")
    bills_page = p.get("/simpanan/tagihan-wajib/list/").get_data(as_text=True)
    assert re.search(rf'<option value="{local.month}" selected>', bills_page)
    assert f'name="year" value="{local.year}"' in bills_page

    offered, r = _deposit(login, member_id, f"Rp {rate:,.0f}".replace(",", "."))
    assert offered == local.strftime("%d/%m/%Y")
    assert r.status_code == 302, r.get_data(as_text=True)[-1500:]
    tx = sysdb.scalars(select(SavingsTransaction).where(SavingsTransaction.member_id == member_id)).one()
    assert (tx.kind, tx.amount, tx.tx_date) == ("wajib", rate, local)
    assert tx.tx_date >= member.active_since
    assert _bills(sysdb, member_id) == [(local.year, local.month, rate, rate)]  # paid


def test_wajib_paid_three_months_ahead_settles_one_bill_keeps_two_as_prepaid_and_pays_next_month_by_itself(
        app, login, sysdb, clock):
    """A member pays three months of wajib on the day of activation: this month's bill is paid and two months are
    held as prepaid (shown on the passbook); when the next month starts, its bill appears already paid from the
    prepaid wajib, without anyone pressing a button. Reversing that deposit undoes all of it."""
    from app.savings.models import WajibBillRun

    first_prev, first_this = _first_of_months_at_0030_wib()
    local = clock(first_prev).astimezone(WIB).date()
    member_id, coop_id = _approved_member(app, sysdb, "Sari Bayar Di Muka", local - timedelta(days=5))
    # we travel back to last month: this month has not begun there, so its bill run has not happened yet
    nxt = first_this.astimezone(WIB).date()
    sysdb.execute(WajibBillRun.__table__.delete().where(WajibBillRun.cooperative_id == coop_id,
                                                        WajibBillRun.year == nxt.year,
                                                        WajibBillRun.month == nxt.month))
    sysdb.commit()
    _activate(login, member_id)
    rate = _rate(sysdb, coop_id, local)

    _offered, r = _deposit(login, member_id, str(int(rate * 3)))
    assert r.status_code == 302, r.get_data(as_text=True)[-1500:]
    assert _bills(sysdb, member_id) == [(local.year, local.month, rate, rate)]
    assert _prepaid(sysdb, member_id) == rate * 2
    s = login("sekretaris.kebonjeruk")
    book = s.get(f"/simpanan/transaksi/buku/{member_id}").get_data(as_text=True)
    assert "dibayar di muka" in book.lower() and f"Rp{int(rate * 2):,}".replace(",", ".") in book

    clock(first_this)
    rate_next = _rate(sysdb, coop_id, nxt)
    s.get(f"/simpanan/transaksi/buku/{member_id}")  # the first look at the member in the new month
    assert _bills(sysdb, member_id) == [(local.year, local.month, rate, rate),
                                        (nxt.year, nxt.month, rate_next, rate_next)]
    assert _prepaid(sysdb, member_id) == rate * 2 - rate_next

    tx = sysdb.scalars(select(SavingsTransaction).where(SavingsTransaction.member_id == member_id)).one()
    p = login("pengurus.kebonjeruk")
    r = p.post(f"/simpanan/transaksi/batal/{tx.id}", {"reason": "Uang belum diterima"},
               form_url=f"/simpanan/transaksi/show/{tx.id}")
    assert r.status_code == 302
    assert _prepaid(sysdb, member_id) == D("0.00")
    assert [paid for *_x, paid in _bills(sysdb, member_id)] == [D("0.00"), D("0.00")]
    balance = sysdb.scalar(select(SavingsBalance.balance).where(SavingsBalance.member_id == member_id,
                                                                SavingsBalance.kind == "wajib"))
    assert balance == D("0.00")


def test_at_0030_wib_on_the_first_the_deposit_form_and_the_bill_generator_offer_the_new_day_and_month(
        login, clock):
    """The secretary opening the deposit form just after midnight WIB on the 1st is offered the 1st (not the last
    day of the previous month, the server's UTC date), and the Pengurus' bill generator offers the new month."""
    first_prev, _ = _first_of_months_at_0030_wib()  # a past instant: the real clock's date differs from it
    now = clock(first_prev)
    local = now.astimezone(WIB).date()
    assert now.date() != local
    s = login("sekretaris.kebonjeruk")
    form = s.get("/simpanan/transaksi/setor").get_data(as_text=True)
    assert _form_value(form, "tx_date") == local.strftime("%d/%m/%Y")
    p = login("pengurus.kebonjeruk")
    bills_page = p.get("/simpanan/tagihan-wajib/list/").get_data(as_text=True)
    assert re.search(rf'<option value="{local.month}" selected>', bills_page)
    assert f'name="year" value="{local.year}"' in bills_page
