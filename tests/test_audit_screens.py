"""The audit log reads like the office speaks (issue 11.5): Indonesian actions, records by name, fields by label,
full names, local times, filters and an export; NIKs stay masked."""
import csv
import io
import re
from datetime import date, timedelta

from sqlalchemy import select

from app.cooperatives.models import Cooperative, OrganMember
from app.core.audit import AuditEvent

OWN = "31.73.05.1001"


def organ_member(sysdb, code=OWN):
    """The last pengurus of the cooperative (tests/test_privacy_audit.py edits the first one and expects its
    phone untouched)."""
    coop_id = sysdb.scalar(select(Cooperative.id).where(Cooperative.region_code == code))
    return sysdb.scalar(select(OrganMember).where(OrganMember.cooperative_id == coop_id,
                                                  OrganMember.organ == "pengurus").order_by(OrganMember.id.desc()))


def change_phone(login, m, phone):
    s = login("sekretaris.kebonjeruk")
    form = {"organ": m.organ, "position": m.position, "name": m.name, "nik": "", "gender": m.gender,
            "term_start": m.term_start.isoformat(), "term_end": m.term_end.isoformat(), "phone": phone}
    assert s.post(f"/pengurus-pengawas/edit/{m.id}", form).status_code == 302


def rows_of(html):
    """The text of each data row of the list table (the header row, with <th> cells, left out)."""
    table = html[html.find('<table class="table table-bordered'):]
    table = table[:table.find("</table>")]
    rows = [tr for tr in table.split("<tr")[1:] if "<th" not in tr]
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", tr)).strip() for tr in rows]


def test_sudin_reads_a_change_in_indonesian_with_names_labels_and_local_time(login, sysdb):
    m = organ_member(sysdb)
    change_phone(login, m, "0812-3333-4444")
    s = login("sudin.jakbar")
    html = s.get("/log-audit/list/?pengguna=sekretaris.kebonjeruk").get_data(as_text=True)
    row = rows_of(html)[0]
    assert "Sekretaris KKMP Kebon Jeruk (sekretaris.kebonjeruk)" in row
    assert " Ubah " in f" {row} " and m.name in row
    assert "Koperasi Kelurahan Merah Putih Kebon Jeruk" in row
    assert "Telepon: " in row and "→ 0812-3333-4444" in row
    assert re.search(r"\d\d/\d\d/\d{4} \d\d:\d\d WIB", row)
    for developer_word in ("organ_member", "update", '"phone"', "cooperative_id"):
        assert developer_word not in row, developer_word
    # The filter shows the secretary's rows only.
    assert all("sekretaris.kebonjeruk" in r for r in rows_of(html))


def test_filters_by_kind_cooperative_and_day(login, sysdb):
    m = organ_member(sysdb)
    change_phone(login, m, "0812-5555-6666")
    s = login("sudin.jakbar")
    logins = rows_of(s.get("/log-audit/list/?aksi=login").get_data(as_text=True))
    assert logins and all(" Masuk " in f" {r} " for r in logins)
    tomorrow = (date.today() + timedelta(days=2)).isoformat()
    assert rows_of(s.get(f"/log-audit/list/?dari={tomorrow}").get_data(as_text=True)) == []
    today = date.today() - timedelta(days=1)
    assert rows_of(s.get(f"/log-audit/list/?dari={today.isoformat()}&pengguna=sekretaris.kebonjeruk")
                   .get_data(as_text=True))
    sibling = sysdb.scalar(select(Cooperative.id).where(Cooperative.region_code == "31.73.05.1002"))
    for r in rows_of(s.get(f"/log-audit/list/?koperasi={sibling}").get_data(as_text=True)):
        assert "Kebon Jeruk (sekretaris" not in r


def test_the_export_carries_the_filters_and_the_same_indonesian_text(login, sysdb):
    m = organ_member(sysdb)
    change_phone(login, m, "0812-7777-8888")
    s = login("sudin.jakbar")
    r = s.get("/log-audit/export/csv?pengguna=sekretaris.kebonjeruk")
    assert r.status_code == 200
    table = list(csv.reader(io.StringIO(r.get_data(as_text=True).lstrip("\ufeff"))))
    assert table[0][:6] == ["Waktu", "Pengguna", "Aksi", "Data", "Koperasi", "Perubahan"]
    assert table[1:] and all("sekretaris.kebonjeruk" in row[1] for row in table[1:])
    assert any("→ 0812-7777-8888" in row[5] for row in table[1:])
    x = s.get("/log-audit/export/xlsx?pengguna=sekretaris.kebonjeruk")
    assert x.status_code == 200 and x.data[:2] == b"PK"


def test_niks_stay_masked_in_the_audit_screens(login, sysdb):
    from app.core.nik import mask_nik

    m = organ_member(sysdb)
    s = login("sekretaris.kebonjeruk")
    form = {"organ": m.organ, "position": m.position, "name": m.name, "nik": m.nik, "gender": m.gender,
            "term_start": m.term_start.isoformat(), "term_end": m.term_end.isoformat(), "phone": m.phone or ""}
    s.post(f"/pengurus-pengawas/edit/{m.id}", form)
    admin = login("admin")
    html = admin.get("/log-audit/list/?psize_AuditEventView=100").get_data(as_text=True)
    csv_text = admin.get("/log-audit/export/csv").get_data(as_text=True)
    for text in (html, csv_text):
        assert m.nik not in text
        assert re.search(r"\b\d{16}\b", text) is None


def test_times_are_in_the_cooperatives_own_zone(login, sysdb):
    lempake = sysdb.scalar(select(Cooperative.id).where(Cooperative.region_code == "64.72.05.1003"))
    assert sysdb.scalar(select(AuditEvent.id).where(AuditEvent.cooperative_id == lempake)) is not None
    html = login("admin").get(f"/log-audit/list/?koperasi={lempake}").get_data(as_text=True)
    rows = rows_of(html)
    assert rows and all("WITA" in r for r in rows)
