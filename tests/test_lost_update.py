"""Two people editing the same record: the one saving a stale copy is told so and overwrites nothing."""
from sqlalchemy import select

from app.cooperatives.models import Cooperative


def test_second_save_from_a_stale_form_is_refused_with_a_clear_message(login, sysdb):
    coop = sysdb.scalar(select(Cooperative).where(Cooperative.region_code == "31.73.05.1002"))
    url = f"/koperasi/edit/{coop.id}"
    first, second = login("admin"), login("sudin.jakbar")
    first_form, second_form = first.hidden_fields(url), second.hidden_fields(url)  # both open the form
    base = {"name": coop.name, "address": coop.address or "", "musyawarah_date": "2025-05-31",
            "musyawarah_ba_number": coop.musyawarah_ba_number, "akta_number": coop.akta_number,
            "akta_date": coop.akta_date.isoformat(), "notary_name": coop.notary_name,
            "ahu_number": coop.ahu_number, "ahu_date": coop.ahu_date.isoformat(), "nib": coop.nib}
    r = first.client.post(url, data=dict(base, address="Alamat dari admin", **first_form))
    assert r.status_code == 302
    second.get("/lang/en")
    r = second.client.post(url, data=dict(base, address="Alamat dari sudin", **second_form),
                           follow_redirects=True)
    assert "Someone else saved this record" in r.get_data(as_text=True)
    sysdb.expire_all()
    assert sysdb.get(Cooperative, coop.id).address == "Alamat dari admin"
