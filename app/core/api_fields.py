"""What the REST API writes for money and moments, and what its OpenAPI description promises, kept together.

Rupiah leave as strings with two decimals ("25000.00"): a JSON number would invite clients to read them into
floats. Moments are stored as naive UTC (design.md §3) and leave with their zone ("2026-12-01T20:15:00+00:00"),
as OpenAPI's ``date-time`` (RFC 3339) requires; business dates stay plain ``YYYY-MM-DD``.
"""
from datetime import timezone

from marshmallow import fields

DECIMAL_PATTERN = r"^-?[0-9]+\.[0-9]{2}$"


class RupiahOut(fields.Decimal):
    def __init__(self, **kwargs):
        metadata = dict(kwargs.pop("metadata", None) or {})
        metadata.update({"type": "string", "format": "decimal", "pattern": DECIMAL_PATTERN, "example": "25000.00"})
        super().__init__(places=2, as_string=True, metadata=metadata, **kwargs)


class UtcDateTime(fields.DateTime):
    def _serialize(self, value, attr, obj, **kwargs):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return super()._serialize(value, attr, obj, **kwargs)


def _replacement(field):
    common = {"attribute": field.attribute, "data_key": field.data_key, "allow_none": field.allow_none,
              "dump_only": field.dump_only}
    if isinstance(field, fields.Decimal) and not isinstance(field, RupiahOut):
        return RupiahOut(**common)
    if isinstance(field, fields.DateTime) and not isinstance(field, (UtcDateTime, fields.Date)):
        return UtcDateTime(**common)
    return None


def harden_output_schema(schema):
    """Swap a dump schema's Decimal and DateTime fields for the two above (in place)."""
    changed = False
    for name, field in list(schema.fields.items()):
        new = _replacement(field)
        if new is not None:
            schema.declared_fields[name] = new
            changed = True
    if changed:
        schema._init_fields()
    return schema


def json_value(value):
    """One value of a hand-built API answer (a service's result, not a dump schema) written as the schemas write
    it: Decimal as its string ("25000.00"), a moment (naive UTC) with its zone, a business date plain."""
    from datetime import date, datetime
    from decimal import Decimal

    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=timezone.utc)).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value
