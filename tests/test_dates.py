"""Dates are typed the way every page shows them (dd/mm/yyyy), pasted as ISO, and a date that is none gets an
Indonesian message naming the field, with what was typed still in the box."""
import re
from datetime import date

import pytest
from sqlalchemy import select

from app.members.models import Member

from tests.members.helpers import KEBON_JERUK, coop_id, member_form


@pytest.mark.parametrize("text,expected", [
    ("17/08/1990", date(1990, 8, 17)), ("1/8/1990", date(1990, 8, 1)), (" 17/08/1990 ", date(1990, 8, 17)),
    ("1990-08-17", date(1990, 8, 17)), ("17-08-1990", date(1990, 8, 17)),
    ("31/02/1990", None), ("17/08/90", None), ("08/17/1990", None), ("17.08.1990", None), ("", None), (None, None),
    ("17/08-1990", None)])
def test_the_one_date_parser_reads_what_people_type_and_nothing_else(text, expected):
    from app.core.dates import parse_date

    assert parse_date(text) == expected


def _add(s, sysdb, **over):
    data = member_form(KEBON_JERUK, **over)
    data["cooperative"] = str(coop_id(sysdb, KEBON_JERUK))
    return s.post("/anggota/add", data, form_url="/anggota/add"), data


def test_the_member_form_takes_dates_typed_as_dd_mm_yyyy(login, sysdb):
    s = login("sekretaris.kebonjeruk")
    r, _ = _add(s, sysdb, name="Dewi Tanggal Ketik", born=date(1990, 8, 17), birth_date="17/08/1990",
                join_date="1/10/2025")
    assert r.status_code == 302, re.findall(r'help-block[^<]*<', r.get_data(as_text=True))
    m = sysdb.scalar(select(Member).where(Member.name == "Dewi Tanggal Ketik"))
    assert (m.birth_date, m.join_date) == (date(1990, 8, 17), date(2025, 10, 1))
    # The edit form shows the stored dates the same way
    html = s.get(f"/anggota/edit/{m.id}").get_data(as_text=True)
    assert re.search(r'name="birth_date"[^>]*value="17/08/1990"|value="17/08/1990"[^>]*name="birth_date"', html)


def test_a_wrong_date_is_refused_in_indonesian_naming_the_field_and_keeps_what_was_typed(login, sysdb):
    s = login("sekretaris.kebonjeruk")
    before = sysdb.scalar(select(Member.id).where(Member.name == "Dewi Salah Tanggal"))
    r, _ = _add(s, sysdb, name="Dewi Salah Tanggal", birth_date="31/02/1990", join_date="01/10/2025")
    html = r.get_data(as_text=True)
    assert r.status_code == 200
    assert "Tanggal lahir: tulis tanggal sebagai dd/mm/yyyy, contoh 17/08/1990." in html
    assert "Not a valid date" not in html
    assert 'value="31/02/1990"' in html and 'value="01/10/2025"' in html  # neither date is wiped
    sysdb.expire_all()
    assert sysdb.scalar(select(Member.id).where(Member.name == "Dewi Salah Tanggal")) is before is None


def test_every_date_box_of_the_app_is_the_same_dd_mm_yyyy_widget(login):
    s = login("pengurus.kebonjeruk")
    for url in ("/anggota/add", "/simpanan/transaksi/setor", "/jurnal/baru"):
        html = s.get(url).get_data(as_text=True)
        assert "kkmp-date-input" in html and 'placeholder="dd/mm/yyyy"' in html, url
        assert 'type="date"' not in html and "appbuilder_date" not in html, url
        assert "/static/js/kkmp-date.js" in html, url


def test_a_list_searched_by_date_reads_the_date_as_dd_mm_yyyy(login, sysdb):
    from app.ledger.models import JournalEntry

    s = login("pengurus.kebonjeruk")
    coop = coop_id(sysdb, KEBON_JERUK)
    # A day whose number is at most 12 and differs from the month: read month-first it is another date.
    day = sysdb.scalar(select(JournalEntry.entry_date).where(JournalEntry.cooperative_id == coop)
                       .order_by(JournalEntry.entry_date))
    while day.day > 12 or day.day == day.month:
        day = sysdb.scalar(select(JournalEntry.entry_date).where(JournalEntry.cooperative_id == coop,
                                                                 JournalEntry.entry_date > day)
                           .order_by(JournalEntry.entry_date))
    numbers = set(sysdb.scalars(select(JournalEntry.number).where(JournalEntry.cooperative_id == coop,
                                                                  JournalEntry.entry_date == day)))
    for typed in (day.strftime("%d/%m/%Y"), day.isoformat()):
        html = s.get(f"/jurnal/list/?_flt_0_entry_date={typed}").get_data(as_text=True)
        shown = set(re.findall(r"JU-\d{4}-\d{6}", html))
        assert shown == numbers, (typed, shown, numbers)
    # The search box for the date is the same widget as every other date box
    html = s.get("/jurnal/list/").get_data(as_text=True)
    assert "kkmp-date-input" in html and "appbuilder_date" not in html


def test_the_log_filters_and_the_reversal_box_are_the_same_dd_mm_yyyy_widget_and_read_it(login, sysdb):
    """The audit and security logs' day filters and the journal's reversal date were browser date boxes (shown
    mm/dd/yyyy in an English browser, refused when typed by hand): now the app's own widget, read by parse_date."""
    from datetime import timedelta

    from app.ledger.models import JournalEntry

    s = login("sudin.jakbar")
    for url in ("/log-audit/list/", "/log-keamanan/list/", "/log-keamanan/harian"):
        r = s.get(url)
        assert r.status_code == 200, url
        html = r.get_data(as_text=True)
        assert "kkmp-date-input" in html and 'type="date"' not in html, url
    tomorrow = date.today() + timedelta(days=2)
    assert "kkmp-log-filter" in s.get("/log-audit/list/").get_data(as_text=True)
    for typed in (tomorrow.strftime("%d/%m/%Y"), tomorrow.isoformat()):
        html = s.get(f"/log-audit/list/?dari={typed}").get_data(as_text=True)
        # The box shows what was read, as the widget writes it; no row is dated after tomorrow.
        assert f'value="{tomorrow:%d/%m/%Y}"' in html, typed
        assert not re.search(r"\d\d/\d\d/\d{4} \d\d:\d\d WIB", html.split("kkmp-log-filter-submit", 1)[1]), typed
    pengurus = login("pengurus.kebonjeruk")
    entry = sysdb.scalar(select(JournalEntry.id).where(JournalEntry.cooperative_id == coop_id(sysdb, KEBON_JERUK))
                         .order_by(JournalEntry.id.desc()))
    html = pengurus.get(f"/jurnal/show/{entry}").get_data(as_text=True)
    box = re.search(r'<input[^>]*name="entry_date"[^>]*>', html).group(0)
    assert "kkmp-date-input" in box and 'type="date"' not in box
    assert re.search(r'value="\d\d/\d\d/\d{4}"', box), box
