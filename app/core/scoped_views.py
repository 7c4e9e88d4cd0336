"""Turning scope and domain refusals into proper answers (the session layer already refused the write).

FAB runs ModelRestApi ``pre_add``/``pre_update`` outside its own try block, so anything they raise would be an
``@safe`` 500. The mixin wraps the ``*_headless`` methods instead: a domain rule becomes 422 with its message,
a reference to an invisible row 422, a scope refusal 403; the session is rolled back so nothing half-done lingers.
"""
from .errors import DomainError
from .scope import RelatedNotFound, TenantScopeError


class ScopedApiMixin:
    def _guarded(self, fn, *args, **kwargs):
        session = self.datamodel.session
        try:
            return fn(*args, **kwargs)
        except (DomainError, RelatedNotFound) as e:
            session.rollback()
            field = getattr(e, "field", None)
            if field:
                return self.response_422(message={field: [str(e)]})
            return self.response_422(message=str(e))
        except TenantScopeError as e:
            session.rollback()
            return self.response_403(message=str(e))

    def post_headless(self):
        return self._guarded(super().post_headless)

    def put_headless(self, pk):
        return self._guarded(super().put_headless, pk)

    def delete_headless(self, pk):
        return self._guarded(super().delete_headless, pk)
