"""Both languages are complete: every string the code can show has an Indonesian translation, and an English one
(an English msgid is its own English; an Indonesian msgid needs an entry in translations/en that differs from it,
unless the entry says it reads the same in English)."""
import os

from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po

ROOT = os.path.join(os.path.dirname(__file__), "..")


def _app_msgids():
    keywords = dict(DEFAULT_KEYWORDS, _l=None, lazy_gettext=None)
    method_map = [("**.py", "python"), ("**/templates/**.html", "jinja2")]
    for _file, _line, message, _comments, _context in extract_from_dir(
            os.path.join(ROOT, "app"), method_map, keywords=keywords):
        msgid = message[0] if isinstance(message, tuple) else message
        if msgid:
            yield msgid


def _catalog(lang):
    with open(os.path.join(ROOT, "translations", lang, "LC_MESSAGES", "messages.po"), "rb") as f:
        return read_po(f, locale=lang)


def test_every_indonesian_message_of_the_app_has_an_english_translation():
    indonesian = {m.id: m.string for m in _catalog("id") if m.id and m.string and not m.fuzzy}
    english = {m.id: m for m in _catalog("en") if m.id and m.string and not m.fuzzy}
    missing, untranslated = set(), set()
    for msgid in set(_app_msgids()):
        if indonesian.get(msgid) != msgid:
            continue  # an English msgid (its Indonesian differs): already English
        entry = english.get(msgid)
        if entry is None:
            missing.add(msgid)
        elif entry.string == msgid and "same in English" not in entry.auto_comments:
            untranslated.add(msgid)
    assert not missing, f"add English to translations/en/LC_MESSAGES/messages.po: {sorted(missing)[:10]}"
    assert not untranslated, f"these English entries repeat the Indonesian: {sorted(untranslated)[:10]}"


def test_english_pages_read_english(app, login):
    s = login("sekretaris.kebonjeruk")
    s.get("/lang/en")
    html = s.get("/simpanan/transaksi/tunggakan").get_data(as_text=True)
    assert "Compulsory savings arrears" in html and "Tunggakan simpanan wajib" not in html
    assert "Savings" in html and "Membership" in html  # the menu
    s.get("/lang/id")
    assert "Tunggakan simpanan wajib" in s.get("/simpanan/transaksi/tunggakan").get_data(as_text=True)


def test_every_message_of_the_app_and_of_fab_is_translated_to_indonesian():
    with open(os.path.join(ROOT, "translations", "id", "LC_MESSAGES", "messages.po"), "rb") as f:
        catalog = read_po(f, locale="id")
    translated = {m.id for m in catalog if m.id and m.string and not m.fuzzy}
    keywords = dict(DEFAULT_KEYWORDS, _l=None, lazy_gettext=None)
    method_map = [("**.py", "python"), ("**/templates/**.html", "jinja2")]
    missing = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
            os.path.join(ROOT, "app"), method_map, keywords=keywords):
        msgid = message[0] if isinstance(message, tuple) else message
        if msgid and msgid not in translated:
            missing.add(msgid)
    assert not missing, f"run `make translations-extract` and translate: {sorted(missing)[:10]}"
    with open(os.path.join(ROOT, "translations", "fab.pot"), "rb") as f:
        fab = {m.id for m in read_po(f) if m.id}
    assert fab <= translated


def test_the_city_report_and_the_month_names_read_english(app, login):
    """The Sudin's consolidated report kept its Indonesian title and month names in English (issue 11.10); the
    month names come from one list (app/core/formatting.py MONTHS) for every screen."""
    s = login("sudin.jakbar")
    s.get("/lang/en")
    try:
        html = s.get("/laporan-konsolidasi/?bulan=8").get_data(as_text=True)
        assert "Consolidated financial statements" in html and "Konsolidasi Koperasi Se-Kota" not in html
        assert ">January<" in html and ">August<" in html and "Januari" not in html and "Agustus" not in html
    finally:
        s.get("/lang/id")
    html = s.get("/laporan-konsolidasi/?bulan=8").get_data(as_text=True)
    assert "Laporan Keuangan Konsolidasi Koperasi Se-Kota/Kabupaten" in html and ">Agustus<" in html


def test_a_language_forced_inside_a_request_is_the_one_its_messages_read(app):
    """The translations are kept for the request (app/core/i18n.py): a receipt or a letter printed in another
    language inside the same request (force_locale) still reads that language, in Python and in a template, and
    the request's own language comes back after it."""
    from flask import render_template_string
    from flask_babel import force_locale, gettext, lazy_gettext

    label = lazy_gettext("Simpanan")
    with app.test_request_context("/"):
        assert gettext("Simpanan") == "Simpanan"  # looked up and kept for the request
        with force_locale("en"):
            assert gettext("Simpanan") == "Savings"
            assert str(label) == "Savings"
            assert render_template_string("{{ _('Simpanan') }}") == "Savings"
            with force_locale("id"):
                assert gettext("Simpanan") == "Simpanan"
            assert gettext("Simpanan") == "Savings"
        assert gettext("Simpanan") == "Simpanan"
        assert render_template_string("{{ _('Simpanan') }}") == "Simpanan"


def test_the_member_list_switches_language_with_its_status_labels(app, login):
    """A list's lazy labels (the member status) are translated once per page: switching the language between
    requests switches every row's label, back and forth."""
    s = login("sekretaris.kebonjeruk")
    try:
        for lang, word, other in (("en", ">Active<", ">Aktif<"), ("id", ">Aktif<", ">Active<"),
                                  ("en", ">Active<", ">Aktif<")):
            s.get(f"/lang/{lang}")
            html = s.get("/anggota/list/").get_data(as_text=True)
            assert html.count(word) >= 2 and other not in html, lang
    finally:
        s.get("/lang/id")
