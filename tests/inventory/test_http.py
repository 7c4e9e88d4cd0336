"""The inventory through HTTP, as the demo Petugas of KKMP Lempake: a sale through the API posts, moves the stock
and the books; refusals answer 422 in Indonesian and write nothing; another cooperative's rows answer 404."""
import io
from decimal import Decimal as D

import pytest
from sqlalchemy import func, select

from app.cooperatives.models import Cooperative
from app.inventory.models import Item, ItemHet, ItemPrice, Location, Sale, StockBalance
from app.ledger.models import Account, JournalLine
from tests.conftest import api_token, open_month, period_hold_cost

LEMPAKE, OTHER_CITY = "64.72.05.1003", "35.73.03.1010"


@pytest.fixture(scope="module")
def petugas(app):
    client = app.test_client()
    return client, api_token(client, "petugas.lempake")


def coop_id(sysdb, code):
    return sysdb.scalar(select(Cooperative.id).where(Cooperative.region_code == code))


def gerai(sysdb, code=LEMPAKE):
    return sysdb.scalar(select(Location).where(Location.cooperative_id == coop_id(sysdb, code),
                                               Location.kind == "gerai"))


def item(sysdb, name, code=LEMPAKE):
    return sysdb.scalar(select(Item).where(Item.cooperative_id == coop_id(sysdb, code), Item.name.like(f"{name}%")))


def on_hand(sysdb, item_id, location_id):
    sysdb.expire_all()
    return sysdb.scalar(select(StockBalance.quantity).where(StockBalance.item_id == item_id,
                                                            StockBalance.location_id == location_id))


def sales_count(sysdb):
    sysdb.expire_all()
    return sysdb.scalar(select(func.count(Sale.id)))


def test_a_petugas_sale_through_the_api_posts_moves_the_stock_and_the_books(petugas, sysdb):
    client, headers = petugas
    location, beras = gerai(sysdb), item(sysdb, "Beras SPHP")
    listed = client.get("/api/v1/item/?q=(page_size:100)", headers=headers)
    assert listed.status_code == 200
    assert {r["cooperative_id"] for r in listed.json["result"]} == {coop_id(sysdb, LEMPAKE)}
    before = on_hand(sysdb, beras.id, location.id)
    r = client.post("/api/v1/sale/", headers=headers, json={
        "location_id": location.id, "lines": [{"item_id": beras.id, "quantity": 3}], "paid": "200000",
        "idempotency_key": "http-sale-1"})
    assert r.status_code == 201, r.get_data(as_text=True)
    assert r.json["total"] == "187500.00" and r.json["number"].startswith("PJ-") and r.json["id"]
    assert on_hand(sysdb, beras.id, location.id) == before - 3
    sale = sysdb.get(Sale, r.json["id"])
    lines = dict(sysdb.execute(select(Account.code, JournalLine.debit + JournalLine.credit)
                               .join(Account, Account.id == JournalLine.account_id)
                               .where(JournalLine.entry_id == sale.journal_entry_id)).all())
    assert lines["111000"] == D("187500.00") and lines["411200"] == D("187500.00")
    assert lines["511000"] == lines["114000"] == D("174000.00")  # 3 x Rp58.000, the only receipt's cost
    stock = client.get(f"/api/v1/stock/?q=(filters:!((col:item_id,opr:eq,value:{beras.id})))", headers=headers)
    assert stock.status_code == 200 and D(stock.json["result"][0]["quantity"]) == before - 3
    assert D(stock.json["result"][0]["value"]) == (before - 3) * 58000
    # The same key again: the first sale, never a second one.
    again = client.post("/api/v1/sale/", headers=headers, json={
        "location_id": location.id, "lines": [{"item_id": beras.id, "quantity": 3}], "paid": "200000",
        "idempotency_key": "http-sale-1"})
    assert again.status_code == 201 and again.json["id"] == r.json["id"]
    assert on_hand(sysdb, beras.id, location.id) == before - 3


def test_selling_more_than_on_hand_answers_422_in_indonesian_and_writes_nothing(petugas, sysdb):
    client, headers = petugas
    location, gula = gerai(sysdb), item(sysdb, "Gula pasir")
    before, count = on_hand(sysdb, gula.id, location.id), sales_count(sysdb)
    r = client.post("/api/v1/sale/", headers=headers, json={
        "location_id": location.id, "lines": [{"item_id": gula.id, "quantity": int(before) + 1}],
        "paid": "10000000", "idempotency_key": "http-too-many"})
    assert r.status_code == 422
    assert "tidak cukup" in r.get_data(as_text=True)
    assert on_hand(sysdb, gula.id, location.id) == before and sales_count(sysdb) == count


def test_a_price_over_the_het_answers_422(app, petugas, sysdb):
    client, headers = petugas
    coop = coop_id(sysdb, LEMPAKE)
    minyak = Item(cooperative_id=coop, name="Minyak curah uji HET", unit="liter", category="sembako")
    sysdb.add(minyak)
    sysdb.flush()
    from app.core.dates import local_today
    with app.app_context():
        today = local_today(sysdb.get(Cooperative, coop))
    sysdb.add_all([ItemPrice(cooperative_id=coop, item_id=minyak.id, valid_from=today, member_price=D(17000),
                             public_price=D(17000)),
                   ItemHet(cooperative_id=coop, item_id=minyak.id, region_code="64", valid_from=today,
                           het=D(15000), margin=D(0))])
    sysdb.commit()
    count = sales_count(sysdb)
    r = client.post("/api/v1/sale/", headers=headers, json={
        "location_id": gerai(sysdb).id, "lines": [{"item_id": minyak.id, "quantity": 1}], "paid": "17000",
        "idempotency_key": "http-het"})
    assert r.status_code == 422 and "melebihi HET" in r.get_data(as_text=True)
    assert sales_count(sysdb) == count


def test_lpg_past_the_monthly_cap_answers_422(app, petugas, sysdb, monkeypatch):
    client, headers = petugas
    monkeypatch.setitem(app.config, "LPG_MONTHLY_CAP", 2)
    location, lpg = gerai(sysdb), item(sysdb, "LPG 3 kg")
    body = {"location_id": location.id, "lines": [{"item_id": lpg.id, "quantity": 2}], "paid": "36000",
            "buyer_nik": "6472054507900011", "buyer_segment": "rumah_tangga"}
    r = client.post("/api/v1/sale/", headers=headers, json=dict(body, idempotency_key="http-lpg-1"))
    assert r.status_code == 201, r.get_data(as_text=True)
    assert "6472054507900011" not in r.get_data(as_text=True)
    before = on_hand(sysdb, lpg.id, location.id)
    r = client.post("/api/v1/sale/", headers=headers, json=dict(body, idempotency_key="http-lpg-2",
                                                                lines=[{"item_id": lpg.id, "quantity": 1}]))
    assert r.status_code == 422 and "sudah membeli 2 tabung" in r.get_data(as_text=True)
    assert on_hand(sysdb, lpg.id, location.id) == before
    no_nik = client.post("/api/v1/sale/", headers=headers, json={
        "location_id": location.id, "lines": [{"item_id": lpg.id, "quantity": 1}], "paid": "18000",
        "idempotency_key": "http-lpg-3"})
    assert no_nik.status_code == 422 and "NIK" in no_nik.get_data(as_text=True)


def test_another_cooperatives_items_and_locations_answer_404(petugas, sysdb):
    client, headers = petugas
    foreign_item, foreign_gerai = item(sysdb, "Beras SPHP", OTHER_CITY), gerai(sysdb, OTHER_CITY)
    assert client.get(f"/api/v1/item/{foreign_item.id}", headers=headers).status_code == 404
    assert client.get(f"/api/v1/location/{foreign_gerai.id}", headers=headers).status_code == 404
    count = sales_count(sysdb)
    r = client.post("/api/v1/sale/", headers=headers, json={
        "location_id": gerai(sysdb).id, "lines": [{"item_id": foreign_item.id, "quantity": 1}], "paid": "70000",
        "idempotency_key": "http-foreign-item"})
    assert r.status_code == 404 and "Barang tidak ditemukan" in r.get_data(as_text=True)
    r = client.post("/api/v1/sale/", headers=headers, json={
        "location_id": foreign_gerai.id, "lines": [{"item_id": foreign_item.id, "quantity": 1}], "paid": "70000",
        "idempotency_key": "http-foreign-location"})
    assert r.status_code == 404 and "Lokasi tidak ditemukan" in r.get_data(as_text=True)
    assert sales_count(sysdb) == count


def test_a_petugas_cannot_void_a_sekretaris_can_and_the_stock_comes_back(app, petugas, sysdb):
    client, headers = petugas
    location, minyak = gerai(sysdb), item(sysdb, "Minyak goreng MinyaKita")
    r = client.post("/api/v1/sale/", headers=headers, json={
        "location_id": location.id, "lines": [{"item_id": minyak.id, "quantity": 2}], "paid": "31400",
        "idempotency_key": "http-void-1"})
    assert r.status_code == 201
    after_sale = on_hand(sysdb, minyak.id, location.id)
    assert client.post(f"/api/v1/sale/{r.json['id']}/void", headers=headers,
                       json={"reason": "Salah input"}).status_code == 403
    sek = app.test_client()
    sek_headers = api_token(sek, "sekretaris.lempake")
    v = sek.post(f"/api/v1/sale/{r.json['id']}/void", headers=sek_headers, json={"reason": "Pembeli batal"})
    assert v.status_code == 201, v.get_data(as_text=True)
    assert on_hand(sysdb, minyak.id, location.id) == after_sale + 2
    twice = sek.post(f"/api/v1/sale/{r.json['id']}/void", headers=sek_headers, json={"reason": "Pembeli batal"})
    assert twice.status_code == 422 and "sudah dibatalkan" in twice.get_data(as_text=True)
    assert sek.put(f"/api/v1/sale/{r.json['id']}", headers=sek_headers, json={}).status_code in (403, 405)


def test_the_counter_screen_and_the_receipt_with_the_amount_in_words(login, sysdb):
    s = login("petugas.lempake")
    page = s.get("/persediaan/penjualan/kasir")
    assert page.status_code == 200 and "Barcode atau nama barang" in page.get_data(as_text=True)
    found = s.get(f"/persediaan/penjualan/kasir/barang?q=8991001000011&lokasi={gerai(sysdb).id}").json
    assert found["exact"] and found["results"][0]["name"].startswith("Beras SPHP")
    assert found["results"][0]["public_price"] == "62500.00"
    token = s.token("/persediaan/penjualan/kasir")
    r = s.client.post("/persediaan/penjualan/kasir/simpan?ukuran=80", json={
        "location_id": gerai(sysdb).id, "lines": [{"item_id": found["results"][0]["id"], "quantity": "1"}],
        "paid": "100000", "idempotency_key": "http-counter-1"}, headers={"X-CSRFToken": token})
    assert r.status_code == 201, r.get_data(as_text=True)
    receipt = s.get(r.json["receipt_url"]).get_data(as_text=True)
    assert "Enam puluh dua ribu lima ratus rupiah" in receipt and "37.500" in receipt
    # The clerk reaches no member register and no ledger screen.
    assert s.get("/anggota/list/").status_code in (302, 403)
    assert s.get("/jurnal/list/").status_code in (302, 403, 404)


def test_the_lpg_logbook_masks_every_nik(login, sysdb):
    from openpyxl import load_workbook

    s = login("sekretaris.lempake")
    r = s.get("/persediaan/penjualan/logbook-lpg.xlsx")
    assert r.status_code == 200
    cells = [c for row in load_workbook(io.BytesIO(r.data)).active.iter_rows(values_only=True) for c in row if c]
    assert any(str(c).endswith("0003") and "•" in str(c) for c in cells)
    assert not any("6472054507900003" in str(c) for c in cells)


def test_the_logbook_of_today_is_the_pangkalan_s_own_day_even_when_papua_is_already_on_the_next(
        login, sysdb, monkeypatch):
    """At 15:30 UTC it is 23:30 in Samarinda (WITA) but already the next day in Papua (WIT): the logbook a
    Lempake clerk opens without a date is Samarinda's today and lists the day's LPG sale."""
    from datetime import datetime, time, timezone

    from openpyxl import load_workbook

    import app.core.dates as dates

    day = sysdb.scalar(select(Sale.sale_date).where(Sale.nik == "6472054507900003"))
    assert day is not None
    monkeypatch.setattr(dates, "utc_now", lambda: datetime.combine(day, time(15, 30), timezone.utc))
    r = login("sekretaris.lempake").get("/persediaan/penjualan/logbook-lpg.xlsx")
    assert r.status_code == 200
    assert f"logbook-lpg-{day:%Y-%m-%d}.xlsx" in r.headers["Content-Disposition"]
    cells = [c for row in load_workbook(io.BytesIO(r.data)).active.iter_rows(values_only=True) for c in row if c]
    assert any(str(c).endswith("0003") and "•" in str(c) for c in cells)


def test_a_petugas_sees_their_own_sales_and_the_sekretaris_sees_every_sale_of_the_cooperative(app, petugas, sysdb):
    client, headers = petugas
    mine = client.get("/api/v1/sale/?q=(page_size:100)", headers=headers).json
    sysdb.expire_all()
    lempake = coop_id(sysdb, LEMPAKE)
    everything = sysdb.scalar(select(func.count(Sale.id)).where(Sale.cooperative_id == lempake))
    by_clerk = sysdb.scalar(select(func.count(Sale.id)).where(Sale.cooperative_id == lempake,
                                                              Sale.created_by == "petugas.lempake"))
    assert mine["count"] == by_clerk and 0 < by_clerk < everything  # the demo's own sales were made by "system"
    demo_sale = sysdb.scalar(select(Sale.id).where(Sale.cooperative_id == lempake, Sale.created_by == "system"))
    assert client.get(f"/api/v1/sale/{demo_sale}", headers=headers).status_code == 404
    sek = app.test_client()
    assert sek.get("/api/v1/sale/?q=(page_size:100)", headers=api_token(sek, "sekretaris.lempake")).json["count"] \
        == everything


def test_the_expiry_alert_page_opens_for_the_clerk(login):
    page = login("petugas.lempake").get("/persediaan/stok/kedaluwarsa?hari=30")
    assert page.status_code == 200 and "Peringatan kedaluwarsa" in page.get_data(as_text=True)


def test_a_three_line_sale_is_a_fixed_handful_of_statements(app, petugas, sysdb):
    """The counter's sale of three items: the month's period read once under its share lock, each stock balance
    locked by one statement, every line's item, price, HET and stock read together, within a fixed number of
    statements whatever the number of lines (the kiosk queue waits on it)."""
    from app.core.dates import local_today
    from tests.conftest import sql_statements

    client, headers = petugas
    coop = sysdb.get(Cooperative, coop_id(sysdb, LEMPAKE))
    open_month(sysdb, coop.id, local_today(coop), commit=True)  # the month's first sale has opened it
    location = gerai(sysdb)
    items = [item(sysdb, name) for name in ("Beras SPHP", "Minyak goreng", "Gula pasir")]
    with sql_statements(app) as seen:
        r = client.post("/api/v1/sale/", headers=headers, json={
            "location_id": location.id, "lines": [{"item_id": i.id, "quantity": 1} for i in items],
            "paid": "200000", "idempotency_key": "http-sale-count-1"})
    assert r.status_code == 201, r.get_data(as_text=True)
    work = [s for s in seen if not s.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT",
                                                                   "RELEASE"))]
    assert len([s for s in work if "ledger_period" in s]) == period_hold_cost(app)
    assert len([s for s in work if "inv_stock_balance" in s and s.lstrip().upper().startswith("INSERT")]) == 1
    assert len([s for s in work if s.lstrip().startswith("SELECT inv_item.")]) == 1  # the three items
    # The date an approved stock count fixed is read in the statement that reads the stock's movements.
    counts = [s for s in work if "inv_stock_count" in s]
    assert len(counts) == 1 and "inv_stock_movement" in counts[0], counts
    # PostgreSQL's count (what production runs); SQLite writes some batches a row at a time.
    assert len(work) <= (30 if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql") else 40), len(work)
