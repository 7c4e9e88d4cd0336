"""The member register as a big list: keyset pages, capped counts, the name search, its SQL budget, and the
exports (xlsx and CSV) streamed from the same scoped query."""
import io
import re
from datetime import date, datetime
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlalchemy import event, select

from app.cooperatives.models import Cooperative
from app.extensions import db
from app.members.models import Member

OWN = "31.73.05.1001"
OTHER_CITY = "64.72.05.1003"


def coop_id(sysdb, code):
    return sysdb.scalar(select(Cooperative.id).where(Cooperative.region_code == code))


def ids_on(html):
    """Member ids of the rows shown, in page order (each row links to its show page)."""
    return [int(x) for x in re.findall(r'href="/anggota/show/(\d+)"', html)]


def link(html, element_id):
    match = re.search(r'class="btn btn-default btn-sm( disabled)?" id="%s"\s+href="([^"]+)"' % element_id, html)
    assert match, f"no {element_id} link"
    return None if match.group(1) else match.group(2).replace("&amp;", "&")


def test_the_register_pages_forward_and_back_in_name_order_without_losing_or_repeating_a_member(login, sysdb):
    cid = coop_id(sysdb, OWN)
    expected = [m.id for m in sysdb.scalars(select(Member).where(Member.cooperative_id == cid)
                                             .order_by(Member.name, Member.id))]
    assert len(expected) > 7, "the demo cooperative needs a few pages of members"
    s = login("sekretaris.kebonjeruk")
    seen, url, pages = [], "/anggota/list/?psize_MemberView=3", []
    while url:
        html = s.get(url).get_data(as_text=True)
        page = ids_on(html)
        assert 0 < len(page) <= 3
        seen += page
        pages.append(page)
        url = link(html, "kkmp-next")
    assert seen == expected
    # ... and back from the last page, one page at a time, to the first
    html = s.get("/anggota/list/?psize_MemberView=3&last=1").get_data(as_text=True)
    back = [ids_on(html)]
    assert link(html, "kkmp-next") is None
    while link(html, "kkmp-prev"):
        html = s.get(link(html, "kkmp-prev")).get_data(as_text=True)
        back.insert(0, ids_on(html))
    assert [i for p in back for i in p] == expected
    assert back[-1] == expected[-len(back[-1]):]


def test_numbered_pages_still_work_and_agree_with_the_keyset_order(login, sysdb):
    cid = coop_id(sysdb, OWN)
    expected = [m.id for m in sysdb.scalars(select(Member).where(Member.cooperative_id == cid)
                                             .order_by(Member.name, Member.id))]
    s = login("sekretaris.kebonjeruk")
    assert ids_on(s.get("/anggota/list/?psize_MemberView=3&page_MemberView=1").get_data(as_text=True)) == expected[3:6]
    desc = s.get("/anggota/list/?psize_MemberView=3&page_MemberView=0&_oc_MemberView=name&_od_MemberView=desc")
    assert ids_on(desc.get_data(as_text=True)) == expected[::-1][:3]


def test_the_jump_box_opens_the_register_at_the_first_name_from_the_given_letters(login, sysdb):
    cid = coop_id(sysdb, OWN)
    names = sysdb.execute(select(Member.id, Member.name).where(Member.cooperative_id == cid)
                          .order_by(Member.name, Member.id)).all()
    start = names[len(names) // 2].name[:3]
    expected = [i for i, n in names if n >= start][:3]
    html = login("sekretaris.kebonjeruk").get(f"/anggota/list/?psize_MemberView=3&from={start}").get_data(
        as_text=True)
    assert ids_on(html) == expected
    assert 'id="kkmp-from"' in html


def test_a_cursor_naming_a_member_of_another_cooperative_shows_nothing_of_it(login, sysdb):
    foreign = sysdb.scalars(select(Member).where(Member.cooperative_id == coop_id(sysdb, OTHER_CITY))).first()
    html = login("sekretaris.kebonjeruk").get(f"/anggota/list/?after={foreign.id}").get_data(as_text=True)
    assert ids_on(html) == []
    assert foreign.name not in html


def shown_count(html):
    return int(re.search(r'id="kkmp-record-count">\s*<strong>[^<]*</strong>\s*(\d+)', html).group(1))


@pytest.mark.parametrize("username,where", [
    ("sekretaris.kebonjeruk", Cooperative.region_code == OWN),
    ("camat.kebonjeruk", Cooperative.district_code == "31.73.05"),
    ("sudin.jakbar", Cooperative.city_code == "31.73"),
    ("admin", Cooperative.id.isnot(None)),
])
def test_the_record_count_is_the_users_own_area_with_and_without_a_search(login, sysdb, username, where):
    from sqlalchemy import func

    area = select(Cooperative.id).where(where)
    s = login(username)
    total = sysdb.scalar(select(func.count(Member.id)).where(Member.cooperative_id.in_(area)))
    assert shown_count(s.get("/anggota/list/").get_data(as_text=True)) == total
    matching = sysdb.scalar(select(func.count(Member.id)).where(Member.cooperative_id.in_(area),
                                                                Member.name_key.contains("a")))
    html = s.get("/anggota/list/?_flt_2_name=A").get_data(as_text=True)
    assert shown_count(html) == matching
    assert len(ids_on(html)) == min(25, matching)


def test_the_record_count_stops_at_the_cap_and_says_more_than(app, login, monkeypatch):
    s = login("sekretaris.kebonjeruk")
    html = s.get("/anggota/list/").get_data(as_text=True)
    count = int(re.search(r'id="kkmp-record-count">\s*<strong>[^<]*</strong>\s*(\d+)', html).group(1))
    assert count > 3
    monkeypatch.setitem(app.config, "KKMP_LIST_COUNT_CAP", 3)
    html = s.get("/anggota/list/").get_data(as_text=True)
    assert "lebih dari 3" in html
    monkeypatch.setitem(app.config, "KKMP_SEARCH_COUNT_CAP", 1)
    html = s.get("/anggota/list/?_flt_2_name=a").get_data(as_text=True)
    assert "lebih dari 1" in html


def test_name_search_ignores_case_and_extra_spaces_and_takes_wildcards_literally(login, sysdb):
    cid = coop_id(sysdb, OWN)
    member = sysdb.scalars(select(Member).where(Member.cooperative_id == cid).order_by(Member.id)).first()
    first, last = member.name.split(" ", 1)
    s = login("sekretaris.kebonjeruk")
    for term in (member.name.upper(), f"  {first.lower()}    {last}  ", last.swapcase()):
        assert member.id in ids_on(s.get("/anggota/list/", query_string={"_flt_2_name": term}).get_data(
            as_text=True)), term
    assert ids_on(s.get("/anggota/list/", query_string={"_flt_2_name": "%"}).get_data(as_text=True)) == []
    assert ids_on(s.get("/anggota/list/", query_string={"_flt_2_name": first[0] + "_"}).get_data(
        as_text=True)) == []


@pytest.mark.parametrize("username", ["admin", "sudin.jakbar", "camat.kebonjeruk", "sekretaris.kebonjeruk"])
def test_a_member_list_page_costs_at_most_eight_sql_statements_for_every_role(app, login, sysdb, username):
    s = login(username)
    some_id = sysdb.scalar(select(Member.id).where(Member.cooperative_id == coop_id(sysdb, OWN)))
    with app.app_context():
        engine = db.engine
    for url in ("/anggota/list/", f"/anggota/list/?after={some_id}", "/anggota/list/?_flt_2_name=wa",
                "/anggota/list/?last=1", "/simpanan/transaksi/list/"):
        s.get(url)  # warm: the first request of a session may load what later ones reuse
        statements = []
        listener = lambda conn, cursor, statement, *args: statements.append(statement)  # noqa: E731
        event.listen(engine, "before_cursor_execute", listener)
        try:
            r = s.get(url)
        finally:
            event.remove(engine, "before_cursor_execute", listener)
        assert r.status_code == 200
        assert len(statements) <= 8, (url, statements)


def test_a_permission_taken_from_a_database_role_is_refused_on_the_next_request(app, login):
    """Admin's permissions are read once per request, not once per process: revoking one works at once."""
    from app.extensions import appbuilder

    s = login("admin")
    assert s.get("/anggota/list/").status_code == 200
    with app.app_context():
        sm = appbuilder.sm
        role = sm.find_role("Admin")
        pv = sm.find_permission_view_menu("can_list", "Member")
        sm.del_permission_role(role, pv)
    try:
        assert s.get("/anggota/list/").status_code == 403
    finally:
        with app.app_context():
            sm.add_permission_role(sm.find_role("Admin"), sm.find_permission_view_menu("can_list", "Member"))
    assert s.get("/anggota/list/").status_code == 200


def test_the_csv_export_is_the_scoped_register_with_masked_nik_and_inert_formulas(login, sysdb):
    cid = coop_id(sysdb, OWN)
    members = sysdb.scalars(select(Member).where(Member.cooperative_id == cid)).all()
    r = login("sekretaris.kebonjeruk").get("/anggota/export/csv")
    assert r.status_code == 200 and r.mimetype == "text/csv"
    assert r.headers["Content-Type"] == "text/csv; charset=utf-8"  # once, not "charset=utf-8; charset=utf-8"
    assert "attachment" in r.headers["Content-Disposition"]
    text = r.get_data(as_text=True)
    assert text.startswith("\ufeff")
    lines = text.strip("\ufeff").splitlines()
    assert len(lines) == len(members) + 1
    assert all(m.nik not in text for m in members)
    assert "••••••" in text
    foreign = sysdb.scalars(select(Member).where(Member.cooperative_id == coop_id(sysdb, OTHER_CITY))).first()
    assert foreign.name not in text


def test_the_xlsx_export_keeps_types_and_never_holds_a_formula(app):
    from app.core.csv_export import csv_chunks
    from app.core.xlsx import write_xlsx
    import os

    rows = [["=HYPERLINK(\"http://x\")", Decimal("1500000.00"), date(2025, 8, 1), 7, True, None, "a<b & \"c\"\x01"],
            ["+62 812", Decimal("0.50"), datetime(2025, 8, 1, 12, 0), 2.5, False, "x", "-1"]]
    path = write_xlsx("Daftar <uji>", ["Nama", "Jumlah", "Tanggal", "N", "Aktif", "Kosong", "Teks"], iter(rows),
                      sheet_name="Data: uji/1")
    try:
        wb = load_workbook(path)
        ws = wb.active
        assert ws.title == "Data  uji 1"
        assert ws["A1"].value == "Daftar <uji>"
        assert [c.value for c in ws[3]] == ["Nama", "Jumlah", "Tanggal", "N", "Aktif", "Kosong", "Teks"]
        a4 = [c.value for c in ws[4]]
        # Text cells are never evaluated: they read back as typed (the apostrophe guard is CSV's, below).
        assert a4 == ["=HYPERLINK(\"http://x\")", 1500000, datetime(2025, 8, 1), 7, "Ya", None, 'a<b & "c"']
        assert ws["A4"].data_type == "s" and ws["B4"].number_format == '"Rp"#,##0'
        assert ws["C4"].number_format == "dd/mm/yyyy"
        assert [c.value for c in ws[5]][:5] == ["+62 812", 0.5, datetime(2025, 8, 1, 12, 0), 2.5, "Tidak"]
        assert ws["G5"].value == "-1" and ws["G5"].data_type == "s"
        assert ws.freeze_panes == "A4"
    finally:
        os.remove(path)
    csv_text = b"".join(csv_chunks(["Nama"], [["=1+1"], ["@SUM(A1)"], ["Budi"]], batch=1)).decode("utf-8")
    assert csv_text == "\ufeffNama\r\n'=1+1\r\n'@SUM(A1)\r\nBudi\r\n"


def test_the_member_xlsx_export_reads_back_row_for_row(login, sysdb):
    cid = coop_id(sysdb, OWN)
    members = sysdb.scalars(select(Member).where(Member.cooperative_id == cid).order_by(Member.id)).all()
    r = login("sekretaris.kebonjeruk").get("/anggota/export/xlsx")
    ws = load_workbook(io.BytesIO(r.data), read_only=True).active
    rows = list(ws.iter_rows(min_row=4, values_only=True))
    assert [row[1] for row in rows] == [m.name for m in members]
    assert rows[0][4] == datetime.combine(members[0].birth_date, datetime.min.time())
    # the serial only: neither the region nor the birth-date digits
    assert all(row[2] == "••••••••••••" + m.nik[-4:] and m.nik not in row for row, m in zip(rows, members))
