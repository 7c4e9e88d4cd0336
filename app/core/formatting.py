"""Indonesian presentation of money and dates: Rp1.234.567 and dd/mm/yyyy. Decimal only, never float."""
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape

# The one list of month names (was three: ledger statements, oversight exports, savings), in the reader's language.
MONTHS = (_l("Januari"), _l("Februari"), _l("Maret"), _l("April"), _l("Mei"), _l("Juni"), _l("Juli"),
          _l("Agustus"), _l("September"), _l("Oktober"), _l("November"), _l("Desember"))


def month_name(month):
    """``Agustus`` (``August`` in English) for 8."""
    return str(MONTHS[int(month) - 1])


def _group(digits):
    out = []
    while len(digits) > 3:
        out.insert(0, digits[-3:])
        digits = digits[:-3]
    out.insert(0, digits)
    return ".".join(out)


def rupiah(value, with_cents=False):
    """``Rp1.234.567`` (``-Rp1.234.567`` when negative); ``with_cents`` adds ``,50``."""
    if value is None or value == "":
        return ""
    amount = Decimal(str(value)) if not isinstance(value, Decimal) else value
    quant = Decimal("0.01") if with_cents else Decimal("1")
    amount = amount.quantize(quant, rounding=ROUND_HALF_UP)
    sign = "-" if amount < 0 else ""
    whole, _, cents = f"{abs(amount):f}".partition(".")
    text = f"{sign}Rp{_group(whole)}"
    if with_cents:
        text += "," + (cents or "00")
    return text


def tanggal(value):
    """``24/11/2026``; datetimes keep their time as ``24/11/2026 13:05``."""
    if value is None or value == "":
        return ""
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return str(value)


def number(value):
    """A quantity as people write it: ``12.500`` (thousands with a dot), ``2,5`` (decimal comma), trailing zeros
    dropped (116.000 kg -> ``116``)."""
    if value is None or value == "":
        return ""
    amount = Decimal(str(value)) if not isinstance(value, Decimal) else value
    sign = "-" if amount < 0 else ""
    whole, _, fraction = f"{abs(amount):f}".partition(".")
    fraction = fraction.rstrip("0")
    return f"{sign}{_group(whole)}" + (f",{fraction}" if fraction else "")


def percent(value, places=None):
    """``12,50%``: the Indonesian decimal comma (``places`` fixes the decimals)."""
    if value is None:
        return ""
    text = f"{Decimal(value):.{places}f}" if places is not None else f"{value}"
    return text.replace(".", ",") + "%"


def blank_if_none(value):
    return "" if value is None else value


def yes_no(value):
    from flask_babel import gettext
    return gettext("Ya") if value else gettext("Tidak")


def _finalize(value):
    """Every ``{{ ... }}`` that is None prints as nothing, never "None" (a FAB show page's empty field, a
    template's missing value), whichever view or template it comes from."""
    return "" if value is None else value


def register_template_filters(app):
    app.jinja_env.finalize = _finalize
    app.jinja_env.filters["rupiah"] = rupiah
    app.jinja_env.filters["tanggal"] = tanggal
    app.jinja_env.filters["percent"] = percent


def progress_bar(value):
    """A small bootstrap progress bar for a 0-100 readiness figure (escaped, never raw user text)."""
    value = int(value or 0)
    return Markup(
        '<div class="progress kkmp-progress" title="{v}%"><div class="progress-bar" role="progressbar" '
        'style="width: {v}%;" aria-valuenow="{v}" aria-valuemin="0" aria-valuemax="100">{v}%</div></div>'
    ).format(v=escape(value))
