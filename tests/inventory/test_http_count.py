"""Stok opname, supplier payments, transfers, reports and the LPG buyer's NIK through HTTP, as the demo users."""
import io
from decimal import Decimal as D

from sqlalchemy import select

from app.core.audit import AuditEvent
from app.inventory.models import GoodsReceipt, Location, Sale, StockCount, StockCountLine, SupplierPayment

from .test_http import LEMPAKE, coop_id, gerai

KEBON_JERUK = "31.73.05.1001"


def _gudang(sysdb, code):
    return sysdb.scalar(select(Location).where(Location.cooperative_id == coop_id(sysdb, code),
                                               Location.kind == "gudang"))


def test_the_count_sheet_prints_and_downloads_and_a_petugas_cannot_approve(login, sysdb):
    from openpyxl import load_workbook

    count = sysdb.scalar(select(StockCount).where(StockCount.location_id == gerai(sysdb).id))
    s = login("petugas.lempake")
    sheet = s.get(f"/persediaan/opname/lembar/{count.id}")
    assert sheet.status_code == 200 and "Lembar stok opname" in sheet.get_data(as_text=True)
    xlsx = s.get(f"/persediaan/opname/lembar/{count.id}.xlsx")
    cells = [c for row in load_workbook(io.BytesIO(xlsx.data)).active.iter_rows(values_only=True) for c in row if c]
    assert "Hitungan pertama" in cells and any(str(c).startswith("Beras SPHP") for c in cells)
    r = s.client.post(f"/persediaan/opname/setujui/{count.id}",
                      data={"csrf_token": s.token(f"/persediaan/opname/hitung/{count.id}")})
    assert r.status_code in (302, 403) and "/setujui" not in r.headers.get("Location", "")
    sysdb.expire_all()
    assert sysdb.get(StockCount, count.id).status == "dihitung"


def test_a_count_is_opened_counted_and_approved_by_the_pengurus_through_the_screens(login, sysdb):
    gudang = _gudang(sysdb, KEBON_JERUK)
    s = login("sekretaris.kebonjeruk")
    r = s.post("/persediaan/opname/buka", {"location": str(gudang.id)}, form_url="/persediaan/opname/buka")
    assert r.status_code == 302, r.get_data(as_text=True)[:3000]
    count_url = r.headers["Location"]
    count = sysdb.scalar(select(StockCount).where(StockCount.location_id == gudang.id)
                         .order_by(StockCount.id.desc()))
    lines = sysdb.scalars(select(StockCountLine).where(StockCountLine.count_id == count.id)).all()
    form = {f"first_{line.id}": str(int(line.book_quantity)) for line in lines}
    form["round"] = "1"
    assert s.post(count_url, form, form_url=count_url).status_code == 302
    bad = s.post(count_url, {"round": "1", f"first_{lines[0].id}": "-3"}, form_url=count_url)
    assert bad.status_code == 422 and "tidak boleh negatif" in bad.get_data(as_text=True)
    assert "count-approve" not in s.get(count_url).get_data(as_text=True)  # the Sekretaris does not approve
    p = login("pengurus.kebonjeruk")
    page = p.get(count_url).get_data(as_text=True)
    assert "count-approve" in page
    r = p.post(f"/persediaan/opname/setujui/{count.id}", {}, form_url=count_url)
    assert r.status_code == 302
    sysdb.expire_all()
    assert sysdb.get(StockCount, count.id).status == "disetujui"
    assert "Disetujui" in p.get(count_url).get_data(as_text=True)


def test_a_supplier_is_paid_through_the_screen_and_overpaying_is_refused_in_indonesian(login, sysdb):
    receipt = sysdb.scalar(select(GoodsReceipt).where(GoodsReceipt.cooperative_id == coop_id(sysdb, LEMPAKE),
                                                      GoodsReceipt.payment == "kredit"))
    s = login("sekretaris.lempake")
    url = f"/persediaan/bayar-pemasok/bayar/{receipt.id}"
    assert "Sisa utang" in s.get(url).get_data(as_text=True)
    too_much = s.post(url, {"amount": "999.999.999"}, form_url=url)
    assert too_much.status_code == 422 and "Sisa utang penerimaan" in too_much.get_data(as_text=True)
    assert s.post(url, {"amount": "1.000"}, form_url=url).status_code == 302
    sysdb.expire_all()
    paid = sysdb.scalars(select(SupplierPayment.amount).where(SupplierPayment.receipt_id == receipt.id)).all()
    assert D("1000.00") in paid
    assert login("petugas.lempake").get(url).status_code in (302, 403)


def test_the_reports_open_and_stream_for_the_sekretaris_but_not_for_the_petugas(login):
    s = login("sekretaris.lempake")
    for path in ("stok-minimum", "rekap-penjualan", "rekap-penjualan?per=pekan", "penjualan-anggota", "margin"):
        page = s.get(f"/persediaan/laporan/{path}")
        assert page.status_code == 200, path
    recap = s.get("/persediaan/laporan/rekap-penjualan").get_data(as_text=True)
    assert "Gerai Lempake" in recap
    csv = s.get("/persediaan/laporan/margin.csv")
    assert csv.status_code == 200 and csv.headers["Content-Type"].startswith("text/csv")
    assert "Laba kotor" in csv.get_data(as_text=True)
    assert s.get("/persediaan/laporan/stok-minimum.xlsx").data[:2] == b"PK"
    assert login("petugas.lempake").get("/persediaan/laporan/margin").status_code in (302, 403)


def test_the_lpg_buyers_nik_is_revealed_only_on_purpose_and_the_reveal_is_audited(login, sysdb):
    sale = sysdb.scalar(select(Sale).where(Sale.cooperative_id == coop_id(sysdb, LEMPAKE), Sale.nik.is_not(None)))
    s = login("sekretaris.lempake")
    show = s.get(f"/persediaan/penjualan/show/{sale.id}").get_data(as_text=True)
    assert sale.nik not in show and "sale-reveal-nik" in show
    r = s.post(f"/persediaan/penjualan/nik/{sale.id}", {}, form_url=f"/persediaan/penjualan/show/{sale.id}")
    assert r.status_code == 200 and sale.nik in r.get_data(as_text=True)
    assert r.headers["Cache-Control"] == "no-store"
    sysdb.expire_all()
    assert sysdb.scalar(select(AuditEvent.id).where(AuditEvent.action == "nik_reveal",
                                                    AuditEvent.table_name == "inv_sale",
                                                    AuditEvent.record_id == str(sale.id))) is not None
    clerk = login("petugas.lempake")
    assert sale.nik not in clerk.get(f"/persediaan/penjualan/show/{sale.id}").get_data(as_text=True)
    r = clerk.client.post(f"/persediaan/penjualan/nik/{sale.id}", data={"csrf_token": clerk.token("/")})
    assert r.status_code in (302, 403) and sale.nik not in r.get_data(as_text=True)


def test_a_transfer_between_the_gudang_and_the_gerai_through_the_screen(login, sysdb):
    from app.inventory.models import Item, StockBalance

    lempake = coop_id(sysdb, LEMPAKE)
    shop, store = gerai(sysdb), _gudang(sysdb, LEMPAKE)
    gula = sysdb.scalar(select(Item).where(Item.cooperative_id == lempake, Item.name.like("Gula%")))
    s = login("petugas.lempake")
    url = "/persediaan/kartu-stok/pindah"
    r = s.post(url, {"source": str(shop.id), "target": str(store.id), "item_id_0": str(gula.id),
                     "quantity_0": "2"}, form_url=url)
    assert r.status_code == 302, r.get_data(as_text=True)[:3000]
    sysdb.expire_all()
    assert sysdb.scalar(select(StockBalance.quantity).where(StockBalance.item_id == gula.id,
                                                            StockBalance.location_id == store.id)) == D("2.000")
    same = s.post(url, {"source": str(shop.id), "target": str(shop.id), "item_id_0": str(gula.id),
                        "quantity_0": "1"}, form_url=url)
    assert same.status_code == 422 and "harus berbeda" in same.get_data(as_text=True)


def test_the_stock_card_of_an_item_downloads_with_its_balance_after_every_movement(login, sysdb):
    from openpyxl import load_workbook

    from app.inventory.models import Item

    beras = sysdb.scalar(select(Item).where(Item.cooperative_id == coop_id(sysdb, LEMPAKE),
                                            Item.name.like("Beras SPHP%")))
    s = login("sekretaris.lempake")
    r = s.get(f"/persediaan/kartu-stok/export/xlsx?barang={beras.id}&lokasi={gerai(sysdb).id}")
    assert r.status_code == 200
    rows = [row for row in load_workbook(io.BytesIO(r.data)).active.iter_rows(values_only=True)]
    card = [row for row in rows if row and row[3] == beras.name]
    assert card and all(row[4] == gerai(sysdb).name for row in card)
    first = card[0]
    assert D(str(first[5])) == D("75") and D(str(first[7])) == D("75")  # the demo receipt: in 75, balance 75
    assert s.get(f"/persediaan/kartu-stok/export/csv?barang={beras.id}").status_code == 200
