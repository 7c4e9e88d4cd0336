"""The home page per role: each figure counts the reader's own area only, and equals the list it links to."""
import re

import pytest
from sqlalchemy import func, select

from app.cooperatives.models import Cooperative
from app.members.models import Member
from tests.conftest import api_token

AREA = {"lurah.kebonjeruk": Cooperative.region_code == "31.73.05.1001",
        "camat.kebonjeruk": Cooperative.district_code == "31.73.05",
        "sudin.jakbar": Cooperative.city_code == "31.73",
        "pengurus.kebonjeruk": Cooperative.region_code == "31.73.05.1001",
        "sekretaris.kebonjeruk": Cooperative.region_code == "31.73.05.1001"}
ROLES = sorted(AREA) + ["admin"]


def _figures(app, username):
    client = app.test_client()
    r = client.get("/api/v1/dashboard/", headers=api_token(client, username))
    assert r.status_code == 200, r.get_data(as_text=True)
    return {f["key"]: f for f in r.json["figures"]}, r.json


def _area_ids(sysdb, username):
    return set(sysdb.scalars(select(Cooperative.id).where(AREA[username])))


@pytest.mark.parametrize("username", sorted(AREA))
def test_the_dashboard_api_counts_the_callers_own_area_only(app, sysdb, username):
    figures, body = _figures(app, username)
    ids = _area_ids(sysdb, username)
    for key, sex in (("members_l", "L"), ("members_p", "P")):
        expected = sysdb.scalar(select(func.count(Member.id)).where(Member.cooperative_id.in_(ids),
                                                                    Member.status == "aktif", Member.sex == sex))
        assert figures[key]["value"] == str(expected), (username, key)
    if username in ("lurah.kebonjeruk", "camat.kebonjeruk", "sudin.jakbar"):
        assert figures["coops"]["value"] == str(len(ids))
        with_nib = sysdb.scalar(select(func.count(Cooperative.id)).where(AREA[username], Cooperative.nib.isnot(None)))
        assert figures["nib"]["value"] == str(with_nib)
        assert "deposits_today" not in figures
    else:
        assert "coops" not in figures and "deposits_today" in figures and "members_pending" in figures
    assert ("month_result" in figures) == (username == "pengurus.kebonjeruk")


def test_a_camat_sees_more_cooperatives_than_the_lurah_and_the_sudin_more_than_the_camat(app):
    lurah, camat, sudin = (int(_figures(app, u)[0]["coops"]["value"]) for u in
                           ("lurah.kebonjeruk", "camat.kebonjeruk", "sudin.jakbar"))
    assert lurah == 1 and lurah < camat < sudin


def _listed_count(session, link):
    html = session.get(link).get_data(as_text=True)
    found = re.search(r'id="detail-total">(\d+)<', html) or re.search(
        r"(?:Record Count|Jumlah Data):</strong>\s*(\d+)", html)
    assert found, (link, html[:300])
    return int(found.group(1))


@pytest.mark.parametrize("username", ROLES)
def test_every_counted_figure_on_the_home_page_equals_the_list_it_links_to(app, login, username):
    figures, _ = _figures(app, username)
    s = login(username)
    home = s.get("/").get_data(as_text=True)
    checked = 0
    for key, f in figures.items():
        assert f'id="fig-{key}"' in home, key  # the page shows what the API answers
        if f["link"] and (f["link"].startswith("/beranda/rincian/") or "menunggu=1" in f["link"]):
            if not f["value"].isdigit():
                continue  # a rupiah figure beside its count: same rows, summed
            assert _listed_count(s, f["link"]) == int(f["value"]), (username, key, f["link"])
            checked += 1
    assert checked >= 4


def test_the_camat_sees_the_count_of_reports_waiting_for_him_in_the_navbar(app, login, sysdb, monkeypatch):
    from app.oversight.models import MonthlyReport

    # the navbar is cached a minute per user: an earlier test's page of the Camat may hold an older count
    monkeypatch.setitem(app.config, "KKMP_NAVBAR_CACHE_SECONDS", 0)

    ids = _area_ids(sysdb, "camat.kebonjeruk")
    waiting = sysdb.scalar(select(func.count(MonthlyReport.id)).where(MonthlyReport.cooperative_id.in_(ids),
                                                                       MonthlyReport.status == "lurah_approved"))
    html = login("camat.kebonjeruk").get("/laporan-bulanan/list/").get_data(as_text=True)
    assert re.search(r'href="/laporan-bulanan/menunggu">\s*<i class="fa fa-fw fa-inbox"></i>&nbsp;\s*\(%d\)' % waiting,
                     html), html[:3000]
    assert "/laporan-bulanan/menunggu" not in login("sekretaris.kebonjeruk").get("/laporan-bulanan/list/").get_data(
        as_text=True)


def test_a_figure_of_another_role_or_an_unknown_one_has_no_list(app, login):
    s = login("sekretaris.kebonjeruk")
    assert s.get("/beranda/rincian/nib").status_code == 404
    assert s.get("/beranda/rincian/tidak-ada").status_code == 404


def test_a_domain_registers_a_figure_without_changing_oversight(app, login):
    """The registry other modules (stock, pupuk, RAT) plug into: the figure appears on the roles' home page and in
    the dashboard API, with its value computed for the reader's scope."""
    from app.oversight import home

    seen = []

    def value(scope):
        seen.append(scope.coop_ids)
        return len(scope.coop_ids)

    home.register_figure("test_stock_alerts", "Uji stok", value, ("Camat",), link="/koperasi/list/")
    try:
        figures, _ = _figures(app, "camat.kebonjeruk")
        assert figures["test_stock_alerts"]["value"] == figures["coops"]["value"]
        assert figures["test_stock_alerts"]["link"] == "/koperasi/list/"
        assert "test_stock_alerts" not in _figures(app, "lurah.kebonjeruk")[0]
    finally:
        home._REGISTRY.pop("test_stock_alerts", None)


@pytest.mark.parametrize("username", ["sekretaris.kebonjeruk", "pengurus.kebonjeruk", "lurah.kebonjeruk",
                                      "camat.kebonjeruk", "sudin.jakbar"])
def test_a_home_page_costs_a_fixed_handful_of_sql_statements(app, login, username):
    """Figures are aggregates, not row loads: the number of statements does not depend on how many cooperatives,
    members or journals the area has (issue 18: at most 12 for the figures; the navbar and the legal-readiness
    table the page always had come on top)."""
    from sqlalchemy import event

    from app.extensions import db
    from app.oversight.home import home_figures
    from app.security.models import KkmpUser

    statements = []
    with app.test_request_context():
        from flask import g
        user = db.session.scalar(select(KkmpUser).where(KkmpUser.username == username))
        g.user = user
        from app.core.scope import current_scope
        current_scope()

        def count(*_a, **_k):
            statements.append(1)

        event.listen(db.engine, "before_cursor_execute", count)
        try:
            figures = home_figures(user)["figures"]
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
        db.session.remove()
    assert figures and len(statements) <= 12, (username, len(statements))


@pytest.mark.parametrize("username", ["lurah.kebonjeruk", "camat.kebonjeruk", "sudin.jakbar", "camat.kedungkandang",
                                      "admin"])
def test_the_pupuk_figure_is_the_sum_of_the_realisation_report_it_links_to(app, login, username):
    """The area home page says how much subsidised fertiliser its farmers redeemed this year out of their
    allocation; the figure is the total of the realisation report (per city, this year) that it links to, as that
    reader sees the report, and the Sekretaris has no such figure."""
    from decimal import Decimal

    from app.core.formatting import number, percent

    figures, _ = _figures(app, username)
    fig = figures["pupuk_realisation"]
    s = login(username)
    assert fig["link"].startswith("/pupuk/laporan/?tingkat=kota&tahun=")
    assert s.get(fig["link"]).status_code == 200
    xlsx = s.get(fig["link"].replace("/pupuk/laporan/?", "/pupuk/laporan/realisasi.xlsx?"))
    assert xlsx.status_code == 200
    from io import BytesIO

    from openpyxl import load_workbook

    rows = [r for r in load_workbook(BytesIO(xlsx.data), read_only=True).active.iter_rows(values_only=True)
            if r and len(r) > 5 and isinstance(r[4], (int, float)) and r[1]]
    allocated = sum(Decimal(str(r[4])) for r in rows)
    redeemed = sum(Decimal(str(r[5])) for r in rows)
    share = (redeemed * 100 / allocated).quantize(Decimal("0.1")) if allocated else Decimal("0.0")
    assert fig["value"] == f"{number(redeemed)} dari {number(allocated)} kg ({percent(share)})", (username, rows)
    if username in ("camat.kedungkandang", "admin"):
        assert redeemed > 0  # Cemorokandang's two redemptions of today
    assert "pupuk_realisation" not in _figures(app, "sekretaris.kebonjeruk")[0]
