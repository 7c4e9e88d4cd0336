"""REST API /api/v1/member/: the same rules as the screens, the NIK write-only and masked in every answer."""
from datetime import date, timedelta

from sqlalchemy import func, select

from app.core.nik import mask_nik
from app.members.models import Member
from tests.conftest import api_token

from .helpers import CEMOROKANDANG, KEBON_JERUK, coop_id, make_nik, member_form


def payload(sysdb, code=KEBON_JERUK, **over):
    data = member_form(code, **over)
    data["cooperative"] = coop_id(sysdb, code)
    return data


def count(sysdb):
    sysdb.expire_all()
    return sysdb.scalar(select(func.count()).select_from(Member))


def test_api_lists_and_shows_members_with_the_nik_masked_never_raw(client, sysdb):
    headers = api_token(client, "lurah.kebonjeruk")
    r = client.get("/api/v1/member/?q=(page_size:100)", headers=headers)
    assert r.status_code == 200
    first = r.json["result"][0]
    assert "nik" not in first and "••••••" in first["nik_masked"]
    m = sysdb.get(Member, r.json["ids"][0])
    body = client.get(f"/api/v1/member/{m.id}", headers=headers)
    assert body.status_code == 200 and m.nik not in body.get_data(as_text=True)
    assert body.json["result"]["nik_masked"] == mask_nik(m.nik)
    assert m.nik not in r.get_data(as_text=True)


def test_api_registers_an_application_and_does_not_echo_the_nik(client, sysdb):
    headers = api_token(client, "sekretaris.kebonjeruk")
    data = payload(sysdb, name="Lewat API", nik=" " + make_nik(date(1990, 8, 4), "P"))
    r = client.post("/api/v1/member/", json=data, headers=headers)
    assert r.status_code == 201, r.json
    assert data["nik"].strip() not in r.get_data(as_text=True)
    m = sysdb.get(Member, r.json["id"])
    assert m.status == "permohonan" and m.nik == data["nik"].strip()


def test_api_answers_422_with_field_messages_and_writes_nothing(client, sysdb):
    headers = api_token(client, "sekretaris.kebonjeruk")
    tomorrow = (date.today() + timedelta(days=2)).isoformat()
    for over, field in [({"nik": "1234"}, "nik"), ({"join_date": tomorrow}, "join_date"),
                        ({"sex": "L", "nik": make_nik(date(1990, 8, 4), "P")}, "sex"),
                        ({"domicile_code": "31.73.05.1002"}, "domicile_code")]:
        before = count(sysdb)
        r = client.post("/api/v1/member/", json=payload(sysdb, **over), headers=headers)
        assert r.status_code == 422 and field in r.json["message"], (over, r.json)
        assert count(sysdb) == before


def test_api_refuses_a_nik_live_in_another_cooperative_without_naming_it(client, sysdb):
    nik = make_nik(date(1988, 11, 23), "L")
    r = client.post("/api/v1/member/", json=payload(sysdb, CEMOROKANDANG, nik=nik, sex="L", born=date(1988, 11, 23)),
                    headers=api_token(client, "sekretaris.cemorokandang"))
    assert r.status_code == 201, r.json
    before = count(sysdb)
    r = client.post("/api/v1/member/", json=payload(sysdb, nik=nik, sex="L", born=date(1988, 11, 23)),
                    headers=api_token(client, "sekretaris.kebonjeruk"))
    assert r.status_code == 422 and "nik" in r.json["message"]
    assert "Cemorokandang" not in r.get_data(as_text=True) and count(sysdb) == before


def test_api_read_only_roles_cannot_register_and_nobody_registers_outside_their_area(client, sysdb):
    before = count(sysdb)
    r = client.post("/api/v1/member/", json=payload(sysdb), headers=api_token(client, "lurah.kebonjeruk"))
    assert r.status_code == 403
    r = client.post("/api/v1/member/", json=payload(sysdb, CEMOROKANDANG),
                    headers=api_token(client, "sekretaris.kebonjeruk"))
    assert r.status_code in (403, 422)
    assert count(sysdb) == before


def test_api_edit_keeps_the_nik_when_none_is_sent_and_cannot_change_the_status(client, sysdb):
    headers = api_token(client, "sekretaris.kebonjeruk")
    m = sysdb.scalar(select(Member).where(Member.cooperative_id == coop_id(sysdb, KEBON_JERUK),
                                          Member.status == "aktif").order_by(Member.id))
    etag = client.get(f"/api/v1/member/{m.id}", headers=headers).headers["ETag"]
    r = client.put(f"/api/v1/member/{m.id}", json={"occupation": "Guru ngaji", "status": "keluar"},
                   headers={**headers, "If-Match": etag})
    assert r.status_code in (200, 400, 422)
    etag = client.get(f"/api/v1/member/{m.id}", headers=headers).headers["ETag"]
    r = client.put(f"/api/v1/member/{m.id}", json={"occupation": "Guru ngaji"},
                   headers={**headers, "If-Match": etag})
    assert r.status_code == 200, r.json
    assert m.nik not in r.get_data(as_text=True)
    sysdb.expire_all()
    row = sysdb.get(Member, m.id)
    assert row.occupation == "Guru ngaji" and row.nik == m.nik and row.status == "aktif"


def test_api_status_changes_are_for_the_pengurus_and_give_the_member_a_number(client, sysdb):
    r = client.post("/api/v1/member/", json=payload(sysdb, name="Status Lewat API"),
                    headers=api_token(client, "sekretaris.kebonjeruk"))
    member_id = r.json["id"]
    r = client.post(f"/api/v1/member/{member_id}/status/approve", json={},
                    headers=api_token(client, "sekretaris.kebonjeruk"))
    assert r.status_code == 403
    board = api_token(client, "pengurus.kebonjeruk")
    r = client.post(f"/api/v1/member/{member_id}/status/activate", json={}, headers=board)
    assert r.status_code == 422  # not approved yet
    r = client.post(f"/api/v1/member/{member_id}/status/approve", json={"on_date": date.today().isoformat()},
                    headers=board)
    assert r.status_code == 200 and r.json["status"] == "disetujui" and r.json["member_number"].startswith("A-")
    r = client.post(f"/api/v1/member/{member_id}/status/end", json={"status": "diberhentikan"}, headers=board)
    assert r.status_code == 422 and "end_note" in r.json["message"]
    foreign = sysdb.scalar(select(Member.id).where(Member.cooperative_id == coop_id(sysdb, CEMOROKANDANG)))
    assert client.post(f"/api/v1/member/{foreign}/status/end", json={"status": "keluar"},
                       headers=board).status_code == 404
