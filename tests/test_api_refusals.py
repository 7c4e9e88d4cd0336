"""A refusal raised below an API view reaches the caller as 403 with a message in the user's language, never as a
500: the write scope's refusal (TenantScopeError, raised at flush by app/core/scope.py) in every scoped API, and
the review chain's "not your step" (ReviewForbidden). FAB's ``response_403`` takes no message, and calling it
with one raised a TypeError that FAB's ``@safe`` turned into ``{"message": "Fatal error"}``, status 500."""
from sqlalchemy import func, select

from app.core.scope import TenantScopeError
from app.inventory.models import Sale
from tests.conftest import api_token


def test_a_sale_refused_by_the_write_scope_answers_403_in_indonesian_and_writes_nothing(app, sysdb, monkeypatch):
    from app.inventory import services

    def outside(session, **kwargs):
        raise TenantScopeError("Refused insert of Sale: cooperative(s) 99 outside your scope.", table_name="inv_sale")

    monkeypatch.setattr(services, "do_sell", outside)
    client = app.test_client()
    before = sysdb.scalar(select(func.count()).select_from(Sale))
    r = client.post("/api/v1/sale/", headers=api_token(client, "petugas.lempake"), json={
        "location_id": 1, "lines": [{"item_id": 1, "quantity": 1}], "paid": "10000", "idempotency_key": "scope-403"})
    assert r.status_code == 403, r.get_data(as_text=True)
    assert r.json["message"] == "Anda tidak dapat mengubah data di luar wilayah Anda."  # names no cooperative
    assert sysdb.scalar(select(func.count()).select_from(Sale)) == before


def test_a_review_step_refused_to_the_role_answers_403_with_its_reason(app, monkeypatch):
    from app.oversight import services

    def not_yours(session, **kwargs):
        raise services.ReviewForbidden("Hanya Pengurus koperasi yang menyerahkan laporan bulanannya.")

    monkeypatch.setattr(services, "do_submit", not_yours)
    client = app.test_client()
    r = client.post("/api/v1/monthly_report/", headers=api_token(client, "pengurus.kebonjeruk"),
                    json={"cooperative_id": 1, "year": 2026, "month": 1})
    assert r.status_code == 403, r.get_data(as_text=True)
    assert r.json["message"] == "Hanya Pengurus koperasi yang menyerahkan laporan bulanannya."
