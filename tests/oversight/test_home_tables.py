"""The home pages' tables and the RAT status on them: every table and every figure's list exports as xlsx and CSV
within the reader's area; the Petugas has a home page of his own with the figures registered for his role."""
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from app.cooperatives.models import Cooperative
from app.core.dates import local_today
from app.shu.models import RatMeeting
from tests.conftest import api_token


def _rows(response):
    """The sheet from its header row on (the title line above it left out)."""
    wb = load_workbook(io.BytesIO(response.data), read_only=True)
    rows = [list(r) for r in wb.worksheets[0].iter_rows(values_only=True)]
    while rows and sum(1 for c in rows[0] if c not in (None, "")) < 2:
        rows.pop(0)
    return rows


def _sell_one_today(app, username, coop_id):
    """One plain item (not LPG, no batch) sold today at a gerai of the cooperative, as ``username`` through the
    counter's service: the home's figures of "today" then have a sale to show whenever the suite runs, also after
    the local midnight that passes between the demo's seeding and this test."""
    import uuid
    from decimal import Decimal

    from flask_login import login_user

    from app.extensions import db
    from app.core.scope import reset_cached_scope
    from app.inventory import services
    from app.inventory.models import Item, Location, StockBalance

    with app.test_request_context("/"):
        user = app.appbuilder.sm.find_user(username=username)
        login_user(user)
        reset_cached_scope()
        session = db.session
        try:
            balance = session.execute(
                select(StockBalance.item_id, StockBalance.location_id)
                .join(Item, Item.id == StockBalance.item_id).join(Location, Location.id == StockBalance.location_id)
                .where(StockBalance.cooperative_id == coop_id, StockBalance.quantity >= 1, Location.kind == "gerai",
                       Item.category == "sembako", Item.tracks_batch.is_(False), Item.active.is_(True))
                .order_by(StockBalance.quantity.desc()).limit(1)).one()
            services.do_sell(session, location=balance.location_id, lines=[{"item_id": balance.item_id,
                                                                           "quantity": 1}],
                             paid=Decimal(10_000_000), idempotency_key=uuid.uuid4().hex, acting_user=user)
            session.commit()
        finally:
            session.rollback()
            db.session.remove()


def test_the_sudin_exports_the_rat_status_table_of_his_city_only(app, login, sysdb):
    s = login("sudin.jakbar")
    home = s.get("/").get_data(as_text=True)
    assert 'id="table-rat_status"' in home and 'id="export-rat_status-xlsx"' in home
    r = s.get("/beranda/tabel/rat_status/unduh/xlsx")
    assert r.status_code == 200
    rows = _rows(r)
    names = {row[0] for row in rows[1:] if row and row[0]}
    city = set(sysdb.scalars(select(Cooperative.name).where(Cooperative.city_code == "31.73")))
    assert names == city
    assert "KKMP Lempake" not in " ".join(names) and "Cemorokandang" not in " ".join(names)
    csv = s.get("/beranda/tabel/rat_status/unduh/csv")
    assert csv.status_code == 200 and csv.headers["Content-Type"].startswith("text/csv")
    assert csv.get_data(as_text=True).count("\n") == len(city) + 1


def test_the_rat_figures_of_the_area_count_the_cooperatives_of_their_lists(app, login, sysdb):
    client = app.test_client()
    figures = {f["key"]: f for f in client.get("/api/v1/dashboard/", headers=api_token(client, "camat.kebonjeruk"))
               .json["figures"]}
    coop_ids = set(sysdb.scalars(select(Cooperative.id).where(Cooperative.district_code == "31.73.05")))
    year = local_today(None).year - 1
    held = sysdb.scalar(select(func.count(RatMeeting.id)).where(
        RatMeeting.cooperative_id.in_(coop_ids), RatMeeting.year == year,
        RatMeeting.status.in_(("dilaksanakan", "dilaporkan", "diverifikasi"))))
    assert figures["rat_held"]["value"] == str(held)
    late = local_today(None) > RatMeeting(year=year).deadline
    assert figures["rat_overdue"]["value"] == str(len(coop_ids) - held if late else 0)
    s = login("camat.kebonjeruk")
    for key in ("rat_held", "rat_verified", "rat_overdue"):
        page = s.get(figures[key]["link"]).get_data(as_text=True)
        assert f'id="detail-total">{figures[key]["value"]}<' in page
    assert "rat_held" not in {f["key"] for f in client.get(
        "/api/v1/dashboard/", headers=api_token(client, "pengurus.kebonjeruk")).json["figures"]}


def test_the_pengurus_sees_his_rat_status_with_the_deadline_linked_to_the_rat_package(app, login, sysdb):
    coop = sysdb.scalar(select(Cooperative).where(Cooperative.region_code == "31.73.05.1001"))
    year = local_today(coop).year - 1
    home = login("pengurus.kebonjeruk").get("/").get_data(as_text=True)
    assert f'href="/shu/{coop.id}/{year}/rat"' in home
    assert f"{year}: Disiapkan (batas 30/06/{year + 1})" in home


def test_every_figure_list_exports_the_same_rows_as_xlsx_and_csv(app, login):
    s = login("lurah.kebonjeruk")
    page = s.get("/beranda/rincian/coops").get_data(as_text=True)
    assert 'id="detail-xlsx"' in page
    rows = _rows(s.get("/beranda/rincian/coops/unduh/xlsx"))
    assert rows[0] == ["Data", "Koperasi"] and len(rows) == 2 and rows[1][0] == "31.73.05.1001"
    assert s.get("/beranda/rincian/coops/unduh/csv").get_data(as_text=True).count("\n") == 2
    assert s.get("/beranda/rincian/coops/unduh/pdf").status_code == 404
    assert s.get("/beranda/tabel/sales_today/unduh/xlsx").status_code == 404  # not a table of the Lurah's page
    assert login("sekretaris.kebonjeruk").get("/beranda/rincian/nib/unduh/xlsx").status_code == 404


def test_the_petugas_home_shows_todays_sales_per_gerai_and_the_figures_registered_for_his_role(app, login, sysdb):
    from app.inventory.models import Sale
    from app.oversight import home

    coop = sysdb.scalar(select(Cooperative).where(Cooperative.region_code == "64.72.05.1003"))
    _sell_one_today(app, "petugas.lempake", coop.id)  # the demo's sales of "today" end at its midnight
    today = local_today(coop)
    total = sysdb.scalar(select(func.sum(Sale.total)).where(Sale.cooperative_id == coop.id, Sale.sale_date == today,
                                                            Sale.voided_at.is_(None)))
    assert total > 0
    home.register_figure("test_counter", "Uji gerai", lambda hs: len(hs.coop_ids), ("Petugas",))
    try:
        s = login("petugas.lempake")
        page = s.get("/").get_data(as_text=True)
        assert 'data-role="Petugas"' in page and 'id="fig-test_counter"' in page
        assert 'id="table-sales_today"' in page
        rows = _rows(s.get("/beranda/tabel/sales_today/unduh/xlsx"))
        assert sum(row[2] for row in rows[1:]) == total
        client = app.test_client()
        figures = client.get("/api/v1/dashboard/", headers=api_token(client, "petugas.lempake")).json["figures"]
        assert [f["value"] for f in figures if f["key"] == "test_counter"] == ["1"]
        assert "deposits_today" not in {f["key"] for f in figures}
    finally:
        home._REGISTRY.pop("test_counter", None)


def test_the_pengurus_home_shows_todays_kiosk_sales_and_the_stock_alerts_of_his_cooperative(app, sysdb):
    """The board sees what the kiosks sold today (rupiah, not voided), how many items are below their minimum and
    the batches expiring within 30 days, beside the books: the same figures as the Sekretaris of the cooperative."""
    from app.core.formatting import rupiah
    from app.inventory.models import Sale

    coop = sysdb.scalar(select(Cooperative).where(Cooperative.region_code == "31.73.05.1001"))
    total = sysdb.scalar(select(func.coalesce(func.sum(Sale.total), 0)).where(
        Sale.cooperative_id == coop.id, Sale.sale_date == local_today(coop), Sale.voided_at.is_(None)))
    seen = {}
    for user in ("pengurus.kebonjeruk", "sekretaris.kebonjeruk"):
        client = app.test_client()
        figures = {f["key"]: f for f in client.get("/api/v1/dashboard/", headers=api_token(client, user)).json[
            "figures"]}
        assert {"inv_sales_today", "inv_below_minimum", "inv_expiring"} <= set(figures), user
        assert figures["inv_sales_today"]["value"] == rupiah(total)
        seen[user] = {k: figures[k]["value"] for k in ("inv_sales_today", "inv_below_minimum", "inv_expiring")}
    assert seen["pengurus.kebonjeruk"] == seen["sekretaris.kebonjeruk"]


@pytest.mark.parametrize("username", ["sudin.jakbar", "pengurus.kebonjeruk", "petugas.lempake"])
def test_every_table_on_a_home_page_has_its_xlsx_and_csv_export(app, login, username):
    import re

    s = login(username)
    page = s.get("/").get_data(as_text=True)
    tables = re.findall(r'id="export-([a-z_]+)-xlsx"', page)
    assert tables
    for key in tables:
        for fmt in ("xlsx", "csv"):
            assert s.get(f"/beranda/tabel/{key}/unduh/{fmt}").status_code == 200, (username, key, fmt)


@pytest.mark.parametrize("username, area", [("sudin.jakbar", Cooperative.city_code == "31.73"),
                                            ("lurah.kebonjeruk", Cooperative.region_code == "31.73.05.1001")])
def test_the_weekly_turnover_per_cooperative_is_the_areas_kiosk_sales_of_the_last_seven_days(
        app, login, sysdb, username, area):
    """The Sudin and the Lurah read each cooperative's kiosk sales of the last seven days (not voided) of their
    area only, as its export gives them; their sum is the area's sales of those days."""
    from datetime import timedelta

    from app.inventory.models import Sale

    today = local_today(sysdb.scalar(select(Cooperative).where(area).limit(1)))
    ids = set(sysdb.scalars(select(Cooperative.id).where(area)))
    expected = sysdb.scalar(select(func.coalesce(func.sum(Sale.total), 0)).where(
        Sale.cooperative_id.in_(ids), Sale.sale_date >= today - timedelta(days=6), Sale.sale_date <= today,
        Sale.voided_at.is_(None)))
    s = login(username)
    assert 'id="table-weekly_turnover"' in s.get("/").get_data(as_text=True)
    rows = _rows(s.get("/beranda/tabel/weekly_turnover/unduh/xlsx"))
    names = set(sysdb.scalars(select(Cooperative.name).where(area)))
    assert {row[0] for row in rows[1:]} <= names
    assert sum(row[2] for row in rows[1:]) == expected
    # (no "> 0" here: earlier tests of the session may have voided the demo's sale of today)
    assert 'id="table-weekly_turnover"' not in login("sekretaris.kebonjeruk").get("/").get_data(as_text=True)


def test_dates_in_the_home_tables_read_day_month_year(app, login):
    """The RAT table's deadline reads 30/06/2026 as everywhere else in the app, not 2026-06-30."""
    import re

    html = login("sudin.jakbar").get("/").get_data(as_text=True)
    table = html[html.index('id="table-rat_status"'):]
    table = table[:table.index("</table>")]
    assert re.search(r"<td>30/06/\d{4}</td>", table) and not re.search(r"\d{4}-\d{2}-\d{2}", table)


def test_the_weekly_turnover_counts_this_weeks_sales_beside_last_weeks_and_leaves_out_voids_and_older_sales(app):
    """A cooperative that sold Rp30.000 today and Rp15.000 six days ago (this week), Rp15.000 ten days ago (the
    week before), Rp99.000 twenty days ago (outside the fortnight) and a voided Rp15.000 today reads: 2 sales,
    Rp45.000 this week, Rp20.000 the week before. Another cooperative of the reader's area with no sale is not
    listed; a cooperative outside the area is not listed even with sales."""
    from decimal import Decimal as D

    from app.core.scope import system_scope
    from app.extensions import db
    from app.inventory import services
    from app.oversight.home import HomeScope
    from app.oversight.tables import _weekly_turnover
    from tests.inventory.conftest import PENGURUS, Shop, fresh_coop, today_of

    with app.app_context(), system_scope():
        session = db.session
        try:
            shop, quiet = Shop(session, fresh_coop(session)), fresh_coop(session)
            outside = Shop(session, fresh_coop(session))
            beras = shop.item("Beras", 15000, 15000)
            shop.receive(beras, 20, 10000, back=25)
            shop.sell([(beras, 2)], paid=D(30000))
            shop.sell([(beras, 1)], paid=D(15000), back=6)
            shop.sell([(beras, 1)], paid=D(15000), back=10)
            shop.sell([(beras, 6)], paid=D(90000), back=20)
            voided = shop.sell([(beras, 1)], paid=D(15000))
            services.do_void_sale(session, sale=voided, reason="Salah input barang", acting_user=PENGURUS)
            gula = outside.item("Gula", 12000, 12000)
            outside.receive(gula, 5, 9000, back=3)
            outside.sell([(gula, 1)], paid=D(12000))
            hs = HomeScope(session=session, user=None, role="Camat", coop_ids=(shop.coop.id, quiet.id),
                           today=today_of(shop.coop))
            rows = list(_weekly_turnover(hs))
        finally:
            session.rollback()
            db.session.remove()
    assert rows == [[shop.coop.name, 2, D("45000.00"), D("15000.00")]]
