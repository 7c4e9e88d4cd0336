"""Messages of the ledger screens (issue 10.9): the reversal form reads a date typed dd/mm/yyyy (as its own error
message asks), and the buku kas comparison line prints rupiah the one way (Rp70.000, not 70000.00)."""
import re
from decimal import Decimal

from sqlalchemy import select

from app.cooperatives.models import Cooperative
from app.ledger import services
from app.ledger.models import JournalEntry
from tests.conftest import api_token

OWN = "31.73.05.1001"


def _coop(sysdb):
    return sysdb.scalar(select(Cooperative).where(Cooperative.region_code == OWN))


def test_the_reversal_form_accepts_a_date_typed_dd_mm_yyyy(login, client, sysdb):
    coop = _coop(sysdb)
    today = services.local_today(coop)
    r = client.post("/api/v1/journal_entry/post", headers=api_token(client, "pengurus.kebonjeruk"), json={
        "cooperative_id": coop.id, "entry_date": today.isoformat(), "description": "Pendapatan salah catat",
        "lines": [{"account": "kas", "debit": "1000"}, {"account": "419000", "credit": "1000"}]})
    assert r.status_code == 201, r.get_data(as_text=True)
    original_id = r.json["id"]
    s = login("pengurus.kebonjeruk")
    r = s.post(f"/jurnal/balik/{original_id}", {"entry_date": today.strftime("%d/%m/%Y"),
                                                "reason": "salah catat akun"},
               form_url=f"/jurnal/show/{original_id}", follow_redirects=True)
    html = r.get_data(as_text=True)
    # No refusal asking for the date again (the box itself now says dd/mm/yyyy as its placeholder).
    assert "alert-danger" not in html and "Tulis tanggal" not in html
    sysdb.expire_all()
    reversal = sysdb.scalar(select(JournalEntry).where(JournalEntry.reverses_id == original_id))
    assert reversal is not None and reversal.entry_date == today and reversal.total == Decimal("1000.00")


def test_the_buku_kas_comparison_line_prints_rupiah(login, sysdb):
    coop = _coop(sysdb)
    today = services.local_today(coop)
    # the demo's second month of books: its comparison period (the first) has kas movements
    month, year = today.month - 2, today.year
    if month < 1:
        month, year = month + 12, year - 1
    s = login("pengurus.kebonjeruk")
    html = s.get(f"/laporan-keuangan/buku-kas/?koperasi={OWN}&tahun={year}&bulan={month}").get_data(as_text=True)
    line = re.search(r"Periode pembanding [^<]*", html)
    assert line is not None, html[:500]
    text = line.group(0)
    assert re.search(r"saldo awal -?Rp[\d.]+(,\d\d)?, debet Rp[\d.]+(,\d\d)?, kredit Rp[\d.]+(,\d\d)?, "
                     r"saldo akhir -?Rp[\d.]+(,\d\d)?\.", text), text
    assert not re.search(r"\b\d+\.00\b", text), text
