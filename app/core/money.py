"""The one rupiah parser, and the form and API fields built on it.

Indonesian writing: the dot groups thousands, the comma is the decimal mark. ``10.000``, ``10000``, ``Rp 10.000``,
``Rp10.000`` and ``10.000,00`` are all ten thousand. Anything that would need a guess (``1,500,000``, ``10.5``) is
refused with a message naming the field, never read as something else. Savings amounts are whole rupiah
(``cents=False``: ``10,5`` and ``10.000,50`` are refused); the books keep sen (``cents=True``).

The ceiling (``MAX_RUPIAH``, Rp 1 triliun) catches a slipped key: no ward cooperative moves that much in one line.
A caller may pass a lower ``maximum`` (savings use ``SAVINGS_MAX_AMOUNT``).

API bodies may also send the machine form ``1500000.00`` (a dot followed by one or two digits is never a thousands
group, so it cannot be confused with ``10.000``) and JSON integers; JSON floats are refused (they are not exact).
"""
import re
from decimal import Decimal, InvalidOperation

from flask_babel import gettext

from .errors import ValidationFailed
from .formatting import _group

MAX_RUPIAH = Decimal("1000000000000")  # Rp 1 triliun
CENT = Decimal("0.01")
_PREFIX = re.compile(r"^rp\.?", re.IGNORECASE)
_GROUPED = re.compile(r"^\d{1,3}(\.\d{3})+(,\d+)?$")
_PLAIN = re.compile(r"^\d+(,\d+)?$")
_MACHINE = re.compile(r"^\d+\.\d{1,2}$")


def _refuse(label, field, message, **kw):
    raise ValidationFailed(gettext(message, f=label, **kw), field)


def parse_rupiah(value, field="amount", label=None, *, cents=False, allow_zero=False, maximum=None, api=False):
    """A Decimal (quantized to the sen) from what a user typed or an API sent.

    ``value``: text, an int, a Decimal, or a spreadsheet number (a float is taken only when it is a whole number,
    or, with ``cents``, exact to the sen). Blank is refused ("wajib diisi") unless ``allow_zero``, which also accepts
    0. Negative, fractional rupiah (without ``cents``), more than two decimals, NaN/Infinity and amounts above
    ``maximum`` (default Rp 1 triliun) are refused with an Indonesian message naming the field (``label``)."""
    label = str(label) if label is not None else gettext("Jumlah")
    maximum = MAX_RUPIAH if maximum is None else maximum
    if value is None or (isinstance(value, str) and not value.strip()):
        if allow_zero:
            return Decimal("0.00")
        _refuse(label, field, "%(f)s wajib diisi.")
    if isinstance(value, bool):
        _refuse(label, field, "%(f)s harus berupa angka rupiah.")
    shown = None
    if isinstance(value, str):
        raw = shown = value.strip()
        text = _PREFIX.sub("", raw).replace(" ", "").replace("\u00a0", "")
        if text.startswith("-") or text.startswith("(") or text.endswith("-"):
            _refuse(label, field, "%(f)s tidak boleh negatif.")
        if api and _MACHINE.match(text):
            amount = Decimal(text)
        elif _GROUPED.match(text) or _PLAIN.match(text):
            whole, _, frac = text.partition(",")
            amount = Decimal(whole.replace(".", "") + ("." + frac if frac else ""))
        else:
            example = "1.500.000,50" if cents else "1.500.000"
            _refuse(label, field, "%(f)s: tulis jumlah rupiah seperti %(e)s atau 1500000 (tertulis: %(v)s).",
                    e=example, v=raw[:40])
    else:
        if isinstance(value, float) and api:
            _refuse(label, field, "%(f)s: kirim jumlah sebagai bilangan bulat atau teks, bukan pecahan.")
        try:
            amount = value if isinstance(value, Decimal) else Decimal(repr(value) if isinstance(value, float)
                                                                      else value)
        except (InvalidOperation, ValueError, TypeError):
            _refuse(label, field, "%(f)s harus berupa angka rupiah.")
        if not amount.is_finite():
            _refuse(label, field, "%(f)s harus berupa angka rupiah.")
    if amount < 0:
        _refuse(label, field, "%(f)s tidak boleh negatif.")
    if not cents and amount != amount.to_integral_value():
        _refuse(label, field, "%(f)s dalam rupiah utuh, tanpa sen (tertulis: %(v)s).",
                v=shown[:40] if shown is not None else format_plain(amount, True))
    if cents and amount != amount.quantize(CENT):
        _refuse(label, field, "%(f)s paling banyak dua angka di belakang koma (sen).")
    if amount == 0 and not allow_zero:
        _refuse(label, field, "%(f)s harus lebih dari nol.")
    if amount > maximum:
        _refuse(label, field, "%(f)s terlalu besar (paling banyak %(max)s).",
                max="Rp" + format_plain(maximum))
    return amount.quantize(CENT)


def format_plain(value, cents=False):
    """``10.000`` (``10.000,50`` with sen): the text a money field shows back, which the parser reads again."""
    amount = value if isinstance(value, Decimal) else Decimal(str(value))
    whole, _, frac = f"{abs(amount.quantize(CENT)):f}".partition(".")
    text = ("-" if amount < 0 else "") + _group(whole)
    if cents or (frac and frac.strip("0")):
        text += "," + frac
    return text


# -- WTForms -------------------------------------------------------------------------------------------------------

def _wtforms_field():
    from wtforms import StringField

    class RupiahField(StringField):
        """The money field of every form: a text box read by ``parse_rupiah`` (so ``Rp 10.000`` is ten thousand)
        that shows its value back as ``10.000``. ``data`` is a Decimal, or None when left blank and optional."""

        def __init__(self, label=None, validators=None, cents=False, allow_zero=False, required=None,
                     maximum=None, **kwargs):
            from wtforms.validators import Optional

            super().__init__(label, validators, **kwargs)
            self.cents, self.allow_zero, self.maximum = cents, allow_zero, maximum
            # Blank is None when the form says Optional (or the column is nullable), else refused by the parser.
            self.required = required if required is not None else not any(
                isinstance(v, Optional) for v in (validators or []))

        def _value(self):
            if self.raw_data:
                return self.raw_data[0]
            if self.data is None or self.data == "":
                return ""
            try:
                return format_plain(self.data, self.cents)
            except (InvalidOperation, ValueError, TypeError):
                return str(self.data)

        def process_formdata(self, valuelist):
            if not valuelist:
                return
            text = valuelist[0]
            if (text is None or not str(text).strip()) and not self.required:
                self.data = None
                return
            try:
                self.data = parse_rupiah(text, self.name, self.label.text if self.label else None, cents=self.cents,
                                         allow_zero=self.allow_zero, maximum=self.maximum)
            except ValidationFailed as e:
                self.data = None
                raise ValueError(str(e)) from None

        def pre_validate(self, form):
            # A StringField would accept anything; a failed parse already put its message in process_errors.
            pass

    return RupiahField


RupiahField = _wtforms_field()
MoneyField = RupiahField


# -- marshmallow (REST API) ----------------------------------------------------------------------------------------

def _marshmallow_field():
    from marshmallow import ValidationError, fields

    class RupiahApiField(fields.Field):
        """API money: a JSON integer or a string (``"10000"``, ``"10.000"``, ``"10000.00"``), never a float;
        serialised as the decimal string ``"10000.00"``."""

        def __init__(self, *args, cents=False, allow_zero=False, maximum=None, label=None, **kwargs):
            super().__init__(*args, **kwargs)
            self.cents, self.allow_zero, self.maximum, self.label_text = cents, allow_zero, maximum, label

        def _serialize(self, value, attr, obj, **kwargs):
            return None if value is None else f"{Decimal(value).quantize(CENT):f}"

        def _deserialize(self, value, attr, data, **kwargs):
            try:
                return parse_rupiah(value, attr or self.name, self.label_text or attr, cents=self.cents,
                                    allow_zero=self.allow_zero, maximum=self.maximum, api=True)
            except ValidationFailed as e:
                raise ValidationError(str(e)) from None

    return RupiahApiField


RupiahApiField = _marshmallow_field()
