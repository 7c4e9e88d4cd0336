"""NIK (Nomor Induk Kependudukan): normalising, checking and masking (UU PDP 27/2022; design.md §3).

A NIK is shown masked (``327305••••••0009``) everywhere; the full number only through an explicit, audited reveal.
"""
from flask_babel import lazy_gettext as _l
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.id import nik as stdnum_nik

from .errors import ValidationFailed
from .identifiers import normalise_digits

MASK = "••••••"


def normalise_nik(value):
    """Fold full-width and other Unicode digits to ASCII and drop spaces, dots and dashes (the one digit
    normaliser, ``identifiers.normalise_digits``)."""
    return normalise_digits(value)


def check_nik(value, field="nik"):
    if value is None or not str(value).strip():
        return None
    digits = normalise_nik(value)
    message = _l("NIK must be 16 digits: region (6), date of birth DDMMYY with 40 added to the day for women, "
                 "and a serial number (4).")
    if not (digits.isdigit() and len(digits) == 16):
        raise ValidationFailed(message, field)
    try:
        return stdnum_nik.validate(digits)
    except StdnumError:
        raise ValidationFailed(message, field) from None


def mask_nik(nik):
    if not nik:
        return ""
    return f"{nik[:6]}{MASK}{nik[-4:]}" if len(nik) == 16 else MASK


def reveal_nik(session, obj, field="nik"):
    """Return the full NIK of ``obj`` and record the reveal (who, whose, when) in the audit log, committed."""
    from .audit import record_event

    value = getattr(obj, field)
    record_event(session, "nik_reveal", table_name=obj.__tablename__, record_id=obj.id,
                 cooperative_id=getattr(obj, "cooperative_id", None), details={"field": field,
                                                                               "nik": mask_nik(value)})
    session.commit()
    return value
