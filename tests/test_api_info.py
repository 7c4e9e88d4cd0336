"""What an API client learns from ``GET /api/v1/<resource>/_info``: the form it may send, in the user's language,
and nothing more. FAB's default described every add and edit column, with the label of every related row, to any
reader (a Lurah, who may write nothing, got the whole member list as "add" choices), labelled "Tx Date" in English
and gave each undescribed field the translation catalogue's header as its description."""
import pytest
from flask_appbuilder.api import ModelRestApi

from tests.conftest import api_token

READERS = ["lurah.kebonjeruk", "camat.kebonjeruk"]


def _apis(app):
    return sorted(v.resource_name for v in app.appbuilder.baseviews
                  if isinstance(v, ModelRestApi) and "info" in (v.include_route_methods or {"info"}))


def _info(app, username, resource):
    client = app.test_client()
    r = client.get(f"/api/v1/{resource}/_info", headers=api_token(client, username))
    return r.status_code, r.get_json()


@pytest.mark.parametrize("username", READERS)
def test_a_reader_who_may_not_write_is_offered_no_form_and_no_list_of_choices(app, username):
    seen = 0
    for resource in _apis(app):
        status, body = _info(app, username, resource)
        if status != 200:
            continue
        seen += 1
        assert body.get("add_columns", []) == [], resource
        assert body.get("edit_columns", []) == [], resource
    assert seen >= 3


def test_no_field_is_described_by_the_catalogue_header_and_labels_are_the_screens_words(app):
    for resource in _apis(app):
        status, body = _info(app, "admin", resource)
        assert status == 200, resource
        for field in body.get("add_columns", []) + body.get("edit_columns", []):
            assert "Project-Id-Version" not in field["description"], (resource, field["name"])
    status, body = _info(app, "admin", "member")
    labels = {f["name"]: f["label"] for f in body["add_columns"]}
    assert labels["name"] == "Nama" and labels["birth_date"] == "Tanggal lahir", labels


def test_the_savings_api_describes_the_body_its_post_takes(app):
    """POST /api/v1/savings_transaction/ takes a deposit or a withdrawal (member, setor/tarik, kind, amount, date,
    idempotency key, note), not the stored row: the receipt number, journal entry and who recorded it are the
    service's to fill."""
    status, body = _info(app, "sekretaris.kebonjeruk", "savings_transaction")
    assert status == 200
    fields = {f["name"]: (f["label"], f["required"]) for f in body["add_columns"]}
    assert fields == {"member_id": ("Anggota", True), "direction": ("Setor/tarik", True),
                      "kind": ("Jenis simpanan", True), "amount": ("Jumlah", True), "tx_date": ("Tanggal", True),
                      "idempotency_key": ("Kunci pengiriman ulang (idempotency key)", False),
                      "note": ("Keterangan", False)}
    assert body["edit_columns"] == []  # transactions are never edited (PUT answers 405)
