"""Issue 11.9: the leftovers a Sudin meets in the user admin and elsewhere.

The user list says Ya/Tidak, role names plainly and the scope's own name (not True, [Sudin], koperasi #1); the
user form carries no help about DB/LDAP/OID and offers the scope as a picker of the Sudin's own city; empty
fields never print as "None". (select2 in Indonesian: tests/browser/test_leftovers_browser.py.)"""
import re

from sqlalchemy import select

from app.security.models import KkmpUser


def _cells(html):
    table = html.split("table-bordered", 1)[1]
    return [c.strip() for c in re.findall(r"<td>([^<]*)</td>", table)]


def test_the_user_list_says_ya_role_names_and_the_cooperatives_name(login):
    html = login("sudin.jakbar").get("/users/list/?psize_KkmpUserView=100").get_data(as_text=True)
    cells = _cells(html)
    assert "True" not in cells and "False" not in cells and "Ya" in cells
    assert not [c for c in cells if c.startswith("[")], "roles shown as a Python list"
    assert "koperasi #" not in html
    assert "Koperasi Kelurahan Merah Putih Kebon Jeruk" in cells
    assert "Kelurahan Kebon Jeruk (31.73.05.1001)" in cells


def test_the_user_show_page_prints_no_none_and_no_python_values(login, sysdb):
    s = login("sudin.jakbar")
    uid = sysdb.scalar(select(KkmpUser.id).where(KkmpUser.username == "sekretaris.kebonjeruk"))
    html = s.get(f"/users/show/{uid}").get_data(as_text=True)
    assert not re.search(r">\s*(None|True|False)\s*<", html)
    assert "[Sekretaris]" not in html and "Koperasi Kelurahan Merah Putih Kebon Jeruk" in html


def test_the_user_form_has_no_db_ldap_oid_help_and_a_region_picker(login):
    html = login("sudin.jakbar").get("/users/add").get_data(as_text=True)
    assert "LDAP" not in html and "OID" not in html
    assert re.search(r'<select class="form-control kkmp-region-picker" id="scope_code" name="scope_code" '
                     r'data-lookup="/users/wilayah"', html)
    assert "js/kkmp-select2.js" in html


def test_the_region_picker_offers_only_regions_of_the_sudins_city(login):
    s = login("sudin.jakbar")
    found = s.get("/users/wilayah?q=sukabumi").json["results"]
    assert {"id": "31.73.05.1002", "text": "31.73.05.1002 Kelurahan Sukabumi Utara"} in found
    assert all(r["id"].startswith("31.73.") for r in found)
    assert s.get("/users/wilayah?q=35.73").json["results"] == []
    by_code = s.get("/users/wilayah?q=31.73.05").json
    assert by_code["results"][0]["id"] == "31.73.05" and by_code["pagination"]["more"] is False
    # a user who may not manage users gets no list at all
    assert login("lurah.kebonjeruk").get("/users/wilayah?q=kebon").status_code in (302, 403)
