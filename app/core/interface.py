"""Our SQLAInterface: FAB's, with list counts that respect cooperative scope, lost updates reported as such, and
dates in list searches read the way people type them."""
from flask_appbuilder.models.sqla.filters import SQLAFilterConverter
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.exceptions import DatabaseException
from sqlalchemy.orm.exc import StaleDataError

from .dates import parse_date
from .errors import ConflictError, lost_update_message
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


class EditConflict(ConflictError):
    """Another request saved the row between our read and our write (the versioned UPDATE matched no row)."""


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

    def edit(self, item, commit=True):
        # A versioned row's UPDATE carries "WHERE version = <the version we read>"; when it matches nothing, FAB
        # would answer a generic database error. Say what happened instead: someone else saved first.
        try:
            super().edit(item, commit=commit)
        except DatabaseException as e:
            if isinstance(e.__cause__, StaleDataError):
                raise EditConflict(lost_update_message()) from e
            raise
