"""Our SQLAInterface: FAB's, with list counts that respect cooperative scope."""
from flask_appbuilder.models.sqla.filters import SQLAFilterConverter
from flask_appbuilder.models.sqla.interface import SQLAInterface

from .dates import parse_date
from .scope import read_criteria


class _TypedDate:
    """A date searched in a list is read like every date a person types (dd/mm/yyyy or ISO): FAB's own reading
    (dateutil) takes 05/08/1990 for the 8th of May."""

    def apply(self, query, value):
        if isinstance(value, str):
            value = parse_date(value) or value
        return super().apply(query, value)


class KkmpFilterConverter(SQLAFilterConverter):
    conversion_table = tuple(
        (marker, [type(f.__name__, (_TypedDate, f), {}) for f in filters]) if marker == "is_date" else (marker, filters)
        for marker, filters in SQLAFilterConverter.conversion_table)


class KkmpInterface(SQLAInterface):
    filter_converter_class = KkmpFilterConverter

    def query_count(self, query, filters=None, select_columns=None):
        # FAB counts with SELECT count(*) FROM (<list query>): an outer statement with no ORM entity, which the
        # session listener cannot filter. Putting the scope criteria on the inner query closes that leak.
        inner = self._apply_inner_all(query, filters, select_columns=select_columns, aliases_mapping={})
        options = read_criteria()
        if options:
            inner = inner.options(*options)
        return inner.count()
