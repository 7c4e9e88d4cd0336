"""Shared view pieces: the home dashboard and the base class every model view uses."""
from datetime import date, datetime
from decimal import Decimal

from flask import flash, g, request
from flask_appbuilder import IndexView, ModelView, expose
from flask_appbuilder.security.decorators import has_access

from .errors import ValidationFailed
from .formatting import rupiah, tanggal


def _auto_formatters(datamodel, columns):
    """Format every date, datetime and money column the Indonesian way, without per-view boilerplate."""
    from sqlalchemy import Date, DateTime, Numeric

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
    return out


class KkmpModelView(ModelView):
    """Base for our model views: Indonesian formats, and domain rules checked while the form is still on screen.

    FAB flashes an exception raised in ``pre_add``/``pre_update`` and throws the typed form away. Rules that need
    the whole record (date order, uniqueness) therefore run inside form validation via ``validate_record``:
    the form comes back with the message on the field at fault and nothing is written.
    """

    page_size = 25

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        columns = set(self.list_columns) | set(self.show_columns)
        auto = _auto_formatters(self.datamodel, columns)
        auto.update(self.formatters_columns or {})
        self.formatters_columns = auto

    def _init_forms(self):
        super()._init_forms()
        self.add_form = self._with_record_validation(self.add_form, is_add=True)
        self.edit_form = self._with_record_validation(self.edit_form, is_add=False)

    def validate_record(self, record, existing):
        """Override: check ``record`` (a transient copy holding the form's values); raise ValidationFailed."""

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
            if name != "csrf_token" and hasattr(model, name) and name in model.__table__.columns:
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
        summary = dashboard_summary() if user else None
        return self.render_template(self.index_template, appbuilder=self.appbuilder, summary=summary)
