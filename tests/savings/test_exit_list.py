"""The exit settlement list (pelunasan anggota keluar): read-only, scoped, exported to Excel."""
import io

from sqlalchemy import select

from app.cooperatives.models import Cooperative
from app.savings.models import ExitSettlement

KEBON_JERUK, CEMOROKANDANG = "31.73.05.1001", "35.73.03.1010"
BASE = "/simpanan/pelunasan-keluar"


def _settlement(sysdb, code):
    coop_id = sysdb.scalar(select(Cooperative.id).where(Cooperative.region_code == code))
    return sysdb.scalars(select(ExitSettlement).where(ExitSettlement.cooperative_id == coop_id)
                         .order_by(ExitSettlement.id)).first()


def test_the_board_sees_its_settlements_with_amounts_and_journal_and_exports_them(login, sysdb):
    from openpyxl import load_workbook

    own = _settlement(sysdb, KEBON_JERUK)
    assert own is not None and own.journal_entry_id is not None
    s = login("pengurus.kebonjeruk")
    html = s.get(f"{BASE}/list/").get_data(as_text=True)
    assert own.member.name in html and own.journal_entry.number in html
    assert "Pelunasan anggota keluar" in html and "Dibayarkan" in html
    show = s.get(f"{BASE}/show/{own.id}").get_data(as_text=True)
    assert own.member.name in show and "Rp50.000" in show
    r = s.get(f"{BASE}/export/xlsx")
    assert r.status_code == 200 and r.data[:2] == b"PK"
    cells = [c for row in load_workbook(io.BytesIO(r.data)).active.iter_rows(values_only=True) for c in row if c]
    assert any(own.member.name in str(c) for c in cells) and own.journal_entry.number in cells
    # read-only: no add, edit or delete route
    assert s.get(f"{BASE}/add").status_code == 404
    assert s.get(f"{BASE}/edit/{own.id}").status_code == 404
    r = s.client.post(f"{BASE}/delete/{own.id}", data={"csrf_token": s.token("/")})
    assert r.status_code in (404, 405)
    sysdb.expire_all()
    assert sysdb.get(ExitSettlement, own.id) is not None


def test_a_secretary_of_another_cooperative_does_not_see_them(login, sysdb):
    own = _settlement(sysdb, KEBON_JERUK)
    theirs = _settlement(sysdb, CEMOROKANDANG)
    s = login("sekretaris.cemorokandang")
    html = s.get(f"{BASE}/list/").get_data(as_text=True)
    assert theirs.member.name in html and own.member.name not in html
    assert s.get(f"{BASE}/show/{own.id}").status_code == 404
    assert s.get(f"{BASE}/show/{theirs.id}").status_code == 200
    from openpyxl import load_workbook

    cells = [c for row in load_workbook(io.BytesIO(s.get(f"{BASE}/export/xlsx").data)).active.iter_rows(
        values_only=True) for c in row if c]
    text = "\n".join(str(c) for c in cells)
    assert theirs.member.name in text and own.member.name not in text


def test_readers_of_savings_read_the_list_and_it_is_in_the_savings_menu(login, sysdb):
    own = _settlement(sysdb, KEBON_JERUK)
    for user in ("lurah.kebonjeruk", "camat.kebonjeruk", "sudin.jakbar", "sekretaris.kebonjeruk"):
        s = login(user)
        r = s.get(f"{BASE}/list/")
        assert r.status_code == 200, user
        assert own.member.name in r.get_data(as_text=True), user
        assert s.get(f"{BASE}/show/{own.id}").status_code == 200, user
    home = login("lurah.kebonjeruk").get(f"{BASE}/list/").get_data(as_text=True)
    assert f'href="{BASE}/list/"' in home


def test_the_settlement_page_joins_no_journal_and_reads_its_journal_numbers_once(app, login, sysdb):
    """The list's rows come with their member only; the journal numbers are read in the same statement. Joining
    every settlement's journal, business unit, cooperatives and regions made a 12-table join that PostgreSQL runs
    in written order (past join_collapse_limit): at 900,000 journals the Admin's page took 180 ms."""
    from tests.conftest import sql_statements

    own = _settlement(sysdb, KEBON_JERUK)
    s = login("sudin.jakbar")
    s.get(f"{BASE}/list/")
    with sql_statements(app) as seen:
        html = s.get(f"{BASE}/list/?_oc_ExitSettlementView=paid_out&_od_ExitSettlementView=desc").get_data(
            as_text=True)
    assert own.journal_entry.number in html and own.member.name in html
    rows = [q for q in seen if "FROM exit_settlement" in q and "count(" not in q]
    assert len(rows) == 1, rows
    assert "JOIN journal_entry" not in rows[0] and "business_unit" not in rows[0]
    assert not [q for q in seen if q.lstrip().startswith("SELECT journal_entry.")]  # no loading per row either
