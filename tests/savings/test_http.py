"""The savings screens and API through the real app (CSRF on, logged-in demo users)."""
import io
import re
from datetime import date
from decimal import Decimal as D

import pytest
from sqlalchemy import func, select

from app.cooperatives.models import Cooperative
from app.members.models import Member
from app.savings.models import SavingsTransaction
from tests.conftest import api_token

KEBON_JERUK = "31.73.05.1001"


def _member(sysdb, code=KEBON_JERUK, offset=0):
    coop_id = sysdb.scalar(select(Cooperative.id).where(Cooperative.region_code == code))
    return sysdb.scalars(select(Member).where(Member.cooperative_id == coop_id, Member.status == "aktif")
                         .order_by(Member.id.desc()).offset(offset).limit(1)).first()


def _count(sysdb):
    sysdb.expire_all()
    return sysdb.scalar(select(func.count(SavingsTransaction.id)))


def _today():
    return date.today().strftime("%d/%m/%Y")


def test_the_deposit_page_is_small_and_uses_a_searchable_member_picker(login):
    s = login("sekretaris.kebonjeruk")
    r = s.get("/simpanan/transaksi/setor")
    html = r.get_data(as_text=True)
    assert r.status_code == 200
    assert len(r.data) < 60_000
    assert 'data-lookup="/anggota/lookup"' in html and ".select2(" in html
    nonce = re.search(r'<script nonce="([^"]+)">\s*\(function', html)
    assert nonce and nonce.group(1)
    assert "onclick=" not in html and "onsubmit=" not in html
    assert html.count("<option") < 10  # no member list in the page
    lookup = s.get("/anggota/lookup?q=a&aktif=1")
    assert lookup.status_code == 200 and "results" in lookup.json


def test_a_secretary_takes_a_deposit_and_prints_its_receipt_with_the_amount_in_words(login, sysdb):
    member = _member(sysdb)
    s = login("sekretaris.kebonjeruk")
    before = _count(sysdb)
    r = s.post("/simpanan/transaksi/setor", {"member": str(member.id), "kind": "sukarela", "amount": "Rp 1.500.000",
                                             "tx_date": _today(), "note": "<script>alert(1)</script>"},
               form_url="/simpanan/transaksi/setor")
    assert r.status_code == 302, r.get_data(as_text=True)[:2000]
    assert _count(sysdb) == before + 1
    tx = sysdb.scalars(select(SavingsTransaction).order_by(SavingsTransaction.id.desc())).first()
    assert (tx.member_id, tx.kind, tx.direction, tx.amount) == (member.id, "sukarela", "setor", D("1500000.00"))
    assert tx.journal_entry_id is not None and re.fullmatch(r"KW-\d{4}-\d{6}", tx.receipt_number)
    show = s.get(f"/simpanan/transaksi/show/{tx.id}").get_data(as_text=True)
    assert "kwitansi/" in show
    for size, css in (("a5", "size: A5"), ("80", "size: 80mm"), ("58", "size: 58mm")):
        page = s.get(f"/simpanan/transaksi/kwitansi/{tx.id}?ukuran={size}")
        text = page.get_data(as_text=True)
        assert page.status_code == 200 and css in text
        assert "Satu juta lima ratus ribu rupiah" in text and tx.receipt_number in text and "Rp1.500.000" in text
        assert "<script>alert(1)</script>" not in text and "&lt;script&gt;" in text
        assert "http://" not in text and "https://" not in text  # no external assets


@pytest.mark.parametrize("amount", ["0", "-50000", "1,5", "1000.005", "abc", "99999999999", "", "1e12"])
def test_bad_amounts_are_refused_on_the_form_and_nothing_is_written(login, sysdb, amount):
    member = _member(sysdb)
    s = login("sekretaris.kebonjeruk")
    before = _count(sysdb)
    r = s.post("/simpanan/transaksi/setor", {"member": str(member.id), "kind": "sukarela", "amount": amount,
                                             "tx_date": _today()}, form_url="/simpanan/transaksi/setor")
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    assert "field-error" in html and "Jumlah" in html
    assert f'value="{member.id}" selected' in html  # the typed form comes back
    assert _count(sysdb) == before


def test_withdrawing_more_sukarela_than_the_balance_is_refused_with_the_balance(login, sysdb):
    member = _member(sysdb, offset=1)
    s = login("sekretaris.kebonjeruk")
    before = _count(sysdb)
    r = s.post("/simpanan/transaksi/tarik", {"member": str(member.id), "kind": "sukarela", "amount": "900.000.000",
                                             "tx_date": _today()}, form_url="/simpanan/transaksi/tarik")
    assert r.status_code == 422 and "Saldo simpanan sukarela tidak cukup" in r.get_data(as_text=True)
    assert _count(sysdb) == before


def test_a_lurah_sees_the_arrears_with_whatsapp_links_but_cannot_take_deposits(login, sysdb):
    s = login("lurah.kebonjeruk")
    r = s.get("/simpanan/transaksi/tunggakan")
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and "https://wa.me/62" in html
    assert "Lempake" not in html and "Cemorokandang" not in html  # only the lurah's kelurahan
    xlsx = s.get("/simpanan/transaksi/tunggakan/xlsx")
    assert xlsx.status_code == 200 and xlsx.data[:2] == b"PK"
    member = _member(sysdb)
    before = _count(sysdb)
    assert s.get("/simpanan/transaksi/setor").status_code in (302, 403)
    token = s.token("/")
    r = s.client.post("/simpanan/transaksi/setor", data={"csrf_token": token, "member": str(member.id),
                                                          "kind": "sukarela", "amount": "10000",
                                                          "tx_date": _today(), "idempotency_key": "lurah-1"})
    assert r.status_code in (302, 403)
    assert _count(sysdb) == before


def test_the_passbook_is_shown_and_exported_to_excel(login, sysdb):
    from openpyxl import load_workbook

    member = _member(sysdb)
    s = login("pengurus.kebonjeruk")
    page = s.get(f"/simpanan/transaksi/buku/{member.id}")
    assert page.status_code == 200 and member.name in page.get_data(as_text=True)
    r = s.get(f"/simpanan/transaksi/buku/{member.id}/xlsx")
    assert r.status_code == 200
    cells = [c for row in load_workbook(io.BytesIO(r.data)).active.iter_rows(values_only=True) for c in row if c]
    assert any(member.name in str(c) for c in cells)
    other = _member(sysdb, "35.73.03.1010")
    assert s.get(f"/simpanan/transaksi/buku/{other.id}").status_code == 404


def test_the_api_takes_a_deposit_with_the_same_rules_and_refuses_edits(client, sysdb):
    member = _member(sysdb, offset=2)
    headers = api_token(client, "sekretaris.kebonjeruk")
    before = _count(sysdb)
    body = {"member_id": member.id, "kind": "sukarela", "direction": "setor", "amount": "25.000",
            "tx_date": date.today().isoformat(), "idempotency_key": "api-test-1"}
    r = client.post("/api/v1/savings_transaction/", json=body, headers=headers)
    assert r.status_code == 201, r.json
    assert r.json["result"]["amount"] == "25000.00"
    again = client.post("/api/v1/savings_transaction/", json=body, headers=headers)
    assert again.status_code == 201 and again.json["id"] == r.json["id"]
    assert _count(sysdb) == before + 1
    for bad in ({"amount": "0"}, {"amount": 1.5}, {"amount": "-5"}, {"tx_date": "2999-01-01"},
                {"direction": "x"}, {"kind": "pokok", "direction": "tarik"}):
        r2 = client.post("/api/v1/savings_transaction/", json=dict(body, idempotency_key="api-bad", **bad),
                         headers=headers)
        assert r2.status_code == 422, (bad, r2.json)
    foreign = _member(sysdb, "35.73.03.1010")
    r3 = client.post("/api/v1/savings_transaction/", json=dict(body, member_id=foreign.id,
                                                               idempotency_key="api-foreign"), headers=headers)
    assert r3.status_code == 422
    assert _count(sysdb) == before + 1
    assert client.put(f"/api/v1/savings_transaction/{r.json['id']}", json={"amount": "1"},
                      headers=headers).status_code in (403, 405)
    assert client.delete(f"/api/v1/savings_transaction/{r.json['id']}", headers=headers).status_code in (403, 405)
    lurah = api_token(client, "lurah.kebonjeruk")
    assert client.post("/api/v1/savings_transaction/", json=dict(body, idempotency_key="api-l"),
                       headers=lurah).status_code == 403
    assert _count(sysdb) == before + 1


def test_the_board_generates_bills_and_a_secretary_may_not(login, sysdb):
    s = login("sekretaris.kebonjeruk")
    r = s.post("/simpanan/tagihan-wajib/buat", {"month": "1", "year": "2026"}, form_url="/simpanan/tagihan-wajib/list/")
    assert r.status_code in (302, 403)
    p = login("pengurus.kebonjeruk")
    today = date.today()
    r = p.post("/simpanan/tagihan-wajib/buat", {"month": str(today.month), "year": str(today.year)},
               form_url="/simpanan/tagihan-wajib/list/")
    assert r.status_code == 302
    r = p.post("/simpanan/tagihan-wajib/buat", {"month": str(today.month), "year": str(today.year)},
               form_url="/simpanan/tagihan-wajib/list/", follow_redirects=True)
    assert "0 tagihan simpanan wajib dibuat" in r.get_data(as_text=True)


def test_the_board_sets_a_wajib_rate_from_a_month_and_a_secretary_may_not(login, sysdb):
    from app.savings.models import WajibRate

    coop_id = sysdb.scalar(select(Cooperative.id).where(Cooperative.region_code == KEBON_JERUK))
    count = lambda: sysdb.scalar(select(func.count(WajibRate.id)).where(WajibRate.cooperative_id == coop_id))
    before = count()
    s = login("sekretaris.kebonjeruk")
    assert s.get("/simpanan/tarif-wajib/add").status_code in (302, 403)
    p = login("pengurus.kebonjeruk")
    nxt = date(date.today().year + (date.today().month == 12), date.today().month % 12 + 1, 15)
    r = p.post("/simpanan/tarif-wajib/add", {"cooperative": str(coop_id), "valid_from": nxt.isoformat(),
                                             "amount": "0", "decided_on": ""}, form_url="/simpanan/tarif-wajib/add")
    sysdb.expire_all()
    assert count() == before  # zero refused
    r = p.post("/simpanan/tarif-wajib/add", {"cooperative": str(coop_id), "valid_from": nxt.isoformat(),
                                             "amount": "20000", "decided_on": ""}, form_url="/simpanan/tarif-wajib/add")
    assert r.status_code == 302, r.get_data(as_text=True)[-2000:]
    sysdb.expire_all()
    assert count() == before + 1
    row = sysdb.scalars(select(WajibRate).where(WajibRate.cooperative_id == coop_id)
                        .order_by(WajibRate.valid_from.desc())).first()
    assert row.valid_from == nxt.replace(day=1) and row.amount == D("20000.00")
    assert p.get(f"/simpanan/tarif-wajib/edit/{row.id}").status_code == 404  # rates are never edited
