"""Printing from a phone: receipts, the passbook, the arrears and the ledger reports carry a print button; a
receipt's paper size is A5 or the roll width (never the browser's Letter); the receipt is signed with the clerk's
full name, never a login name or "system"."""
import re
from datetime import date

from sqlalchemy import select

from app.cooperatives.models import Cooperative
from app.members.models import Member
from app.savings.models import SavingsTransaction

KEBON_JERUK = "31.73.05.1001"
PRINT_BUTTON = re.compile(r'<button type="button"[^>]*data-kkmp-print[^>]*>.*?Cetak', re.S)


def _member(sysdb):
    coop_id = sysdb.scalar(select(Cooperative.id).where(Cooperative.region_code == KEBON_JERUK))
    return sysdb.scalars(select(Member).where(Member.cooperative_id == coop_id, Member.status == "aktif")
                         .order_by(Member.id)).first()


def _deposit(s, sysdb, member):
    r = s.post("/simpanan/transaksi/setor", {"member": str(member.id), "kind": "sukarela", "amount": "25.000",
                                             "tx_date": date.today().strftime("%d/%m/%Y")},
               form_url="/simpanan/transaksi/setor")
    assert r.status_code == 302, r.get_data(as_text=True)[:500]
    sysdb.expire_all()
    return sysdb.scalars(select(SavingsTransaction).order_by(SavingsTransaction.id.desc())).first()


def _signatures(html):
    return [name.strip() for name in re.findall(r'<div class="line">([^<]*)</div>', html)]


def test_a_receipt_is_signed_with_the_clerks_full_name_and_has_a_print_button_and_paper_sizes(login, sysdb):
    member = _member(sysdb)
    s = login("sekretaris.kebonjeruk")
    tx = _deposit(s, sysdb, member)
    assert tx.created_by == "sekretaris.kebonjeruk"
    for size, page_rule in (("a5", "@page { size: A5 portrait"), ("80", "@page { size: 80mm 180mm"),
                            ("58", "@page { size: 58mm 200mm")):
        html = s.get(f"/simpanan/transaksi/kwitansi/{tx.id}?ukuran={size}").get_data(as_text=True)
        assert PRINT_BUTTON.search(html), size
        assert page_rule in html and "mm auto" not in html, size
        assert _signatures(html) == ["Sekretaris KKMP Kebon Jeruk", member.name], size
        assert "Ctrl+P" not in html
        assert ('data-kkmp-roll="%s"' % size in html) == (size != "a5")


def test_a_receipt_written_by_the_system_leaves_the_clerks_line_blank_to_sign_by_hand(login, sysdb):
    tx = sysdb.scalars(select(SavingsTransaction).where(SavingsTransaction.created_by == "system")
                       .order_by(SavingsTransaction.id)).first()
    html = login("pengurus.kebonjeruk").get(f"/simpanan/transaksi/kwitansi/{tx.id}").get_data(as_text=True)
    signatures = _signatures(html)
    assert "system" not in signatures and "" in signatures and tx.member.name in signatures


def test_the_passbook_the_arrears_and_every_ledger_report_have_a_print_button(login, sysdb):
    s = login("pengurus.kebonjeruk")
    pages = [f"/simpanan/transaksi/buku/{_member(sysdb).id}", "/simpanan/transaksi/tunggakan",
             "/laporan-keuangan/neraca-saldo/", "/laporan-keuangan/posisi-keuangan/",
             "/laporan-keuangan/buku-kas/", "/laporan-keuangan/hasil-usaha/"]
    for url in pages:
        r = s.get(url)
        assert r.status_code == 200 and PRINT_BUTTON.search(r.get_data(as_text=True)), url
    html = login("sudin.jakbar").get("/laporan-konsolidasi/").get_data(as_text=True)
    assert PRINT_BUTTON.search(html)
