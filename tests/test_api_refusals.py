"""A refusal raised below an API view reaches the caller as 403 with a message in the user's language, never as a
500: the write scope's refusal (TenantScopeError, raised at flush by app/core/scope.py) in every scoped API, and
the review chain's "not your step" (ReviewForbidden). FAB's ``response_403`` takes no message, and calling it
with one raised a TypeError that FAB's ``@safe`` turned into ``{"message": "Fatal error"}``, status 500."""
from sqlalchemy import func, select

from app.core.scope import TenantScopeError
from app.inventory.models import Sale
from tests.conftest import api_token


def test_a_sale_refused_by_the_write_scope_answers_403_in_indonesian_and_writes_nothing(app, sysdb, monkeypatch):
    from app.cooperatives.models import Cooperative
    from app.inventory import services
    from app.inventory.models import Item, Location, StockBalance

    coop = sysdb.scalar(select(Cooperative.id).where(Cooperative.region_code == "64.72.05.1003"))  # KKMP Lempake
    location = sysdb.scalar(select(Location).where(Location.cooperative_id == coop, Location.kind == "gerai"))
    beras = sysdb.scalar(select(Item).where(Item.cooperative_id == coop, Item.name.like("Beras SPHP%")))
    real_do_sell = services.do_sell
    sold = []

    def sells_then_refused(session, **kwargs):
        # The whole sale is written and flushed first (its stock, its journal, its audit row), then the refusal:
        # what keeps the counts below is the view's rollback, not a service that wrote nothing.
        sale = real_do_sell(session, **kwargs)
        session.flush()
        sold.append(sale.id)
        raise TenantScopeError("Refused insert of Sale: cooperative(s) 99 outside your scope.", table_name="inv_sale")

    monkeypatch.setattr(services, "do_sell", sells_then_refused)

    def counts():
        sysdb.expire_all()
        return (sysdb.scalar(select(func.count()).select_from(Sale)),
                sysdb.scalar(select(StockBalance.quantity).where(StockBalance.item_id == beras.id,
                                                                 StockBalance.location_id == location.id)))

    client = app.test_client()
    before = counts()
    r = client.post("/api/v1/sale/", headers=api_token(client, "petugas.lempake"), json={
        "location_id": location.id, "lines": [{"item_id": beras.id, "quantity": 1}], "paid": "100000",
        "idempotency_key": "scope-403"})
    assert r.status_code == 403, r.get_data(as_text=True)
    assert r.json["message"] == "Anda tidak dapat mengubah data di luar wilayah Anda."  # names no cooperative
    assert len(sold) == 1 and sold[0]  # the sale was really made before the refusal
    assert counts() == before  # no sale, the stock unchanged


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
