"""Shared view pieces: the home dashboard and the base class every model view uses."""

from flask import abort, current_app, flash, g, redirect, request
from flask_appbuilder import IndexView, ModelView, expose
from flask_appbuilder.widgets import ListWidget
from flask_appbuilder.security.decorators import has_access, permission_name
from wtforms import HiddenField

from .errors import ConflictError, DomainError, ValidationFailed, lost_update_message, refusal_message
from .formatting import blank_if_none, rupiah, tanggal, yes_no
from .interface import joined_filters
from .scope import RelatedNotFound, TenantScopeError, check_write

VERSION_FIELD = "kkmp_version"


def commit_or_refuse(session, action, refused_url, refusals=(DomainError, TenantScopeError)):
    """Run one service call and commit; on a refusal roll back, flash why, and hand back the redirect to show.

    :returns: ``(result, None)`` on success, ``(None, redirect response)`` when refused.
    """
    try:
        result = action()
        session.commit()
        return result, None
    except refusals as e:
        session.rollback()
        flash(refusal_message(e), "danger")
        return None, redirect(refused_url)


def _auto_formatters(datamodel, columns):
    """Format every date, datetime and money column the Indonesian way, without per-view boilerplate."""
    from sqlalchemy import Boolean, Date, DateTime, Numeric

    out = {}
    table = datamodel.obj.__table__
    for name in columns:
        col = table.columns.get(name)
        if col is None:
            continue
        if isinstance(col.type, (Date, DateTime)):
            out[name] = tanggal
        elif isinstance(col.type, Numeric) and col.type.scale == 2:
            out[name] = rupiah
        elif isinstance(col.type, Boolean):
            out[name] = yes_no
        elif col.nullable:
            out[name] = blank_if_none
    return out


def _plain(value):
    """Export cells hold values, not markup or model objects."""
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    from datetime import date
    from decimal import Decimal

    if isinstance(value, (date, Decimal)):
        return value
    return str(value)


class KkmpListWidget(ListWidget):
    template = "kkmp/widgets/list.html"


class KkmpModelView(ModelView):
    """Base for our model views: Indonesian formats, and domain rules checked while the form is still on screen.

    FAB flashes an exception raised in ``pre_add``/``pre_update`` and throws the typed form away. Rules that need
    the whole record (date order, uniqueness) therefore run inside form validation via ``validate_record``:
    the form comes back with the message on the field at fault and nothing is written.
    """

    page_size = 25
    list_template = "kkmp/list.html"
    list_widget = KkmpListWidget
    # Placeholder of the "jump to" box of keyset lists ordered by text (e.g. "Nama mulai dari..."); None: no box.
    list_jump_label = None
    # FAB's /download/<filename> serves any file of UPLOAD_FOLDER, unscoped; we store no uploads that way.
    exclude_route_methods = {"download"}
    # URL arguments that narrow the list (and its export) to one value of an indexed column, e.g.
    # {"koperasi": "cooperative_id"}: links such as "this member's bills" and the cooperative picker of a Camat
    # or Sudin. Not FAB search filters: those would put a relation select (a whole table) into the search form.
    url_filters = {}
    # ``fn(session) -> [(id, name)] | None``: the cooperatives offered by a picker above the list (with
    # ``url_filters["koperasi"]``); the domain supplies it (app.cooperatives.services.picker_choices).
    cooperative_picker = None
    # The orders and searches a list offers when it must offer fewer than FAB would (an empty tuple: none; FAB
    # reads an empty order_columns or search_columns as "all"). None: the view's order_columns/search_columns.
    offered_orders = None
    offered_searches = None

    def _init_properties(self):
        super()._init_properties()
        if self.offered_searches is not None:
            self.search_columns = list(self.offered_searches)
            self._filters = self.datamodel.get_filters(self.search_columns)
        if self.offered_orders is not None:
            self.order_columns = list(self.offered_orders)

    def render_template(self, template, **kwargs):
        if template == self.list_template:
            kwargs.setdefault("kkmp_can_export", self.appbuilder.sm.has_access("can_export",
                                                                                self.class_permission_name))
            if self.cooperative_picker:
                kwargs.setdefault("kkmp_coop_picker", self.cooperative_picker(self.datamodel.session))
        return super().render_template(template, **kwargs)

    def _url_filtered(self, query):
        model = self.datamodel.obj
        for arg, column in self.url_filters.items():
            value = request.args.get(arg, "")
            if value.isdigit():
                query = query.filter(getattr(model, column) == int(value))
        return query

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        columns = set(self.list_columns) | set(self.show_columns)
        auto = _auto_formatters(self.datamodel, columns)
        auto.update(self.formatters_columns or {})
        self.formatters_columns = auto

    # -- list pages: keyset navigation and a capped count (app/core/paging.py) --------------------------------

    def _get_list_widget(self, filters, actions=None, order_column="", order_direction="", page=None,
                         page_size=None, widgets=None, **kwargs):
        from . import paging

        widgets = widgets or {}
        page_size = page_size or self.page_size
        # Only an offered order (each has its index): FAB itself would sort by any column named in the URL.
        if order_column and order_column not in self.order_columns:
            order_column = ""
        if not order_column and self.base_order:
            order_column, order_direction = self.base_order
        joined = joined_filters(filters, self._base_filters)
        query = self.datamodel._apply_inner_all(self.datamodel.session.query(self.datamodel.obj), joined,
                                                aliases_mapping={})
        query = self._url_filtered(query)
        # A search counts up to a smaller cap: "more than 200 matches" already says "narrow the search", and
        # counting a common name to 10,000 would read most of the register.
        searching = bool(filters.get_filters_values())
        if searching:
            cap = current_app.config.get("KKMP_SEARCH_COUNT_CAP", paging.SEARCH_COUNT_CAP)
        else:
            cap = current_app.config.get("KKMP_LIST_COUNT_CAP", paging.COUNT_CAP)
        # Keyset pages on the view's own list only; a related list inside a show page keeps FAB's numbered pages.
        own_list = request.endpoint == f"{self.endpoint}.list"
        if own_list and page is None and paging.keyset_column(self.datamodel, order_column) is not None:
            result = paging.list_page(self.datamodel, query, order_column, order_direction, page_size,
                                      request.args, cap=cap, searching=searching)
            items, count = result.items, result.count
        else:  # FAB's numbered pages (OFFSET), still with the capped count
            count, capped = paging.capped_count(self.datamodel, query, cap)
            result = paging.ListPage(items=[], count=count, capped=capped)
            items = paging.offset_page(self.datamodel, query, order_column, order_direction, page, page_size)
        self.prepare_list_items(items)
        pks = [self._serialize_pk_if_composite(pk) for pk in self.datamodel.get_keys(items)]
        widgets["list"] = self.list_widget(
            label_columns=self.label_columns, include_columns=self.list_columns,
            value_columns=self.datamodel.get_values(items, self.list_columns), order_columns=self.order_columns,
            formatters_columns=self.formatters_columns, page=page, page_size=page_size, count=count, pks=pks,
            actions=actions or self.actions, filters=filters, modelview_name=self.__class__.__name__,
            kkmp_page=result, kkmp_count_cap=f"{cap:,}".replace(",", "."), kkmp_jump=self.list_jump_label,
            kkmp_base_args=paging.without_cursor(request.args, self.__class__.__name__), **kwargs)
        return widgets

    def prepare_list_items(self, items):
        """Override: load what a page of rows shows in one go (names of related records) before it is rendered."""

    def validate_record(self, record, existing):
        """Override: check ``record`` (a transient copy holding the form's values); raise ValidationFailed."""

    # -- scope and concurrency: refusals become messages, and nothing half-done stays in the session ----------

    def _refuse(self, error):
        self.datamodel.session.rollback()
        raise error

    def _guard_write(self, item, action):
        try:
            check_write(self.datamodel.session, item, action)
        except (TenantScopeError, RelatedNotFound) as e:
            self._refuse(DomainError(refusal_message(e)))

    def prepare_item(self, item):
        """Override: normalise and check an item just before it is written (raise DomainError to refuse)."""

    def _prepare(self, item):
        try:
            self.prepare_item(item)
        except DomainError as e:
            self._refuse(e)

    def pre_add(self, item):
        self._prepare(item)
        self._guard_write(item, "insert")

    def pre_update(self, item):
        self._check_version(item)
        self._prepare(item)
        self._guard_write(item, "update")

    def pre_delete(self, item):
        self._guard_write(item, "delete")

    def _has_version(self):
        return "version" in self.datamodel.obj.__table__.columns

    def _check_version(self, item):
        """Lost updates: the edit form carries the version it was loaded with (FAB reloads the row on POST)."""
        if not self._has_version():
            return
        submitted = request.form.get(VERSION_FIELD)
        if submitted is None or str(submitted) != str(item.version):
            self._refuse(ConflictError(lost_update_message()))

    def prefill_form(self, form, pk):
        super().prefill_form(form, pk)
        if self._has_version():
            item = self.datamodel.get(pk, self._base_filters)
            if item is not None:
                form[VERSION_FIELD].data = item.version

    def _money_fields(self, columns, extra):
        """Every Numeric(18,2) column of a FAB add/edit form gets the one money field (``RupiahField``), so
        ``10.000`` is ten thousand and ``Rp 20.000`` is understood, instead of WTForms' DecimalField (which reads
        ``10.000`` as ten and answers ``Rp 20.000`` in English). A view's own extra field wins."""
        from sqlalchemy import Numeric
        from wtforms.validators import Optional

        from .money import RupiahField

        table = self.datamodel.obj.__table__.columns
        fields = dict(extra or {})
        for name in columns or []:
            col = table.get(name) if isinstance(name, str) else None
            if col is None or name in fields or not isinstance(col.type, Numeric) or col.type.scale != 2:
                continue
            label = (self.label_columns or {}).get(name, name)
            fields[name] = RupiahField(label, validators=[Optional()] if col.nullable else [],
                                       description=(self.description_columns or {}).get(name, ""))
        return fields

    def _init_forms(self):
        self.add_form_extra_fields = self._money_fields(self.add_columns, self.add_form_extra_fields)
        self.edit_form_extra_fields = self._money_fields(self.edit_columns, self.edit_form_extra_fields)
        if self._has_version():
            self.edit_form_extra_fields = dict(self.edit_form_extra_fields or {},
                                               **{VERSION_FIELD: HiddenField()})
            if VERSION_FIELD not in self.edit_columns:
                self.edit_columns = list(self.edit_columns) + [VERSION_FIELD]
        super()._init_forms()
        from .forms import with_kkmp_date_fields

        for form in (self.add_form, self.edit_form, self.search_form):
            if form is not None:
                with_kkmp_date_fields(form)
        self.add_form = self._with_record_validation(self.add_form, is_add=True)
        self.edit_form = self._with_record_validation(self.edit_form, is_add=False)

    # -- export: the list as the user sees it (same scope, same search filters), as xlsx or CSV ------------------

    export_columns = None  # defaults to list_columns

    def _export_query(self):
        """The list's query (scope by the session listener, search filters from the URL), in primary-key order."""
        from flask_appbuilder.models.filters import Filters
        from flask_appbuilder.urltools import get_filter_args

        # A fresh Filters per request: FAB's per-view instance is shared between requests (fab-notes §0.8).
        filters = Filters(self.datamodel.filter_converter_class, self.datamodel, self.search_columns)
        get_filter_args(filters, disallow_if_not_in_search=True)
        joined = filters.get_joined_filters(self._base_filters)
        query = self._url_filtered(self.datamodel.apply_all(self.datamodel.session.query(self.datamodel.obj),
                                                            joined))
        return query.order_by(getattr(self.datamodel.obj, self.datamodel.get_pk_name()))

    def export_rows(self, query, columns):
        """Rows of plain values, streamed. Override with a column-wise select where a list gets big (members)."""
        for item in query.yield_per(1000):
            yield [_plain(self._get_export_value(item, col)) for col in columns]

    def _export(self):
        columns = list(self.export_columns or self.list_columns)
        headers = [str(self.label_columns.get(c, c)) for c in columns]
        return headers, self.export_rows(self._export_query(), columns)

    @expose("/export/xlsx")
    @has_access
    @permission_name("export")
    def export_xlsx(self):
        """The list as xlsx, streamed while the rows are read: the first bytes leave at once, however many rows
        follow (a proxy's timeout no longer cuts a big export, and no temporary file fills the disk)."""
        from flask import Response, stream_with_context

        from .xlsx import stream_xlsx

        headers, rows = self._export()
        response = Response(stream_with_context(stream_xlsx(str(self.list_title), headers, rows)),
                            mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        response.headers["Content-Disposition"] = f"attachment; filename={self.route_base.strip('/')}.xlsx"
        return response

    @expose("/export/csv")
    @has_access
    @permission_name("export")
    def export_csv(self):
        """The same rows as CSV, streamed as they are read: for sets too big to wait for a spreadsheet."""
        from flask import Response, stream_with_context

        from .csv_export import csv_chunks

        headers, rows = self._export()
        # The mimetype only: Werkzeug adds "; charset=utf-8" itself (naming it here too risked saying it twice).
        response = Response(stream_with_context(csv_chunks(headers, rows)), mimetype="text/csv")
        response.headers["Content-Disposition"] = f"attachment; filename={self.route_base.strip('/')}.csv"
        return response

    def _get_export_value(self, item, col):
        value = item
        for part in col.split("."):
            value = getattr(value, part, None) if value is not None else None
        return value

    # FAB's actions load rows with datamodel.get(pk) and pass None on for a pk the user cannot see (a 500).
    # The scope layer already hides foreign rows; here they answer 404 like a missing row.
    @expose("/action/<string:name>/<pk>", methods=["GET", "POST"])
    def action(self, name, pk):
        if name not in self.actions or self.datamodel.get(self._deserialize_pk_if_composite(pk)) is None:
            abort(404)
        return self._run_action(super().action, name, pk)

    @expose("/action_post", methods=["POST"])
    def action_post(self):
        if request.form.get("action") not in self.actions:
            abort(404)
        for pk in request.form.getlist("rowid"):
            if self.datamodel.get(self._deserialize_pk_if_composite(pk)) is None:
                abort(404)
        return self._run_action(super().action_post)

    def _run_action(self, fn, *args):
        try:
            return fn(*args)
        except (TenantScopeError, DomainError) as e:
            self.datamodel.session.rollback()
            flash(refusal_message(e), "danger")
            return redirect(self.get_redirect())

    def _record_from_form(self, form, is_add):
        model = self.datamodel.obj
        existing = None
        record = model()
        if not is_add:
            pk = request.view_args.get("pk")
            existing = self.datamodel.get(pk, self._base_filters)
            if existing is not None:
                for column in model.__table__.columns:
                    setattr(record, column.key, getattr(existing, column.key))
        for name, field in form._fields.items():
            if name not in ("csrf_token", VERSION_FIELD) and name in model.__table__.columns:
                setattr(record, name, field.data)
        return record, existing

    def _with_record_validation(self, form_cls, is_add):
        view = self

        class RecordForm(form_cls):
            def validate(self, extra_validators=None):
                if not super().validate(extra_validators):
                    return False
                record, existing = view._record_from_form(self, is_add)
                try:
                    with view.datamodel.session.no_autoflush:
                        view.validate_record(record, existing)
                except ValidationFailed as e:
                    field = self._fields.get(e.field)
                    if field is None:
                        flash(str(e), "danger")
                    else:
                        field.errors = list(field.errors) + [str(e)]
                    return False
                return True

        RecordForm.__name__ = form_cls.__name__
        return RecordForm


class HomeView(IndexView):
    """The landing page: what a user's area looks like at a glance."""

    route_base = ""
    default_view = "index"
    index_template = "kkmp/home.html"

    @expose("/")
    def index(self):
        from app.cooperatives.services import dashboard_summary

        user = g.user if g.user is not None and g.user.is_authenticated else None
        # A domain may render the signed-in home page (app.oversight: one per role); core imports none of them.
        home = current_app.extensions.get("kkmp_home")
        if user and home is not None:
            return home(self)
        summary = dashboard_summary() if user else None
        return self.render_template(self.index_template, appbuilder=self.appbuilder, summary=summary)


class NikRevealMixin:
    """For views of people with a NIK: never prefill it in the edit form, and reveal it only on purpose.

    The reveal is a POST (CSRF-protected) needing the ``can_reveal_nik`` permission; it writes an audit row and
    answers with ``Cache-Control: no-store`` so the number does not linger in a browser cache. The birth date,
    which is the NIK's middle six digits, is shown in full on pages and in exports only to a reader who may
    reveal the NIK anyway; anyone else sees the year (app/core/nik.py).
    """

    nik_field = "nik"
    birth_field = "birth_date"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.birth_field in self.datamodel.obj.__table__.columns:
            self.formatters_columns = dict(self.formatters_columns or {}, **{self.birth_field: self._birth_shown})

    def _birth_shown(self, value):
        from .nik import visible_person

        return visible_person(self.class_permission_name, birth_date=value).birth_text if value else ""

    def _get_export_value(self, item, col):
        value = super()._get_export_value(item, col)
        if col == self.birth_field and value:
            from .nik import visible_person

            person = visible_person(self.class_permission_name, birth_date=value)
            return person.birth_date or person.birth_text
        return value

    def prefill_form(self, form, pk):
        super().prefill_form(form, pk)
        form[self.nik_field].data = ""

    @expose("/nik/<int:pk>", methods=["POST"])
    @has_access
    @permission_name("reveal_nik")
    def reveal_nik(self, pk):
        """Show one full NIK, after writing who looked at it into the audit log."""
        from flask import make_response, url_for

        from .nik import reveal_nik

        item = self.datamodel.get(pk, self._base_filters)
        if item is None:
            abort(404)
        nik = reveal_nik(self.datamodel.session, item, self.nik_field)
        response = make_response(self.render_template("kkmp/nik_reveal.html", item=item, nik=nik,
                                                      back=url_for(".show", pk=pk)))
        response.headers["Cache-Control"] = "no-store"
        return response
