"""Domain errors: raised by services, turned into flash messages or HTTP statuses by the views and APIs."""


class DomainError(Exception):
    """A business rule refused the operation. The message is shown to the user as is."""

    def __init__(self, message, field=None):
        super().__init__(message)
        self.message = message
        self.field = field

    def __str__(self):
        return str(self.message)


class ValidationFailed(DomainError):
    """Input is malformed; ``field`` names the form field at fault."""


class NotFound(DomainError):
    """The record does not exist or lies outside the user's scope (the two look the same on purpose)."""


def refusal_message(error):
    """What the user reads when a service or the scope layer refused: a domain rule's own words, or, for a write
    outside the user's area, one message that names no other cooperative."""
    from flask_babel import gettext

    from .scope import TenantScopeError

    if isinstance(error, TenantScopeError):
        return gettext("You cannot change data outside your area.")
    return str(error)


class ConflictError(DomainError):
    """The record changed since the user loaded it (a lost update was prevented)."""


def lost_update_message():
    """One wording for a prevented lost update, on the edit forms and in the API."""
    from flask_babel import gettext

    return gettext("Someone else saved this record after you opened it; nothing was saved. "
                   "Reload the page to see their changes, then make yours again.")
