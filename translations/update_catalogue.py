"""Refresh translations/id from the code: our strings plus Flask-AppBuilder's own (kept in fab.pot).

FAB ships no Indonesian catalogue, so its strings live in our messages.po too; extracting only our code would
mark them obsolete. Run via `make translations-extract`, translate the new empty entries, then `make translations`.
"""
import os
import subprocess
import sys

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def main():
    ours = os.path.join(HERE, "app.pot")
    subprocess.run([os.path.join(os.path.dirname(sys.executable), "pybabel"), "extract", "-F",
                    os.path.join(ROOT, "babel.cfg"), "-k", "_l", "-k", "lazy_gettext", "-o", ours,
                    os.path.join(ROOT, "app")], check=True)
    merged = Catalog()
    for path in (os.path.join(HERE, "fab.pot"), ours):
        with open(path, "rb") as f:
            for message in read_po(f):
                if message.id and message.id not in merged:
                    merged.add(message.id, locations=message.locations, flags=message.flags)
    os.remove(ours)
    template = os.path.join(HERE, "messages.pot")
    with open(template, "wb") as f:
        write_po(f, merged, omit_header=False, sort_output=True)
    po_path = os.path.join(HERE, "id", "LC_MESSAGES", "messages.po")
    with open(po_path, "rb") as f:
        catalog = read_po(f, locale="id")
    catalog.update(merged, no_fuzzy_matching=True)
    with open(po_path, "wb") as f:
        write_po(f, catalog, sort_output=True, ignore_obsolete=True, width=120)
    os.remove(template)
    missing = [m.id for m in catalog if m.id and not m.string]
    print(f"{len(catalog)} entries, {len(missing)} untranslated")


if __name__ == "__main__":
    main()
