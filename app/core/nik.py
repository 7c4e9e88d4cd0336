"""NIK (Nomor Induk Kependudukan): normalising, checking and masking (UU PDP 27/2022; design.md §3).

A NIK is 6 digits of region, 6 of birth date (DDMMYY, day + 40 for women) and a 4-digit serial. The region is
close to the domicile shown beside it and the middle six follow from the birth date and sex, so a mask that hides
only those six hides nothing. Every reader therefore sees the last four digits only (``••••••••••••0009``), and a
reader without the reveal right sees no full birth date either, only the year: with region, year and serial the
day and month stay unknown (366 candidates, and a NIK has no check digit to narrow them). The full number only
through an explicit, audited reveal. ``visible_person`` gives any screen, export or API what its reader may see;
the coming farmer and LPG buyer records use it the same way.
"""
import re
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.id import nik as stdnum_nik

from .errors import ValidationFailed
from .identifiers import normalise_digits

MASK = "•" * 12
REVEAL_PERMISSION = "can_reveal_nik"


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
    """``••••••••••••0009``: the serial only, for every reader (an already masked value masks the same way)."""
    if not nik:
        return ""
    text = str(nik)
    return MASK + text[-4:] if len(text) == 16 else MASK


def birth_year_text(birth_date):
    """What a reader without the reveal right sees of a birth date: ``••/••/1990`` (the year only)."""
    if not birth_date:
        return ""
    year = getattr(birth_date, "year", None)
    if year is None:  # an ISO text, a year, or an already masked value
        found = re.search(r"\d{4}", str(birth_date))
        year = found.group(0) if found else "••••"
    return f"••/••/{year}"


def may_reveal(resource):
    """Whether the current reader (browser session or API token) holds ``can_reveal_nik`` on ``resource``.

    Asked once per request and resource: an export of 500,000 rows asks it once, not per row. Outside a request
    (CLI, jobs) nobody is reading, so the answer is no.
    """
    from flask import current_app, g, has_request_context

    if not has_request_context():
        return False
    cache = g.setdefault("kkmp_may_reveal", {})
    if resource not in cache:
        cache[resource] = bool(current_app.appbuilder.sm.has_access(REVEAL_PERMISSION, resource))
    return cache[resource]


@dataclass(frozen=True)
class VisiblePerson:
    """What one reader may see of one person's identifiers."""

    nik: str  # always masked (last four digits)
    birth_date: object  # the date, or None for a reader without the reveal right
    birth_year: object  # int or None

    @property
    def birth_text(self):
        """For a page or a text cell: the date ``dd/mm/yyyy`` to a revealer, else ``••/••/1990``."""
        if self.birth_date is not None:
            return self.birth_date.strftime("%d/%m/%Y")
        return birth_year_text(self.birth_year) if self.birth_year else ""


def visible_person(resource, nik=None, birth_date=None, full=None):
    """The NIK and birth data of one person as the current reader may see them (``full`` overrides the check,
    for callers that asked ``may_reveal`` once for many rows)."""
    if full is None:
        full = may_reveal(resource)
    return VisiblePerson(nik=mask_nik(nik), birth_date=birth_date if full else None,
                         birth_year=birth_date.year if birth_date else None)


def reveal_nik(session, obj, field="nik"):
    """Return the full NIK of ``obj`` and record the reveal (who, whose, when) in the audit log, committed."""
    from .audit import record_event

    value = getattr(obj, field)
    record_event(session, "nik_reveal", table_name=obj.__tablename__, record_id=obj.id,
                 cooperative_id=getattr(obj, "cooperative_id", None), details={"field": field,
                                                                               "nik": mask_nik(value)})
    session.commit()
    return value
