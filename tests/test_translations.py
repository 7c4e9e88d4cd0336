"""Bahasa Indonesia is complete: every string the code can show has an Indonesian translation."""
import os

from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po

ROOT = os.path.join(os.path.dirname(__file__), "..")


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
