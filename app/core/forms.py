"""Adapters that let one domain checker serve WTForms fields, FAB forms and the marshmallow API schemas."""

from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError as MarshmallowError
from marshmallow import fields as ma_fields
from wtforms.validators import ValidationError as WtformsError

from .dates import latest_today
from wtforms import DateField

from .dates import DISPLAY_FORMAT, date_error, parse_date
from .errors import ValidationFailed


class Checked:
    """WTForms validator running a ``check_*`` function from ``app.core.identifiers``."""

    def __init__(self, checker):
        self.checker = checker

    def __call__(self, form, field):
        try:
            self.checker(field.data, field.name)
        except ValidationFailed as e:
            raise WtformsError(str(e)) from None


def ma_checked(checker, field):
    """Marshmallow validator running the same checker, for ModelRestApi ``validators_columns``."""
    def validate(value):
        try:
            checker(value, field)
        except ValidationFailed as e:
            raise MarshmallowError(str(e)) from None
    return validate


class NotInFuture:
    message = _l("The date cannot be in the future.")

    def __call__(self, form, field):
        if field.data is not None and field.data > latest_today():
            raise WtformsError(str(self.message))


def ma_not_in_future(value):
    if value is not None and value > latest_today():
        raise MarshmallowError(str(NotInFuture.message))


class MaNormalised(ma_fields.String):
    """A marshmallow field that loads through a ``check_*`` normaliser: the API stores what the form stores, and
    a column's length applies to the normalised value, not to what was typed (a printed NPWP
    ``01.312.166.0-091.000`` is 20 characters; its 15 digits fit the column). A number sent as a JSON integer is
    read as its digits."""

    def __init__(self, checker, field_name, **kwargs):
        kwargs.setdefault("allow_none", True)
        super().__init__(**kwargs)
        self.checker = checker
        self.field_name = field_name

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            return self.checker(text, self.field_name)
        except ValidationFailed as e:
            raise MarshmallowError(str(e)) from None


def normalise_api_fields(api, checkers, **field_kwargs):
    """Give a ModelRestApi's add and edit schemas a ``MaNormalised`` field for each ``{field: checker}`` (call from
    ``_init_model_schemas`` after FAB built them)."""
    for schema in (api.add_model_schema, api.edit_model_schema):
        for field, checker in checkers.items():
            if field in schema.declared_fields:
                schema.declared_fields[field] = MaNormalised(checker, field, **field_kwargs.get(field, {}))
        schema._init_fields()


# -- one date field for every form: dd/mm/yyyy typed or pasted, ISO accepted, the Indonesian picker -----------

class KkmpDateWidget:
    """A text box (so typing and pasting always work) that static/js/kkmp-date.js turns into the picker."""

    def __call__(self, field, **kwargs):
        from markupsafe import Markup
        from wtforms.widgets import html_params

        kwargs.setdefault("id", field.id)
        kwargs["class"] = ("form-control kkmp-date-input " + kwargs.pop("class", "")).strip()
        params = html_params(name=field.name, type="text", value=field._value(), placeholder="dd/mm/yyyy",
                             maxlength="10", inputmode="numeric", autocomplete="off", **kwargs)
        return Markup(f'<div class="input-group kkmp-date"><input {params}>'
                      '<span class="input-group-addon kkmp-date-open"><i class="fa fa-calendar"></i></span></div>')


class KkmpDateField(DateField):
    """A date read by ``app.core.dates.parse_date``: shown as dd/mm/yyyy, what was typed stays on screen with an
    Indonesian message naming the field when it is no date."""

    widget = KkmpDateWidget()

    def _value(self):
        if self.raw_data:
            return " ".join(self.raw_data)
        return self.data.strftime(DISPLAY_FORMAT) if self.data else ""

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        text = " ".join(valuelist).strip()
        if not text:  # empty: the field's Optional / DataRequired decides
            self.data = None
            return
        self.data = parse_date(text)
        if self.data is None:
            raise ValueError(date_error(self.label.text))


def with_kkmp_date_fields(form_cls):
    """Swap FAB's DateField (ISO only, English error, English picker) for KkmpDateField in a generated form,
    keeping the label, validators, description and field order."""
    from wtforms import fields as wtf
    from wtforms.fields.core import UnboundField

    for name in dir(form_cls):
        unbound = getattr(form_cls, name, None)
        if isinstance(unbound, UnboundField) and unbound.field_class is wtf.DateField:
            kwargs = {k: v for k, v in unbound.kwargs.items() if k not in ("widget", "format")}
            field = UnboundField(KkmpDateField, *unbound.args, **kwargs)
            field.creation_counter = unbound.creation_counter
            setattr(form_cls, name, field)
    return form_cls
