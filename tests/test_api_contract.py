"""The REST API keeps its promises: what /api/v1/_openapi describes is what the API answers, and an API client
cannot silently overwrite a record someone else saved meanwhile (ETag / If-Match, or a ``version`` field).

The description is read the way a client's code generator reads it: every GET list and GET item of every
registered API, as every demo role, is validated against the response schema of that path (OpenAPI 3.0 turned
into JSON Schema: ``nullable`` becomes a null type; ``date``, ``date-time`` with its zone and ``decimal``
strings are checked).
"""
import copy
import re
from datetime import date, datetime

import pytest
from flask_appbuilder.api import ModelRestApi
from jsonschema import Draft7Validator, FormatChecker
from sqlalchemy import select

from app.cooperatives.models import Cooperative
from app.core.scope import system_scope
from app.extensions import db
from app.members.models import Member
from tests.conftest import api_token

ROLES = ["admin", "sudin.jakbar", "camat.kebonjeruk", "lurah.kebonjeruk", "pengurus.kebonjeruk",
         "sekretaris.kebonjeruk"]

formats = FormatChecker()


@formats.checks("date-time", raises=ValueError)
def _date_time(value):
    if not isinstance(value, str):
        return True
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        raise ValueError("no time zone")
    return True


@formats.checks("date", raises=ValueError)
def _date(value):
    return not isinstance(value, str) or bool(date.fromisoformat(value)) and len(value) == 10


def _as_json_schema(node):
    """OpenAPI 3.0 schema objects to JSON Schema draft 7: ``nullable`` is the only keyword that needs it."""
    if isinstance(node, list):
        return [_as_json_schema(n) for n in node]
    if not isinstance(node, dict):
        return node
    out = {k: _as_json_schema(v) for k, v in node.items()}
    if out.pop("nullable", False):
        if "type" in out:
            out["type"] = [out["type"], "null"] if isinstance(out["type"], str) else out["type"] + ["null"]
        else:
            out = {"anyOf": [out, {"type": "null"}]}
    return out


def _validator(spec, schema):
    root = {"components": _as_json_schema(copy.deepcopy(spec.get("components", {})))}
    root.update(_as_json_schema(copy.deepcopy(schema)))
    return Draft7Validator(root, format_checker=formats)


def _response_schema(spec, path, method="get", code="200"):
    responses = spec["paths"][path][method]["responses"]
    answer = responses.get(code) or responses.get(int(code))
    assert answer and "content" in answer, f"{method.upper()} {path} documents no {code} body"
    return answer["content"]["application/json"]["schema"]


def _errors(validator, body):
    return [f"{'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}"
            for e in validator.iter_errors(body)][:5]


def _apis(app):
    return [v for v in app.appbuilder.baseviews if isinstance(v, ModelRestApi)]


@pytest.mark.parametrize("username", ROLES)
def test_every_api_answer_matches_its_openapi_description(app, username):
    client = app.test_client()
    # The description is the same for everyone (only Admin may download it); the answers differ by scope.
    spec = client.get("/api/v1/_openapi", headers=api_token(client, "admin")).json
    headers = api_token(client, username)
    problems, checked = [], 0
    for api in _apis(app):
        base = f"/api/v1/{api.resource_name}/"
        if base not in spec["paths"]:
            continue
        listed = client.get(base + "?q=(page_size:25)", headers=headers)
        if listed.status_code != 200:
            continue
        problems += [f"GET {base}: {e}" for e in _errors(_validator(spec, _response_schema(spec, base)),
                                                           listed.json)]
        item_path = base + "{pk}"
        for pk in listed.json["ids"][:3]:
            shown = client.get(f"{base}{pk}", headers=headers)
            assert shown.status_code == 200, (base, pk)
            problems += [f"GET {base}{pk}: {e}" for e in _errors(
                _validator(spec, _response_schema(spec, item_path)), shown.json)]
            checked += 1
    assert checked, "no record was read"
    assert not problems, "\n".join(problems)


def test_money_leaves_as_a_two_decimal_string_and_moments_with_their_zone(app):
    """A client never has to guess: rupiah are "25000.00" (no float rounding), timestamps carry +00:00."""
    client = app.test_client()
    headers = api_token(client, "admin")
    tx = client.get("/api/v1/savings_transaction/?q=(page_size:1)", headers=headers).json["result"][0]
    assert re.fullmatch(r"\d+\.\d{2}", tx["amount"]), tx["amount"]
    entry = client.get("/api/v1/journal_entry/?q=(page_size:1)", headers=headers).json["result"][0]
    assert datetime.fromisoformat(entry["posted_at"]).utcoffset().total_seconds() == 0
    assert re.fullmatch(r"\d+\.\d{2}", entry["total"]), entry["total"]


# -- lost updates through the API ---------------------------------------------------------------------------


def _own_member(app):
    with app.app_context(), system_scope():
        coop = db.session.scalar(select(Cooperative.id).where(Cooperative.region_code == "31.73.05.1001"))
        member = db.session.scalars(select(Member).where(Member.cooperative_id == coop)
                                    .order_by(Member.id)).first()
        result = member.id
        db.session.remove()
    return result


def _address_of(app, pk):
    with app.app_context(), system_scope():
        value = db.session.get(Member, pk).address
        db.session.remove()
    return value


def test_an_api_edit_must_name_the_version_it_changes(app):
    """PUT without If-Match or "version" is refused with 428 and writes nothing."""
    client = app.test_client()
    headers = api_token(client, "sekretaris.kebonjeruk")
    pk = _own_member(app)
    before = _address_of(app, pk)
    r = client.put(f"/api/v1/member/{pk}", json={"address": "Jl. Tanpa Versi 1"}, headers=headers)
    assert r.status_code == 428, r.get_data(as_text=True)
    assert _address_of(app, pk) == before


def test_a_second_api_client_with_an_old_version_is_refused(app):
    """Two clients read the same member; the first saves; the second, still holding the old ETag, gets 412 and
    its change is not written: the first client's address stays."""
    first, second = app.test_client(), app.test_client()
    h1, h2 = api_token(first, "sekretaris.kebonjeruk"), api_token(second, "pengurus.kebonjeruk")
    pk = _own_member(app)
    got1, got2 = first.get(f"/api/v1/member/{pk}", headers=h1), second.get(f"/api/v1/member/{pk}", headers=h2)
    etag = got1.headers["ETag"]
    assert etag == got2.headers["ETag"] == f'"{got1.json["result"]["version"]}"'

    saved = first.put(f"/api/v1/member/{pk}", json={"address": "Jl. Pertama 1"},
                      headers={**h1, "If-Match": etag})
    assert saved.status_code == 200, saved.get_data(as_text=True)
    assert saved.headers["ETag"] != etag

    stale = second.put(f"/api/v1/member/{pk}", json={"address": "Jl. Kedua 2"}, headers={**h2, "If-Match": etag})
    assert stale.status_code == 412, stale.get_data(as_text=True)
    assert stale.headers["ETag"] == saved.headers["ETag"]
    assert _address_of(app, pk) == "Jl. Pertama 1"

    # The version may also travel in the body, for clients that cannot set headers.
    fresh = second.get(f"/api/v1/member/{pk}", headers=h2).json["result"]["version"]
    again = second.put(f"/api/v1/member/{pk}", json={"address": "Jl. Kedua 2", "version": fresh}, headers=h2)
    assert again.status_code == 200, again.get_data(as_text=True)
    assert _address_of(app, pk) == "Jl. Kedua 2"
    old = second.put(f"/api/v1/member/{pk}", json={"address": "Jl. Ketiga 3", "version": fresh}, headers=h2)
    assert old.status_code == 412
    assert _address_of(app, pk) == "Jl. Kedua 2"


@pytest.mark.parametrize("resource", ["cooperative", "account", "member"])
def test_every_editable_api_answers_an_etag_and_documents_if_match(app, resource):
    client = app.test_client()
    headers = api_token(client, "admin")
    spec = client.get("/api/v1/_openapi", headers=headers).json
    put = spec["paths"][f"/api/v1/{resource}/{{pk}}"]["put"]
    assert any(p["name"] == "If-Match" and p["in"] == "header" for p in put.get("parameters", []))
    assert {"412", "428"} <= {str(code) for code in put["responses"]}
    get = spec["paths"][f"/api/v1/{resource}/{{pk}}"]["get"]["responses"]
    assert "ETag" in (get.get("200") or get.get(200))["headers"]
    pk = client.get(f"/api/v1/{resource}/?q=(page_size:1)", headers=headers).json["ids"][0]
    assert re.fullmatch(r'"\d+"', client.get(f"/api/v1/{resource}/{pk}", headers=headers).headers["ETag"])


# -- who is calling -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("token", ["not-a-jwt", "a.b.c",
                                   "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl"])
def test_a_bad_token_is_told_to_sign_in_again(app, token):
    """Garbage, a forged signature: 401 with WWW-Authenticate, never 422 ("your data is wrong")."""
    r = app.test_client().get("/api/v1/member/", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 401, r.get_data(as_text=True)
    assert r.headers["WWW-Authenticate"].startswith("Bearer")


def test_an_expired_token_is_told_to_sign_in_again(app):
    from datetime import timedelta

    from flask_jwt_extended import create_access_token

    with app.test_request_context():
        token = create_access_token(identity="1", expires_delta=timedelta(seconds=-5), fresh=False)
    r = app.test_client().get("/api/v1/member/", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 401


def test_a_cookie_session_cannot_write_through_the_api_without_the_csrf_token(app):
    """A page on another site cannot ride a secretary's logged-in browser to register a member through the
    API: without the page's CSRF token the call is refused and nothing is written; with it, the ordinary rules
    apply (here: the request is incomplete, so 422, not a CSRF refusal)."""
    from tests.conftest import Session

    s = Session(app, "sekretaris.kebonjeruk")
    with app.app_context(), system_scope():
        before = db.session.query(Member).count()
        db.session.remove()
    r = s.client.post("/api/v1/member/", json={"name": "Lewat Cookie"})
    assert r.status_code == 400, r.get_data(as_text=True)
    r = s.client.put(f"/api/v1/member/{_own_member(app)}", json={"address": "Jl. Cookie"})
    assert r.status_code == 400
    with app.app_context(), system_scope():
        assert db.session.query(Member).count() == before
        db.session.remove()
    token = s.token("/anggota/add")
    assert token
    r = s.client.post("/api/v1/member/", json={"name": "Lewat Cookie"}, headers={"X-CSRFToken": token})
    assert r.status_code == 422, r.get_data(as_text=True)


def test_a_wrong_password_at_the_api_login_is_refused_in_the_users_language(app):
    """FAB's own answer is an English "Not authorized"; the API speaks Indonesian like the login form, with the
    form's words, so a wrong password and an account still waiting read alike."""
    r = app.test_client().post("/api/v1/security/login",
                               json={"username": "sekretaris.kebonjeruk", "password": "salah-sekali", "provider": "db"})
    assert r.status_code == 401
    assert r.get_json() == {"message": "Gagal masuk. Silakan coba lagi."}
