"""REST API: /api/v1/account/ and /api/v1/journal_entry/, scoped like everything else.

Journal entries are read through the generated endpoints and posted through ``POST /api/v1/journal_entry/post``,
which calls the same ``services.post_entry`` as every module and the manual form (422 with the message on any
rule). Posted entries cannot be changed or deleted: PUT and DELETE answer 405 (403 without the permission).
"""
import json
from datetime import date
from decimal import Decimal

from flask import g, request
from flask_appbuilder.api import ModelRestApi, expose, protect, safe
from flask_appbuilder.security.decorators import permission_name
from flask_babel import gettext
from marshmallow import ValidationError as MarshmallowError
from sqlalchemy import inspect, select

from app.core.api_fields import DECIMAL_PATTERN
from app.core.errors import DomainError, ValidationFailed
from app.core.interface import KkmpInterface
from app.core.money import RupiahApiField
from app.core.scope import TenantScopeError
from app.core.scoped_views import ScopedApiMixin

from . import services
from .models import Account, JournalEntry, JournalLine

ACCOUNT_FIELDS = ["id", "cooperative_id", "code", "name", "kind", "normal_balance", "is_header", "is_active",
                  "member_flag", "is_system"]


class AccountApi(ScopedApiMixin, ModelRestApi):
    resource_name = "account"
    class_permission_name = "Account"
    datamodel = KkmpInterface(Account)
    list_columns = ACCOUNT_FIELDS
    show_columns = ACCOUNT_FIELDS + ["version"]
    add_columns = ["cooperative", "code", "name", "kind", "member_flag"]
    edit_columns = ["name", "is_active"]
    search_columns = ["code", "name", "kind", "is_active", "member_flag"]
    order_columns = ["code", "name"]
    base_order = ("code", "asc")

    def pre_add(self, item):
        services.check_account(self.datamodel.session, item)

    def pre_update(self, item):
        hist = inspect(item).attrs.is_active.history
        if hist.deleted and hist.deleted[0] is True and item.is_active is False:
            before = Account(cooperative_id=item.cooperative_id, code=item.code, is_active=True)
            before.id = item.id
            services.check_account(self.datamodel.session, item, existing=before)

    def pre_delete(self, item):
        services.check_delete_account(self.datamodel.session, item)


def _entry_json(entry):
    return {"id": entry.id, "number": entry.number, "cooperative_id": entry.cooperative_id,
            "entry_date": entry.entry_date.isoformat(), "total": str(entry.total),
            "lines": [{"line_no": l.line_no, "account": l.account.code, "debit": str(l.debit),
                       "credit": str(l.credit), "memo": l.memo} for l in entry.lines]}


class JournalEntryApi(ScopedApiMixin, ModelRestApi):
    resource_name = "journal_entry"
    class_permission_name = "JournalEntry"
    datamodel = KkmpInterface(JournalEntry)
    include_route_methods = {"get", "get_list", "info", "put", "delete", "post_entry"}
    list_columns = ["id", "cooperative_id", "number", "entry_date", "description", "reference", "business_unit_id",
                    "source_type", "source_id", "reverses_id", "entry_type", "total", "posted_at", "posted_by"]
    show_columns = list_columns
    add_columns = []
    edit_columns = []
    # Each answered by an index (migration fastpaths001); the free-text reference is not searchable here.
    search_columns = ["number", "entry_date", "entry_type", "source_type", "source_id"]
    order_columns = ["number", "entry_date", "id"]
    base_order = ("id", "desc")

    def add_apispec_components(self, api_spec):
        super().add_apispec_components(api_spec)
        # pre_get adds the entry's lines to a GET of one entry; the description says so.
        money = {"type": "string", "format": "decimal", "pattern": DECIMAL_PATTERN}
        api_spec.components.schemas[self.show_model_schema_name].setdefault("properties", {})["lines"] = {
            "type": "array", "items": {"type": "object", "properties": {
                "line_no": {"type": "integer"}, "account": {"type": "string"}, "account_name": {"type": "string"},
                "debit": money, "credit": money, "memo": {"type": "string", "nullable": True}}}}

    def pre_get(self, data):
        # The lines of the entry (one more scoped query; FAB's show schema does not nest one-to-many rows).
        entry_id = data.get("id")
        lines = self.datamodel.session.execute(
            select(JournalLine).where(JournalLine.entry_id == entry_id).order_by(JournalLine.line_no)).scalars()
        data.setdefault("result", {})["lines"] = [
            {"line_no": l.line_no, "account": l.account.code, "account_name": l.account.name,
             "debit": f"{l.debit:.2f}", "credit": f"{l.credit:.2f}", "memo": l.memo} for l in lines]

    def put_headless(self, pk):
        return self.response(405, message=gettext("A posted journal entry cannot be changed; post a reversing "
                                                  "entry."))

    def delete_headless(self, pk):
        return self.response(405, message=gettext("A posted journal entry cannot be deleted; post a reversing "
                                                  "entry."))

    @expose("/post", methods=["POST"])
    @protect()
    @safe
    @permission_name("post_entry")
    def post_entry(self):
        """Post a balanced journal entry through the ledger's posting service.
        ---
        post:
          summary: Post a journal entry (debits must equal credits; amounts as decimal strings)
          requestBody:
            required: true
            content:
              application/json:
                schema:
                  type: object
                  required: [cooperative_id, entry_date, description, lines]
                  properties:
                    cooperative_id: {type: integer}
                    entry_date: {type: string, format: date, example: "2026-10-31"}
                    description: {type: string}
                    reference: {type: string}
                    business_unit_id: {type: integer}
                    lines:
                      type: array
                      minItems: 2
                      items:
                        type: object
                        required: [account]
                        properties:
                          account: {type: string, description: "6-digit code or a purpose such as kas"}
                          debit: {type: string, example: "1500000.00"}
                          credit: {type: string, example: "0"}
                          memo: {type: string}
          responses:
            201:
              description: Posted; the entry with its number and lines
              content:
                application/json:
                  schema:
                    type: object
                    properties:
                      id: {type: integer}
                      number: {type: string, example: JU-2026-000123}
            400:
              $ref: '#/components/responses/400'
            401:
              $ref: '#/components/responses/401'
            403:
              $ref: '#/components/responses/403'
            422:
              $ref: '#/components/responses/422'
        """
        try:
            payload = json.loads(request.get_data(as_text=True) or "null", parse_float=Decimal)
        except ValueError:
            return self.response_400(message=gettext("The body must be JSON."))
        if not isinstance(payload, dict):
            return self.response_400(message=gettext("The body must be a JSON object."))
        session = self.datamodel.session
        try:
            try:
                entry_date = date.fromisoformat(str(payload.get("entry_date", "")))
            except ValueError:
                raise ValidationFailed(gettext("Write the date as YYYY-MM-DD."), "entry_date") from None
            raw_lines = payload.get("lines")
            if not isinstance(raw_lines, list) or not all(isinstance(l, dict) for l in raw_lines):
                raise ValidationFailed(gettext("lines must be a list of objects."), "lines")
            lines = [(str(l.get("account", "")), _amount(l.get("debit")), _amount(l.get("credit")), l.get("memo"))
                     for l in raw_lines]
            entry = services.post_entry(session, cooperative_id=payload.get("cooperative_id"), entry_date=entry_date,
                                        description=payload.get("description"), lines=lines,
                                        reference=payload.get("reference"),
                                        business_unit_id=payload.get("business_unit_id"), acting_user=g.user)
            # the answer is read before the commit, which would expire the entry and cost two more SELECTs
            answer = _entry_json(entry)
            session.commit()
        except DomainError as e:
            session.rollback()
            field = getattr(e, "field", None)
            return self.response_422(message={field: [str(e)]} if field else str(e))
        except TenantScopeError:
            session.rollback()
            return self.response_403()
        return self.response(201, **answer)


_LINE_AMOUNT = RupiahApiField(cents=True, allow_zero=True, allow_none=True, label="Debet/kredit")


def _amount(value):
    """A line amount through the API's money field: a JSON integer or a string ("1500000.00", "1.500.000,00")."""
    try:
        return _LINE_AMOUNT.deserialize(value)
    except MarshmallowError as e:
        raise ValidationFailed(" ".join(e.messages) if isinstance(e.messages, list) else str(e), "lines") from None
