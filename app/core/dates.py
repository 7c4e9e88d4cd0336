"""Business dates: a cooperative's 'today' is in its own time zone (WIB, WITA or WIT); audit times are UTC.

This is the one 'today' of the application: every date shown, offered or assumed (form defaults, "not in the
future" checks, the month a bill run belongs to, activation and join dates, reports' default period) comes from
``local_today(cooperative)`` (also called ``today_for``). The server's own clock zone never matters: between
00:00 and 07:00 WIB the UTC date is still yesterday.

``utc_now()`` is the clock seam: tests freeze time by monkeypatching ``app.core.dates.utc_now``.
"""
from datetime import datetime, timezone
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
