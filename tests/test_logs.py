"""No NIK, password or token ever reaches the application logs (UU PDP; ASVS 16.2.5)."""
import logging

from sqlalchemy import select

from app.cooperatives.models import Cooperative, OrganMember
from tests.conftest import DEMO_PASSWORD, api_token


def test_logins_reveals_and_edits_leave_no_secret_in_the_logs(app, login, sysdb, caplog):
    caplog.set_level(logging.DEBUG)
    coop_id = sysdb.scalar(select(Cooperative.id).where(Cooperative.region_code == "31.73.05.1001"))
    m = sysdb.scalar(select(OrganMember).where(OrganMember.cooperative_id == coop_id).order_by(OrganMember.id))
    s = login("sekretaris.kebonjeruk")
    s.post(f"/pengurus-pengawas/nik/{m.id}", {}, form_url=f"/pengurus-pengawas/show/{m.id}")
    s.post(f"/pengurus-pengawas/edit/{m.id}", {"organ": m.organ, "position": m.position, "name": m.name,
                                                "nik": "3173051201900009x", "gender": m.gender,
                                                "term_start": m.term_start.isoformat(),
                                                "term_end": m.term_end.isoformat()})
    s.client.post("/login/", data={"username": "admin", "password": "salah-sekali-123"})
    token = api_token(s.client, "admin")["Authorization"].split()[1]
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert caplog.records, "the flows above should have logged something"
    for secret in (m.nik, DEMO_PASSWORD, "salah-sekali-123", token, "3173051201900009"):
        assert secret not in text
