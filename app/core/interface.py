"""Our SQLAInterface: FAB's, with list counts that respect cooperative scope."""
from flask_appbuilder.models.sqla.interface import SQLAInterface

from .scope import read_criteria


class KkmpInterface(SQLAInterface):
    def query_count(self, query, filters=None, select_columns=None):
        # FAB counts with SELECT count(*) FROM (<list query>): an outer statement with no ORM entity, which the
        # session listener cannot filter. Putting the scope criteria on the inner query closes that leak.
        inner = self._apply_inner_all(query, filters, select_columns=select_columns, aliases_mapping={})
        options = read_criteria()
        if options:
            inner = inner.options(*options)
        return inner.count()
