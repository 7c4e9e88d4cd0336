"""Adapters that let one domain checker serve WTForms fields, FAB forms and the marshmallow API schemas."""

from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError as MarshmallowError
from wtforms.validators import ValidationError as WtformsError

from .dates import latest_today
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
