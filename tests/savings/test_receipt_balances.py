"""Issue 10.3 from the user's side: a receipt shows the balances right after its own transaction, a reprint is the
original marked SALINAN, and the passbook line of the transaction shows the same balances."""
import re
from datetime import timedelta
from decimal import Decimal as D

from sqlalchemy import select

from app.savings.models import SavingsProduct, SavingsTransaction
from tests.savings.test_first_wajib_and_today import _activate, _approved_member, _deposit, _form_value


def _receipt_balances(html):
    return [re.search(rf"Saldo {kind}</td><td>:\s*(Rp[\d.]+)", html).group(1)
            for kind in ("pokok", "wajib", "sukarela")]


def _pay(login, member_id, kind, amount, day):
    s = login("sekretaris.kebonjeruk")
    r = s.post("/simpanan/transaksi/setor", {"member": str(member_id), "kind": kind, "amount": amount,
                                             "tx_date": day.strftime("%d/%m/%Y")}, form_url="/simpanan/transaksi/setor")
    assert r.status_code == 302, r.get_data(as_text=True)[-1500:]
    return int(r.headers["Location"].rstrip("/").split("/")[-1])


def test_an_old_pokok_receipt_reprinted_after_later_payments_shows_the_balances_of_its_day_marked_salinan(
        app, login, sysdb):
    from app.core.dates import local_today
    from app.cooperatives.models import Cooperative

    coop = sysdb.scalar(select(Cooperative).where(Cooperative.region_code == "31.73.05.1001"))
    today = local_today(coop)
    member_id, coop_id = _approved_member(app, sysdb, "Wati Kwitansi Lama", today - timedelta(days=4))
    pokok = sysdb.scalar(select(SavingsProduct.amount).where(SavingsProduct.cooperative_id == coop_id,
                                                             SavingsProduct.kind == "pokok"))
    instalments = sysdb.scalar(select(SavingsProduct.instalments).where(SavingsProduct.cooperative_id == coop_id,
                                                                        SavingsProduct.kind == "pokok"))
    first_part = pokok if instalments == 1 else (pokok / 2).quantize(D(1))
    pokok_tx = _pay(login, member_id, "pokok", str(int(first_part)), today - timedelta(days=2))
    s = login("sekretaris.kebonjeruk")
    original = s.get(f"/simpanan/transaksi/kwitansi/{pokok_tx}?ukuran=a5").get_data(as_text=True)
    rp = lambda v: "Rp" + f"{int(v):,}".replace(",", ".")
    assert _receipt_balances(original) == [rp(first_part), "Rp0", "Rp0"]
    assert "SALINAN" not in original
    # switching the paper size on the receipt page is the same print, not a copy
    assert "SALINAN" not in s.get(f"/simpanan/transaksi/kwitansi/{pokok_tx}?ukuran=80&ganti=1").get_data(as_text=True)

    _activate(login, member_id)
    _offered, r = _deposit(login, member_id, "Rp 30.000")  # wajib, months later in the member's life
    assert r.status_code == 302
    _pay(login, member_id, "sukarela", "50.000", today - timedelta(days=3))  # backdated, posted later
    reprint = s.get(f"/simpanan/transaksi/kwitansi/{pokok_tx}?ukuran=a5").get_data(as_text=True)
    assert _receipt_balances(reprint) == [rp(first_part), "Rp0", "Rp0"]  # not today's wajib and sukarela
    assert 'id="receipt-copy"' in reprint and "SALINAN" in reprint
    strip = lambda html: re.sub(r'<div class="copy-mark"[^>]*>.*?</div>\n?', "", html)
    no_nonce = lambda html: " ".join(re.sub(r'nonce="[^"]*"', "", html).split())
    assert no_nonce(strip(reprint)) == no_nonce(original)  # otherwise identical

    # the passbook line of that transaction shows the same balances as its receipt
    book = s.get(f"/simpanan/transaksi/buku/{member_id}").get_data(as_text=True)
    number = sysdb.get(SavingsTransaction, pokok_tx).receipt_number
    row = re.search(rf"(?s)<tr><td>[^<]*</td><td>{number}</td>(.*?)</tr>", book).group(1)
    assert rp(first_part) in row
    lines = re.findall(r"(?s)<tr><td>\d\d/\d\d/\d{4}</td><td>(KW-[\d-]+)</td>", book)
    assert lines[0] == number and len(lines) == 3  # posting order: the pokok first, the backdated sukarela last
