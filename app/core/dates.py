"""Business dates: a cooperative's 'today' is in its own time zone (WIB, WITA or WIT); audit times are UTC."""
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

WIB, WITA, WIT = ZoneInfo("Asia/Jakarta"), ZoneInfo("Asia/Makassar"), ZoneInfo("Asia/Jayapura")
_WITA_PROVINCES = {"51", "52", "53", "63", "64", "65", "71", "72", "73", "74", "75", "76"}
_WIT_PROVINCES = {"81", "82", "91", "92", "93", "94", "95", "96"}


def cooperative_timezone(cooperative):
    """WIB for Sumatra, Java and Kalimantan Barat/Tengah (11-36, 61-62); WITA for Bali, Nusa Tenggara, the rest of
    Kalimantan and Sulawesi (51-53, 63-65, 71-76); WIT for Maluku and Papua (81-82, 91-96)."""
    province = ((getattr(cooperative, "province_code", None) or getattr(cooperative, "region_code", None)
                 or "") if cooperative is not None else "")[:2]
    if province in _WIT_PROVINCES:
        return WIT
    if province in _WITA_PROVINCES:
        return WITA
    return WIB


def local_today(cooperative, now=None):
    """The cooperative's business date: today in its own time zone (``now``: an aware datetime, for tests)."""
    now = now or datetime.now(timezone.utc)
    return now.astimezone(cooperative_timezone(cooperative)).date()
