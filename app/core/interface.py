"""Our SQLAInterface: FAB's, with list counts that respect cooperative scope, lost updates reported as such, and
dates in list searches read the way people type them."""
import enum
from functools import reduce

from flask_appbuilder.models.filters import Filters
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


class _CodePrefix:
    """"Starts with" on a stored upper-case code (receipt, member and journal numbers): a case-sensitive LIKE on
    the upper-cased text, which a ``varchar_pattern_ops`` index answers on PostgreSQL (FAB's ILIKE cannot use
    any b-tree). ``%`` and ``_`` typed by the user are literal."""

    def apply(self, query, value):
        column = getattr(self.model, self.column_name)
        return query.filter(column.startswith((value or "").strip().upper(), autoescape=True))


# Tables that grow with the country (hundreds of thousands to millions of rows). Their lists offer only the
# searches an index answers (see KkmpFilterConverter); tests/test_fast_paths.py proves the plans on PostgreSQL.
# A module with a table of that size adds its name here.
BIG_TABLES = {"member", "savings_transaction", "wajib_bill", "journal_entry", "journal_line", "audit_event"}

# FAB filter kinds (``arg_name``) a b-tree answers on any plain column: equal, greater than, smaller than.
_INDEXED_KINDS = {"eq", "gt", "lt"}


class KkmpFilterConverter(SQLAFilterConverter):
    """FAB's filters, with typed dates, and on the big tables only the filters an index can answer.

    On a big table a model declares which text columns are searched how: ``kkmp_prefix_search`` (codes searched
    by "starts with", over a pattern index) and ``kkmp_text_search`` (text with a trigram index: "contains" and
    "ends with" too). Every other filter kind there (not equal, not contains, in a list, ILIKE on free text) would
    read the whole table for a rare value, so the search form does not offer it. The URL positions of the kept
    filters follow FAB's order, so ``_flt_0_`` stays "starts with" (or "equal" where that is the first kept).
    """

    conversion_table = tuple(
        (marker, [type(f.__name__, (_TypedDate, f), {}) for f in filters]) if marker == "is_date" else (marker, filters)
        for marker, filters in SQLAFilterConverter.conversion_table)

    def convert(self, col_name):
        model = self.datamodel.obj
        if col_name in getattr(model, "kkmp_not_filtered", ()):
            return None  # a read-only derived value (a correlated subquery): no filter, and no warning about it
        filters = super().convert(col_name)
        if not filters or getattr(model, "__tablename__", None) not in BIG_TABLES:
            return filters
        prefix = set(getattr(model, "kkmp_prefix_search", ()))
        text = set(getattr(model, "kkmp_text_search", ()))
        kept = []
        for f in filters:
            kind = f.arg_name
            if kind == "sw" and col_name in prefix and col_name not in text:
                kept.append(type(f"CodePrefix{type(f).__name__}", (_CodePrefix, type(f)), {})(col_name,
                                                                                                self.datamodel))
            elif kind in _INDEXED_KINDS or (kind == "sw" and col_name in text) or (
                    kind in ("ew", "ct") and col_name in text):
                kept.append(f)
        return kept


class EditConflict(ConflictError):
    """Another request saved the row between our read and our write (the versioned UPDATE matched no row)."""


_MISSING = object()


def bare_filters(datamodel, filters=(), values=()):
    """A ``Filters`` holding ``filters`` with their ``values``, built without FAB's constructor: that one converts
    every column of the model into its possible filters (some 30 conversions) although a joined or inner filter
    set only ever applies the filters it holds. FAB builds two such sets per list request."""
    ret = Filters.__new__(Filters)
    ret.search_columns = []
    ret.filter_converter = datamodel.filter_converter_class
    ret.datamodel = datamodel
    ret._search_filters = {}
    ret._all_filters = {}
    ret.filters = list(filters)
    ret.values = list(values)
    return ret


def joined_filters(filters, base_filters):
    """``filters.get_joined_filters(base_filters)`` (the search then the view's base filters), without the
    column conversions FAB's constructor does (see bare_filters)."""
    return bare_filters(filters.datamodel, filters.filters + base_filters.filters,
                        filters.values + base_filters.values)


class KkmpInterface(SQLAInterface):
    filter_converter_class = KkmpFilterConverter

    def get_inner_filters(self, filters):
        # FAB's, on a bare Filters (see bare_filters): the filters on the model's own columns and its to-one
        # relations, in their order.
        inner = bare_filters(self)
        if filters:
            for flt, value in zip(filters.filters, filters.values):
                name = flt.column_name
                if "." in name:
                    root = name.split(".")[0]
                    if not (self.is_relation_many_to_one(root) or self.is_relation_one_to_one(root)):
                        continue
                inner.filters.append(type(flt)(name, self))
                inner.values.append(value)
        return inner

    def get_values(self, lst, list_columns):
        """FAB's row values for the list template (``[{column: value}]``: an attribute, a method called, an
        ``a.b`` path followed, an Enum's value), reading each attribute once: FAB asks ``hasattr`` then
        ``getattr`` twice per cell."""
        for item in lst:
            row = {}
            for col in list_columns:
                value = getattr(item, col, _MISSING)
                if value is _MISSING:
                    try:
                        value = reduce(getattr, col.split("."), item)
                    except Exception:
                        value = ""
                elif callable(value):
                    value = value()
                elif isinstance(value, enum.Enum):
                    value = value.value
                row[col] = value
            yield row

    def query_count(self, query, filters=None, select_columns=None):
        # FAB counts with SELECT count(*) FROM (<list query>): an outer statement with no ORM entity, which the
        # session listener cannot filter. Putting the scope criteria on the inner query closes that leak.
        inner = self._apply_inner_all(query, filters, select_columns=select_columns, aliases_mapping={})
        if getattr(self.obj, "__tablename__", None) in BIG_TABLES:
            # As the list screens (app/core/paging.py): a big table is counted up to 10,001 rows, so an API list
            # of the whole country does not read five million rows for its "count" (10001 = "more than 10,000").
            from .paging import COUNT_CAP

            pk = getattr(self.obj, self.get_pk_name())
            inner = inner.with_entities(pk).order_by(None).limit(COUNT_CAP + 1)
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
