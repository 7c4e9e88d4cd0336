"""Official identifiers: one checker per identifier, shared by forms, the REST API and services.

Each ``check_*`` takes what the user typed and returns the normalised value, or raises ``ValidationFailed`` whose
message names the field and the expected form. ``None`` and blank strings pass through as ``None``: whether a
value is required is the caller's business.
"""
import re
import unicodedata

from flask_babel import lazy_gettext as _l
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.id import npwp as stdnum_npwp

from .errors import ValidationFailed

AHU_RE = re.compile(r"^AHU-(\d{7})\.AH\.01\.29\.TAHUN (\d{4})$")
REGION_CODE_RE = re.compile(r"^\d{2}(\.\d{2}(\.\d{2}(\.\d{4})?)?)?$")
KELURAHAN_CODE_RE = re.compile(r"^\d{2}\.\d{2}\.\d{2}\.\d{4}$")


def _blank(value):
    return value is None or (isinstance(value, str) and not value.strip())


def normalise_digits(value):
    """NFKC folds full-width and other Unicode digits to ASCII; spaces, dots and dashes are separators.

    The one normaliser of typed numbers: NIK (app.core.nik), NIB, NPWP, bank account and phone all start here.
    """
    value = unicodedata.normalize("NFKC", str(value))
    # NFKC leaves the digits of other scripts (Arabic-Indic, Devanagari...) as they are: fold every decimal digit to
    # its ASCII value, so that what is stored and compared is always 0-9.
    value = "".join(str(unicodedata.decimal(ch)) if ch.isdecimal() and not ch.isascii() else ch for ch in value)
    return re.sub(r"[\s.\-]", "", value)


def _digits(text):
    """Only ASCII 0-9 (``str.isdigit`` alone also takes superscripts and digits that are not decimal)."""
    return text.isascii() and text.isdigit()


def check_phone(value, field="phone"):
    """An Indonesian telephone number in one stored form, ``+62`` and the national number without its 0.

    ``0812-3456-7890``, ``+62 812 3456 7890``, ``6281234567890`` and ``(021) 555-1234`` are all accepted; the
    national number (without the trunk 0) has 8 to 13 digits and does not start with 0. Numbers of other countries
    are refused: WhatsApp reminders and the cooperative's calls assume Indonesian numbers.
    """
    if _blank(value):
        return None
    digits = re.sub(r"[()]", "", normalise_digits(value))
    if digits.startswith("+62"):
        national = digits[3:]
    elif digits.startswith("62") and len(digits) >= 10:
        national = digits[2:]
    elif digits.startswith("0"):
        national = digits[1:]
    else:
        national = digits
    if not (_digits(national) and 8 <= len(national) <= 13 and national[0] != "0"):
        raise ValidationFailed(_l("Telepon harus nomor Indonesia, contoh 0812-3456-7890 atau +62 812-3456-7890."),
                               field)
    return "+62" + national


def format_phone(value):
    """``+6281234567890`` -> ``0812-3456-7890`` for reading (mobile numbers in groups of four)."""
    if not value:
        return ""
    if not value.startswith("+62"):
        return value
    national = "0" + value[3:]
    if national.startswith("08"):
        return "-".join([national[:4]] + [national[i:i + 4] for i in range(4, len(national), 4)])
    return national


def check_ahu(value, field="ahu_number"):
    if _blank(value):
        return None
    value = re.sub(r"\s+", " ", unicodedata.normalize("NFKC", value).strip().upper())
    match = AHU_RE.match(value)
    if not match or not (2000 <= int(match.group(2)) <= 2100):
        raise ValidationFailed(
            _l("Nomor badan hukum (AHU) must have the form AHU-NNNNNNN.AH.01.29.TAHUN YYYY, "
               "for example AHU-0025673.AH.01.29.TAHUN 2025."), field)
    return value


def check_nib(value, field="nib"):
    if _blank(value):
        return None
    digits = normalise_digits(value)
    if not (_digits(digits) and len(digits) == 13):
        raise ValidationFailed(_l("NIB must be exactly 13 digits (from OSS), for example 9120301234567."), field)
    return digits


def check_npwp_badan(value, field="npwp"):
    """NPWP of an organisation: 15 digits (old form) or 16 digits starting with 0, with a valid check digit.

    A 16-digit NPWP that does not start with 0 is a person's NIK and cannot belong to a cooperative.
    """
    if _blank(value):
        return None
    digits = normalise_digits(value)
    message = _l("NPWP must be 15 digits, or 16 digits starting with 0, with a valid check digit, "
                 "for example 01.300.066.6-091.000.")
    if not _digits(digits) or len(digits) not in (15, 16) or (len(digits) == 16 and digits[0] != "0"):
        raise ValidationFailed(message, field)
    try:
        return stdnum_npwp.validate(digits)
    except StdnumError:
        raise ValidationFailed(message, field) from None


def format_npwp(value):
    if not value:
        return ""
    return stdnum_npwp.format(value[1:] if len(value) == 16 else value)


def check_bank_account(value, field="bank_account_number"):
    if _blank(value):
        return None
    digits = normalise_digits(value)
    if not (_digits(digits) and 6 <= len(digits) <= 20):
        raise ValidationFailed(_l("Bank account number must be 6 to 20 digits."), field)
    return digits


def check_region_code(value, field="region_code"):
    if _blank(value):
        return None
    value = unicodedata.normalize("NFKC", value).strip()
    if not REGION_CODE_RE.match(value):
        raise ValidationFailed(
            _l("Region code must be a Kemendagri code such as 31, 31.73, 31.73.05 or 31.73.05.1001."), field)
    return value


def check_kelurahan_code(value, field="region_code"):
    value = check_region_code(value, field)
    if value is None:
        return None
    if not KELURAHAN_CODE_RE.match(value):
        raise ValidationFailed(_l("A KKMP needs a kelurahan code of the form PP.KK.CC.1DDD, "
                                  "for example 31.73.05.1001."), field)
    if not value.split(".")[3].startswith("1"):
        raise ValidationFailed(_l("%(code)s is a desa, not a kelurahan: a desa forms a KDMP, not a KKMP.",
                                  code=value), field)
    return value
