"""Error pages speak Indonesian, say what to do, offer a way back, and keep the app's layout for a logged-in
user; the REST API keeps answering JSON."""
import io

import pytest
from flask import abort

from tests.conftest import api_token

NAVBAR = 'class="navbar'


def _text(r):
    return r.get_data(as_text=True)


def test_a_missing_page_answers_404_in_indonesian_inside_the_layout(login):
    r = login("sekretaris.kebonjeruk").get("/tidak-ada-halaman-ini", headers={"Referer": "/anggota/list/"})
    html = _text(r)
    assert r.status_code == 404
    assert "Halaman tidak ditemukan" in html
    assert "buka lagi halaman itu dari menu" in html
    assert NAVBAR in html and "kkmp.css" in html  # the app's layout, with its menu
    assert 'id="error-back" href="/anggota/list/"' in html and 'id="error-home" href="/"' in html
    assert "Not Found" not in html and "The requested URL" not in html


def test_a_record_outside_the_users_area_answers_the_same_404_page(login):
    r = login("sekretaris.lempake").get("/anggota/show/999999999")
    assert r.status_code == 404 and "Halaman tidak ditemukan" in _text(r) and NAVBAR in _text(r)


def test_a_visitor_not_logged_in_gets_a_plain_branded_404_with_a_login_link(client):
    r = client.get("/tidak-ada-halaman-ini")
    html = _text(r)
    assert r.status_code == 404
    assert "Halaman tidak ditemukan" in html and "Koperasi Kelurahan Merah Putih" in html
    assert 'id="error-login" href="/login/"' in html and 'name="viewport"' in html
    assert NAVBAR not in html


@pytest.mark.parametrize("code,title", [(403, "Akses ditolak"), (405, "Tindakan ini tidak bisa di sini"),
                                        (400, "Permintaan tidak dapat diproses")])
def test_other_refusals_get_their_own_indonesian_page(app, login, monkeypatch, code, title):
    session = login("pengurus.kebonjeruk")
    session.get("/")  # logged in before the home page is swapped for one that refuses
    monkeypatch.setitem(app.view_functions, "HomeView.index", lambda: abort(code))
    r = session.get("/")
    assert r.status_code == code and title in _text(r) and NAVBAR in _text(r)


def test_a_server_error_gets_an_indonesian_page_saying_nothing_was_saved(app, login, monkeypatch):
    session = login("sekretaris.kebonjeruk")
    session.get("/")

    def broken():
        raise RuntimeError("boom")

    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    monkeypatch.setitem(app.view_functions, "HomeView.index", broken)
    r = session.get("/")
    html = _text(r)
    assert r.status_code == 500
    assert "Terjadi kesalahan di sistem" in html and "tidak ada yang tersimpan" in html
    assert "boom" not in html and "Internal Server Error" not in html


def _oversized_xlsx(app):
    return io.BytesIO(b"x" * (app.config["MAX_CONTENT_LENGTH"] + 1024))


def test_an_oversized_import_upload_answers_413_in_indonesian_with_the_limit(app, login):
    session = login("sekretaris.kebonjeruk")
    r = session.post("/anggota/impor", data={"file": (_oversized_xlsx(app), "anggota.xlsx")},
                     content_type="multipart/form-data", form_url="/anggota/impor")
    html = _text(r)
    assert r.status_code == 413
    assert "Berkas terlalu besar" in html and "5 MB" in html and NAVBAR in html
    assert "Request Entity Too Large" not in html


def test_the_api_keeps_json_errors(app, client):
    r = client.get("/api/v1/tidak-ada/")
    assert r.status_code == 404 and r.is_json and "Halaman tidak ditemukan" in r.json["message"]
    r = client.post("/api/v1/member/", data=_oversized_xlsx(app).getvalue(), content_type="application/json",
                    headers=api_token(client, "sekretaris.kebonjeruk"))
    assert r.status_code == 413 and r.is_json and "Berkas terlalu besar" in r.json["message"]
