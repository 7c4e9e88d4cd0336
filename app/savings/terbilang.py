"""Amounts in words, in correct Indonesian, for receipts (kwitansi): ``terbilang(Decimal("1001000"))`` ->
``"satu juta seribu rupiah"``.

Rules: 1 before *ratus* and *ribu* fuses to *se* (seratus, seribu) but never before *juta*, *miliar*, *triliun*
(satu juta); 11-19 are *sebelas* and *N belas*; 10 is *sepuluh*; zero is *nol*. Written by hand: num2words'
Indonesian output is not trusted for receipts.
"""
from decimal import Decimal, InvalidOperation

_DIGITS = ["nol", "satu", "dua", "tiga", "empat", "lima", "enam", "tujuh", "delapan", "sembilan"]
_SCALES = [(10 ** 12, "triliun"), (10 ** 9, "miliar"), (10 ** 6, "juta")]


def _below_thousand(n):
    """Words for 1..999 (empty for 0)."""
    words = []
    hundreds, rest = divmod(n, 100)
    if hundreds == 1:
        words.append("seratus")
    elif hundreds > 1:
        words.append(f"{_DIGITS[hundreds]} ratus")
    if rest == 10:
        words.append("sepuluh")
    elif rest == 11:
        words.append("sebelas")
    elif 12 <= rest <= 19:
        words.append(f"{_DIGITS[rest - 10]} belas")
    elif rest >= 20:
        tens, ones = divmod(rest, 10)
        words.append(f"{_DIGITS[tens]} puluh")
        if ones:
            words.append(_DIGITS[ones])
    elif rest > 0:
        words.append(_DIGITS[rest])
    return " ".join(words)


def _words(n):
    if n == 0:
        return "nol"
    parts = []
    for size, name in _SCALES:
        count, n = divmod(n, size)
        if count:
            parts.append(f"{_words(count) if count >= 1000 else _below_thousand(count)} {name}")
    thousands, n = divmod(n, 1000)
    if thousands == 1:
        parts.append("seribu")
    elif thousands > 1:
        parts.append(f"{_below_thousand(thousands)} ribu")
    if n:
        parts.append(_below_thousand(n))
    return " ".join(parts)


def terbilang(amount, currency="rupiah"):
    """Words for a whole, non-negative rupiah amount (Decimal or int); sen are written as ``koma ... sen``."""
    try:
        value = amount if isinstance(amount, Decimal) else Decimal(str(amount))
    except (InvalidOperation, ValueError):
        raise ValueError(f"not an amount: {amount!r}") from None
    if not value.is_finite() or value < 0:
        raise ValueError(f"not a non-negative amount: {amount!r}")
    whole = int(value)
    cents = int((value - whole) * 100)
    text = _words(whole)
    if currency:
        text += f" {currency}"
    if cents:
        text += f" {_words(cents)} sen"
    return text


def terbilang_title(amount):
    """Capitalised for printing: ``Satu juta seribu rupiah``."""
    text = terbilang(amount)
    return text[:1].upper() + text[1:]
