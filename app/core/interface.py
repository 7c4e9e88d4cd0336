"""Our SQLAInterface: FAB's, with list counts that respect cooperative scope and lost updates reported as such."""
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.exceptions import DatabaseException
from sqlalchemy.orm.exc import StaleDataError

from .errors import ConflictError, lost_update_message
from .scope import read_criteria


class EditConflict(ConflictError):
    """Another request saved the row between our read and our write (the versioned UPDATE matched no row)."""


class KkmpInterface(SQLAInterface):
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
