"""Issue 10.1 from the user's side: amounts typed the Indonesian way mean what they say on every money form and in the
API ("10.000" is ten thousand, not ten), fractions of a rupiah and absurd amounts are refused in Indonesian naming
the field, and a wajib rate billed wrongly is corrected by the Pengurus with a reason, re-pricing the open bills."""
from datetime import date
from decimal import Decimal as D

import pytest
from sqlalchemy import func, select

from app.cooperatives.models import Cooperative
from app.core.audit import AuditEvent
from app.savings.models import SavingsProduct, WajibBill, WajibRate
from tests.conftest import api_token

KEBON_JERUK = "31.73.05.1001"


def _coop_id(sysdb):
    return sysdb.scalar(select(Cooperative.id).where(Cooperative.region_code == KEBON_JERUK))


def _rates(sysdb, coop_id):
    sysdb.expire_all()
    return {r.valid_from: r.amount for r in sysdb.scalars(select(WajibRate).where(WajibRate.cooperative_id == coop_id))}


@pytest.mark.parametrize("typed, month, expected", [
    ("10.000", 1, D("10000.00")), ("Rp 20.000", 2, D("20000.00")), ("Rp10.000", 3, D("10000.00")),
    ("10.000,00", 4, D("10000.00")), ("10000", 5, D("10000.00"))])
def test_a_wajib_rate_typed_the_indonesian_way_is_saved_as_that_many_rupiah(login, sysdb, typed, month, expected):
    coop_id = _coop_id(sysdb)
    start = date(date.today().year + 3, month, 1)  # far ahead: a month nobody bills
    p = login("pengurus.kebonjeruk")
    r = p.post("/simpanan/tarif-wajib/add", {"cooperative": str(coop_id), "valid_from": start.isoformat(),
                                             "amount": typed, "decided_on": ""}, form_url="/simpanan/tarif-wajib/add")
    assert r.status_code == 302, r.get_data(as_text=True)[-3000:]
    assert _rates(sysdb, coop_id)[start] == expected


@pytest.mark.parametrize("typed, message", [
    ("10,5", "Simpanan wajib per bulan dalam rupiah utuh, tanpa sen"),
    ("10.000,50", "Simpanan wajib per bulan dalam rupiah utuh, tanpa sen"),
    ("-10.000", "Simpanan wajib per bulan tidak boleh negatif"),
    ("0", "Simpanan wajib per bulan harus lebih dari nol"),
    ("Rp 2.000.000.000.000", "Simpanan wajib per bulan terlalu besar"),
    ("1,500,000", "Simpanan wajib per bulan: tulis jumlah rupiah seperti 1.500.000")])
def test_a_wajib_rate_with_sen_or_an_absurd_amount_is_refused_in_indonesian_and_nothing_is_saved(
        login, sysdb, typed, message):
    coop_id = _coop_id(sysdb)
    before = _rates(sysdb, coop_id)
    start = date(date.today().year + 3, 9, 1)
    p = login("pengurus.kebonjeruk")
    r = p.post("/simpanan/tarif-wajib/add", {"cooperative": str(coop_id), "valid_from": start.isoformat(),
                                             "amount": typed, "decided_on": ""}, form_url="/simpanan/tarif-wajib/add")
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and message in html
    assert "Not a valid" not in html
    assert _rates(sysdb, coop_id) == before


def test_the_product_form_reads_and_shows_rupiah_the_indonesian_way(login, sysdb):
    coop_id = _coop_id(sysdb)
    product = sysdb.scalars(select(SavingsProduct).where(SavingsProduct.cooperative_id == coop_id,
                                                         SavingsProduct.kind == "pokok")).one()
    amount = product.amount
    shown = f"{int(amount):,}".replace(",", ".")
    p = login("pengurus.kebonjeruk")
    form = p.get(f"/simpanan/produk/edit/{product.id}").get_data(as_text=True)
    assert f'value="{shown}"' in form  # shown back as 100.000, which reads again as the same amount
    r = p.post(f"/simpanan/produk/edit/{product.id}", {"name": product.name, "amount": f"Rp {shown}",
                                                        "instalments": str(product.instalments), "decided_on": "",
                                                        "decision_ref": product.decision_ref or ""},
               form_url=f"/simpanan/produk/edit/{product.id}")
    assert r.status_code == 302, r.get_data(as_text=True)[-3000:]
    sysdb.expire_all()
    assert sysdb.get(SavingsProduct, product.id).amount == amount


def test_the_journal_api_reads_indonesian_amount_strings_too(client, sysdb):
    from app.core.dates import local_today
    from app.ledger.models import JournalEntry

    coop = sysdb.scalar(select(Cooperative).where(Cooperative.region_code == KEBON_JERUK))
    headers = api_token(client, "pengurus.kebonjeruk")
    body = {"cooperative_id": coop.id, "entry_date": local_today(coop).isoformat(), "description": "Setoran modal",
            "lines": [{"account": "kas", "debit": "Rp 1.500.000"},
                      {"account": "simpanan_pokok", "credit": "1.500.000,00"}]}
    r = client.post("/api/v1/journal_entry/post", json=body, headers=headers)
    assert r.status_code == 201, r.get_data(as_text=True)
    assert sysdb.get(JournalEntry, r.json["id"]).total == D("1500000.00")
    bad = dict(body, lines=[{"account": "kas", "debit": "1,500,000"}, {"account": "simpanan_pokok",
                                                                        "credit": "1500000"}])
    r = client.post("/api/v1/journal_entry/post", json=bad, headers=headers)
    assert r.status_code == 422 and "tulis jumlah rupiah seperti" in r.get_data(as_text=True)


def test_the_pengurus_corrects_a_wajib_rate_billed_wrongly_and_its_open_bills_are_repriced(login, sysdb):
    """Through the rate's page: the open bills of the rate's months take the corrected amount, paid bills stay,
    an audit row keeps the reason; a Sekretaris may not; correcting back restores every bill."""
    coop_id = _coop_id(sysdb)
    today = date.today()
    rate = sysdb.scalars(select(WajibRate).where(WajibRate.cooperative_id == coop_id,
                                                 WajibRate.valid_from <= today)
                         .order_by(WajibRate.valid_from.desc())).first()
    old = rate.amount
    start = rate.valid_from.year * 100 + rate.valid_from.month

    def bills():
        sysdb.expire_all()
        return {b.id: (b.amount, b.paid_amount) for b in sysdb.scalars(select(WajibBill).where(
            WajibBill.cooperative_id == coop_id, WajibBill.year * 100 + WajibBill.month >= start))}

    from app.members.models import Member

    before = bills()
    left = set(sysdb.scalars(select(WajibBill.id).join(Member, Member.id == WajibBill.member_id).where(
        WajibBill.cooperative_id == coop_id, Member.status.in_(("keluar", "meninggal", "diberhentikan")))))
    open_ids = {i for i, (a, paid) in before.items() if paid < a and i not in left}  # leavers are not collected
    assert open_ids
    new = old + D(2500)
    p = login("pengurus.kebonjeruk")
    page = p.get(f"/simpanan/tarif-wajib/show/{rate.id}").get_data(as_text=True)
    assert 'id="kkmp-rate-correct-form"' in page
    s = login("sekretaris.kebonjeruk")
    r = s.post(f"/simpanan/tarif-wajib/koreksi/{rate.id}", {"amount": "99.000", "reason": "salah ketik"},
               form_url="/simpanan/transaksi/setor")
    assert r.status_code in (302, 403) and bills() == before and _rates(sysdb, coop_id)[rate.valid_from] == old

    typed = f"Rp {int(new):,}".replace(",", ".")
    r = p.post(f"/simpanan/tarif-wajib/koreksi/{rate.id}", {"amount": typed, "reason": "Salah ketik tarif RAT"},
               form_url=f"/simpanan/tarif-wajib/show/{rate.id}")
    assert r.status_code == 302
    after = bills()
    assert _rates(sysdb, coop_id)[rate.valid_from] == new
    for bill_id, (amount, paid) in before.items():
        if bill_id in open_ids:
            assert after[bill_id] == (new, paid)   # re-priced, what was paid kept
        else:
            assert after[bill_id] == (amount, paid)  # paid bills stay as settled
    event = sysdb.scalars(select(AuditEvent).where(AuditEvent.action == "wajib_rate_correction",
                                                   AuditEvent.record_id == str(rate.id))
                          .order_by(AuditEvent.id.desc())).first()
    assert event is not None and "Salah ketik tarif RAT" in event.after and event.username == "pengurus.kebonjeruk"

    r = p.post(f"/simpanan/tarif-wajib/koreksi/{rate.id}", {"amount": "10.000,50", "reason": "coba sen"},
               form_url=f"/simpanan/tarif-wajib/show/{rate.id}", follow_redirects=True)
    assert "tanpa sen" in r.get_data(as_text=True) and bills() == after

    r = p.post(f"/simpanan/tarif-wajib/koreksi/{rate.id}", {"amount": str(int(old)), "reason": "Kembali ke tarif RAT"},
               form_url=f"/simpanan/tarif-wajib/show/{rate.id}")
    assert r.status_code == 302 and bills() == before
    assert sysdb.scalar(select(func.count(WajibRate.id)).where(WajibRate.cooperative_id == coop_id)) == len(
        _rates(sysdb, coop_id))
