"""Business dates: a cooperative's 'today' is in its own time zone (WIB, WITA or WIT); audit times are UTC.

This is the one 'today' of the application: every date shown, offered or assumed (form defaults, "not in the
future" checks, the month a bill run belongs to, activation and join dates, reports' default period) comes from
``local_today(cooperative)`` (also called ``today_for``). The server's own clock zone never matters: between
00:00 and 07:00 WIB the UTC date is still yesterday.

``utc_now()`` is the clock seam: tests freeze time by monkeypatching ``app.core.dates.utc_now``.
"""
import re
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

WIB, WITA, WIT = ZoneInfo("Asia/Jakarta"), ZoneInfo("Asia/Makassar"), ZoneInfo("Asia/Jayapura")
_WITA_PROVINCES = {"51", "52", "53", "63", "64", "65", "71", "72", "73", "74", "75", "76"}
_WIT_PROVINCES = {"81", "82", "91", "92", "93", "94", "95", "96"}


def utc_now():
    """The current instant, aware, in UTC (the one clock every 'today' is derived from)."""
    return datetime.now(timezone.utc)


def cooperative_timezone(cooperative):
    """WIB for Sumatra, Java and Kalimantan Barat/Tengah (11-36, 61-62); WITA for Bali, Nusa Tenggara, the rest of
    Kalimantan and Sulawesi (51-53, 63-65, 71-76); WIT for Maluku and Papua (81-82, 91-96). ``cooperative``
    may also be a region code."""
    if isinstance(cooperative, str):  # a region code ("31.73" for a city's report)
        province = cooperative[:2]
    else:
        province = ((getattr(cooperative, "province_code", None) or getattr(cooperative, "region_code", None)
                     or "") if cooperative is not None else "")[:2]
    if province in _WIT_PROVINCES:
        return WIT
    if province in _WITA_PROVINCES:
        return WITA
    return WIB


def local_now(cooperative, now=None):
    """The cooperative's wall-clock time (aware), e.g. for 'printed at' lines."""
    return (now or utc_now()).astimezone(cooperative_timezone(cooperative))


def local_today(cooperative, now=None):
    """The cooperative's business date: today in its own time zone (``now``: an aware datetime, for tests).
    Without a cooperative: today in WIB (the zone of most cooperatives and of the national office)."""
    return local_now(cooperative, now).date()


today_for = local_today


def latest_today(now=None):
    """Today in the easternmost zone (WIT): a date after this is in the future for every cooperative. Used by
    generic 'not in the future' form checks that do not know the cooperative yet; the service then checks the
    cooperative's own date."""
    return (now or utc_now()).astimezone(WIT).date()


# -- dates typed by a person ------------------------------------------------------------------------------------

_DMY = re.compile(r"^(\d{1,2})([/-])(\d{1,2})\2(\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
DISPLAY_FORMAT = "%d/%m/%Y"


def parse_date(text):
    """The one parser for a date a person typed, pasted or put in a spreadsheet cell: ``17/08/1990``,
    ``1/8/1990``, ``17-08-1990`` or ISO ``1990-08-17`` (what a browser or a spreadsheet pastes). Returns a date, or None when the text is empty or no real date.
    A two-digit year is refused rather than guessed."""
    text = (text or "").strip()
    match = _DMY.match(text)
    if match:
        day, month, year = int(match.group(1)), int(match.group(3)), int(match.group(4))
    else:
        match = _ISO.match(text)
        if not match:
            return None
        year, month, day = (int(x) for x in match.groups())
    try:
        return date(year, month, day)
    except ValueError:
        return None


def date_error(label):
    """The message for a date that could not be read, naming the field."""
    from flask_babel import gettext

    return gettext("%(field)s: write the date as dd/mm/yyyy, for example 17/08/1990.", field=label)


def parse_date_field(text, label, field=None):
    """``parse_date`` for a required date of a form: raises ValidationFailed naming the field."""
    from .errors import ValidationFailed

    day = parse_date(text)
    if day is None:
        raise ValidationFailed(date_error(label), field)
    return day
