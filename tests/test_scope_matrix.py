"""The scope matrix: every registered view and API over a cooperative's data, as every demo role, against rows of
the user's own cooperative, a sibling in the same kecamatan and a cooperative in another city.

Generated from `appbuilder.baseviews`, so a new view is checked without touching this file. It proves no read leaks
(list, show, edit form, related selects, API list/get/_info) and no write lands (edit, delete, bulk action, API
put/delete); and the same walk with the scope layer switched off finds leaks, so the walk can catch them.
"""
import re

import pytest
from flask_appbuilder import ModelRestApi, ModelView
from sqlalchemy import func, select

from app.cooperatives.models import Cooperative
from app.core.scope import scope_disabled
from app.core.tenancy import TenantMixin
from tests.conftest import Session, api_token

OWN, SIBLING, OTHER_CITY = "31.73.05.1001", "31.73.05.1002", "35.73.03.1010"
ROWS = {"own": OWN, "sibling": SIBLING, "other": OTHER_CITY}

# Which of the three cooperatives each demo user may read; writing additionally needs the role's permission.
READS = {
    "admin": {"own", "sibling", "other"},
    "sudin.jakbar": {"own", "sibling"},
    "camat.kebonjeruk": {"own", "sibling"},
    "lurah.kebonjeruk": {"own"},
    "pengurus.kebonjeruk": {"own"},
    "sekretaris.kebonjeruk": {"own"},
}
WRITES_IN_SCOPE = {"admin", "sudin.jakbar", "pengurus.kebonjeruk", "sekretaris.kebonjeruk"}


def xlsx_text(data):
    import io

    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(data), read_only=True)
    return "\n".join(str(c) for row in wb.active.iter_rows(values_only=True) for c in row if c is not None)


def scoped_model(view):
    model = view.datamodel.obj
    return issubclass(model, (TenantMixin, Cooperative))


def registered(app, kind):
    return [v for v in app.appbuilder.baseviews if isinstance(v, kind) and scoped_model(v)]


def row_ids(sysdb, model):
    """One row of `model` per cooperative of interest, and each row's version."""
    out = {}
    for key, code in ROWS.items():
        coop_id = sysdb.scalar(select(Cooperative.id).where(Cooperative.region_code == code))
        if model is Cooperative:
            out[key] = coop_id
        else:
            out[key] = sysdb.scalar(select(model.id).where(model.cooperative_id == coop_id).order_by(model.id))
        assert out[key] is not None, (model, key)
    return out


def version_of(sysdb, model, pk):
    sysdb.expire_all()
    row = sysdb.get(model, pk)
    return (row.version, len(row.__dict__)) if row is not None else None


def permitted(app, username, permission, view_name):
    role_names = {"admin": ["Admin"], "sudin.jakbar": ["Sudin"], "camat.kebonjeruk": ["Camat"],
                  "lurah.kebonjeruk": ["Lurah"], "pengurus.kebonjeruk": ["Pengurus"],
                  "sekretaris.kebonjeruk": ["Sekretaris"]}[username]
    if "Admin" in role_names:
        return True
    sm = app.appbuilder.sm
    with app.app_context():
        return any(sm._has_access_builtin_roles(sm.find_role(r), permission, view_name) for r in role_names)


def readable_coops(app, username):
    from app.core.scope import scope_for_user
    from app.extensions import db
    from app.security.models import KkmpUser

    with app.app_context():
        user = db.session.scalar(select(KkmpUser).where(KkmpUser.username == username))
        scope = scope_for_user(user, db.session)
        ids = None if scope.all else set(scope.read_ids)
        db.session.remove()
    return ids


def expected_count(sysdb, model, coop_ids):
    column = model.id if model is Cooperative else model.cooperative_id
    stmt = select(func.count()).select_from(model)
    if coop_ids is not None:
        stmt = stmt.where(column.in_(coop_ids)) if coop_ids else stmt.where(False)
    return sysdb.scalar(stmt)


def walk(app, sysdb, username):
    """Return a list of violations (empty when scope holds everywhere)."""
    problems = []
    s = Session(app, username)
    token = s.token("/")
    reads = READS[username]
    coop_ids = readable_coops(app, username)
    for view in registered(app, ModelView):
        model = view.datamodel.obj
        base = view.route_base
        name = view.class_permission_name
        ids = row_ids(sysdb, model)
        listing = s.get(f"{base}/list/?psize_{type(view).__name__}=5000").get_data(as_text=True)
        # The record count must not count rows the user cannot see (FAB counts in a wrapped subquery).
        count = re.search(r"(?:Record Count|Jumlah Data):</strong>\s*(\d+)", listing)
        expected = expected_count(sysdb, model, coop_ids)
        if count is None or (coop_ids is not None and int(count.group(1)) != expected):
            problems.append(f"{username} list {base}: record count {count and count.group(1)}, expected {expected}")
        for key, pk in ids.items():
            visible = key in reads
            shown = f"{base}/show/{pk}\"" in listing
            if shown != visible:
                problems.append(f"{username} list {base}: row of {key} shown={shown}")
            status = s.get(f"{base}/show/{pk}").status_code
            if status != (200 if visible else 404):
                problems.append(f"{username} show {base}/{pk} ({key}): {status}")
            can_edit = permitted(app, username, "can_edit", name)
            before = version_of(sysdb, model, pk)
            if "edit" in view.include_route_methods if view.include_route_methods else True:
                r = s.get(f"{base}/edit/{pk}")
                expected = 403 if not can_edit else (200 if visible else 404)
                if r.status_code != expected:
                    problems.append(f"{username} edit form {base}/{pk} ({key}): {r.status_code} != {expected}")
                # Write attempts where the user may not write (allowed writes are tested per domain).
                token = s.token("/")
                if not (visible and can_edit and username in WRITES_IN_SCOPE):
                    r = s.client.post(f"{base}/edit/{pk}", data={"csrf_token": token,
                                                                 "kkmp_version": str(before[0])})
                    if version_of(sysdb, model, pk) != before:
                        problems.append(f"{username} edit POST {base}/{pk} ({key}) wrote")
                    if r.status_code not in (302, 403, 404):
                        problems.append(f"{username} edit POST {base}/{pk} ({key}): {r.status_code}")
                if not (visible and permitted(app, username, "can_delete", name)):
                    r = s.client.post(f"{base}/delete/{pk}", data={"csrf_token": token})
                    if version_of(sysdb, model, pk) is None:
                        problems.append(f"{username} delete {base}/{pk} ({key}) deleted the row")
                        return problems  # the data set is damaged; stop here
                    if r.status_code not in (403, 404):
                        problems.append(f"{username} delete {base}/{pk} ({key}): {r.status_code}")
            if not visible:
                r = s.client.post(f"{base}/action_post", data={"csrf_token": token, "action": "any",
                                                               "rowid": [str(pk)]})
                if r.status_code not in (403, 404):
                    problems.append(f"{username} action_post {base} foreign row ({key}): {r.status_code}")
        # The Excel and CSV exports hold exactly the cooperatives the user may see.
        if permitted(app, username, "can_export", name):
            r = s.get(f"{base}/export/xlsx")
            if r.status_code != 200:
                problems.append(f"{username} export {base}: {r.status_code}")
            else:
                cells = xlsx_text(r.data)
                for key, code in ROWS.items():
                    coop_name = sysdb.scalar(select(Cooperative.name).where(Cooperative.region_code == code))
                    if (coop_name in cells) != (key in reads):
                        problems.append(f"{username} export {base}: {key} present={coop_name in cells}")
            r = s.get(f"{base}/export/csv")
            if r.status_code != 200:
                problems.append(f"{username} csv export {base}: {r.status_code}")
            else:
                text = r.get_data(as_text=True)
                for key, code in ROWS.items():
                    coop_name = sysdb.scalar(select(Cooperative.name).where(Cooperative.region_code == code))
                    if (coop_name in text) != (key in reads):
                        problems.append(f"{username} csv export {base}: {key} present={coop_name in text}")
        # Related selects in the add form list only cooperatives the user may see.
        if permitted(app, username, "can_add", name):
            form = s.get(f"{base}/add").get_data(as_text=True)
            for key, code in ROWS.items():
                coop_name = sysdb.scalar(select(Cooperative.name).where(Cooperative.region_code == code))
                if key not in reads and re.search(re.escape(coop_name) + r"\s*<", form):
                    problems.append(f"{username} add form {base} offers {key} cooperative")
    for api in registered(app, ModelRestApi):
        model = api.datamodel.obj
        base = f"/api/v1/{api.resource_name}"
        headers = api_token(s.client, username)
        ids = row_ids(sysdb, model)
        listed = s.client.get(f"{base}/?q=(page_size:100)", headers=headers)
        complete_page = listed.status_code == 200 and listed.json["count"] <= 100  # the API caps pages at 100
        listed_ids = set(listed.json.get("ids", [])) if listed.status_code == 200 else set()
        if listed.status_code == 200 and coop_ids is not None and listed.json["count"] != expected_count(
                sysdb, model, coop_ids):
            problems.append(f"{username} API list {base}: count {listed.json['count']} is not the rows in scope")
        for key, pk in ids.items():
            visible = key in reads
            if (pk in listed_ids) != visible and (complete_page or pk in listed_ids):
                problems.append(f"{username} API list {base}: {key} listed={pk in listed_ids}")
            status = s.client.get(f"{base}/{pk}", headers=headers).status_code
            if status != (200 if visible else 404):
                problems.append(f"{username} API get {base}/{pk} ({key}): {status}")
            before = version_of(sysdb, model, pk)
            may_write = (visible and username in WRITES_IN_SCOPE
                         and permitted(app, username, "can_put", api.class_permission_name))
            if not may_write:
                # With the row's real version, so that only scope and permission can refuse it (not If-Match).
                r = s.client.put(f"{base}/{pk}", json={"name": "Diubah"} if model is Cooperative else {},
                                 headers={**headers, "If-Match": f'"{before[0] if before else 0}"'})
                if version_of(sysdb, model, pk) != before:
                    problems.append(f"{username} API put {base}/{pk} ({key}) wrote")
                if r.status_code not in (403, 404):
                    problems.append(f"{username} API put {base}/{pk} ({key}): {r.status_code}")
            if not (visible and permitted(app, username, "can_delete", api.class_permission_name)):
                s.client.delete(f"{base}/{pk}", headers=headers)
                if version_of(sysdb, model, pk) is None:
                    problems.append(f"{username} API delete {base}/{pk} ({key}) deleted the row")
                    return problems
        info = s.client.get(f"{base}/_info", headers=headers)
        if info.status_code == 200:
            text = info.get_data(as_text=True)
            for key, code in ROWS.items():
                coop_name = sysdb.scalar(select(Cooperative.name).where(Cooperative.region_code == code))
                if key not in reads and coop_name in text:
                    problems.append(f"{username} API _info {base} lists {key} cooperative")
        # Posting a row that names a foreign cooperative, or moving an own row there, never lands.
        if issubclass(model, TenantMixin) and permitted(app, username, "can_post", api.class_permission_name):
            foreign = sysdb.scalar(select(Cooperative.id).where(Cooperative.region_code == OTHER_CITY))
            before_count = sysdb.scalar(select(func.count()).select_from(model).where(
                model.cooperative_id == foreign))
            if "cooperative" in (api.add_columns or []) and "other" not in reads:
                r = s.client.post(f"{base}/", json={"cooperative": foreign}, headers=headers)
                if r.status_code in (200, 201):
                    problems.append(f"{username} API post {base} into a foreign cooperative: {r.status_code}")
            if "cooperative" in (api.edit_columns or []) and "other" not in reads and "own" in reads:
                r = s.client.put(f"{base}/{ids['own']}", json={"cooperative": foreign},
                                 headers={**headers, "If-Match": f'"{(version_of(sysdb, model, ids["own"]) or (0,))[0]}"'})
                if r.status_code in (200, 201):
                    problems.append(f"{username} API put {base} moved a row to a foreign cooperative")
            sysdb.expire_all()
            if sysdb.scalar(select(func.count()).select_from(model).where(
                    model.cooperative_id == foreign)) != before_count:
                problems.append(f"{username} API {base}: rows appeared in a foreign cooperative")
        if model is Cooperative and username != "admin":
            # Posting a cooperative (a new one, or one naming a foreign kelurahan) is refused for non-admins
            # outside their area.
            r = s.client.post(f"{base}/", json={"region_code": "35.73.03.1001", "name": "Asing"}, headers=headers)
            if r.status_code == 201:
                problems.append(f"{username} API post {base} created a cooperative outside their area")
    return problems


@pytest.mark.parametrize("username", sorted(READS))
def test_no_read_leaks_and_no_write_lands_outside_the_users_area(app, sysdb, username):
    assert registered(app, ModelView), "no scoped views found"
    assert walk(app, sysdb, username) == []


def test_the_walk_catches_leaks_when_the_scope_layer_is_switched_off(app, sysdb):
    with scope_disabled():
        problems = walk(app, sysdb, "lurah.kebonjeruk")
    assert any("list" in p for p in problems) and any("show" in p for p in problems), problems


def test_moving_a_row_to_another_cooperative_is_refused_and_nothing_is_written(app, sysdb, login):
    from app.cooperatives.models import BusinessUnit

    own = sysdb.scalar(select(Cooperative.id).where(Cooperative.region_code == OWN))
    other = sysdb.scalar(select(Cooperative.id).where(Cooperative.region_code == OTHER_CITY))
    unit_id = sysdb.scalar(select(BusinessUnit.id).where(BusinessUnit.cooperative_id == own))
    s = login("sekretaris.kebonjeruk")
    # The add form offers only the secretary's own cooperative; a tampered id is refused, nothing written.
    before = sysdb.scalar(select(BusinessUnit.id).where(BusinessUnit.cooperative_id == other,
                                                         BusinessUnit.kind == "klinik"))
    r = s.post("/unit-usaha/add", {"cooperative": str(other), "kind": "klinik", "status": "rencana",
                                   "started_on": "", "notes": ""})
    assert r.status_code in (200, 302)
    sysdb.expire_all()
    assert sysdb.scalar(select(BusinessUnit.id).where(BusinessUnit.cooperative_id == other,
                                                      BusinessUnit.kind == "klinik")) == before
    # The registry API refuses a cooperative PUT that would land outside the user's area.
    headers = api_token(s.client, "sekretaris.kebonjeruk")
    r = s.client.put(f"/api/v1/cooperative/{other}", json={"name": "x"}, headers=headers)
    assert r.status_code in (403, 404)
    assert sysdb.get(BusinessUnit, unit_id).cooperative_id == own


def test_read_only_roles_cannot_write_even_through_the_orm(app, sysdb):
    """The session layer gives Camat and Lurah an empty write scope, whatever code path runs as them."""
    from app.core.scope import TenantScopeError, current_scope
    from app.extensions import db

    with app.test_request_context():
        from flask import g

        from app.security.models import KkmpUser
        user = db.session.scalar(select(KkmpUser).where(KkmpUser.username == "lurah.kebonjeruk"))
        g.user = user
        scope = current_scope()
        assert scope.write_ids == frozenset() and len(scope.read_ids) == 1
        coop = db.session.scalar(select(Cooperative))
        coop.address = "diubah oleh lurah"
        with pytest.raises(TenantScopeError):
            db.session.flush()
        db.session.rollback()
        db.session.remove()
