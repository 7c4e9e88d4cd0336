"""REST API: /api/v1/member/ with the same rules as the screens. The NIK is write-only: responses carry
``nik_masked`` (last four digits), never the stored number; ``birth_date`` is null for a reader without the NIK
reveal right, who gets ``birth_year`` only (app/core/nik.py); status changes are not API fields (they go through
the services)."""
from datetime import date

from flask import g, request
from flask_appbuilder.api import ModelRestApi, expose, protect, safe
from flask_appbuilder.security.decorators import permission_name

from app.core.errors import ValidationFailed
from app.core.nik import may_reveal

from app.core.scoped_views import ScopedApiMixin

from . import services
from .models import Member
from .views import MemberInterface

EDITABLE = ["nik", "name", "sex", "birth_date", "marital_status", "address", "rt", "rw", "domicile_code",
            "phone", "occupation", "join_date"]


class MemberApi(ScopedApiMixin, ModelRestApi):
    resource_name = "member"
    class_permission_name = "Member"
    datamodel = MemberInterface(Member)
    allow_browser_login = True
    # never deleted (the history stays); status changes through set_status only
    include_route_methods = {"get", "get_list", "info", "post", "put", "set_status"}
    list_columns = ["id", "cooperative_id", "member_number", "name", "nik_masked", "sex", "rt", "rw", "status",
                    "join_date"]
    show_columns = ["id", "cooperative_id", "member_number", "name", "nik_masked", "sex", "birth_date", "birth_year",
                    "address", "marital_status", "rt", "rw", "domicile_code", "phone", "occupation", "join_date",
                    "status", "approved_on", "active_since", "ended_on", "end_note", "version"]
    add_columns = ["cooperative"] + EDITABLE
    edit_columns = EDITABLE
    search_columns = ["name", "member_number", "status", "sex"]
    order_columns = ["name", "join_date"]  # as the register (views.py): each with its index
    base_order = ("name", "asc")
    # Future dates are refused by services.check_member against the cooperative's own date (WIB/WITA/WIT).

    def _init_model_schemas(self):
        super()._init_model_schemas()
        # The NIK may be written but is never dumped back (a POST/PUT answer echoes the schema). It may be typed
        # with spaces or dashes: it is normalised before the column's 16-character limit applies.
        # NIK and phone load through the one normaliser of each (app.core.nik, app.core.identifiers), as in the form.
        from app.core.forms import normalise_api_fields
        from app.core.identifiers import check_phone
        from app.core.nik import check_nik

        normalise_api_fields(self, {"nik": check_nik, "phone": check_phone}, nik={"load_only": True})
        # Null for a reader who may not see it (pre_get): the description says so.
        from marshmallow import fields

        self.show_model_schema.declared_fields["birth_date"] = fields.Date(
            allow_none=True, metadata={"description": "null without the NIK reveal right; see birth_year"})
        self.show_model_schema.declared_fields["birth_year"] = fields.Integer(allow_none=True)
        self.show_model_schema._init_fields()

    def pre_get(self, data):
        if not may_reveal(self.class_permission_name):
            data["result"]["birth_date"] = None

    def _merge_update_item(self, model_item, data):
        # FAB fills fields missing from a PUT from a dump of the row; the NIK is never dumped: blank keeps it.
        data = dict(data)
        data.setdefault("nik", "")
        return super()._merge_update_item(model_item, data)

    def pre_add(self, item):
        # The mixin turns a refusal into 422/403 and rolls back (the member may already be flushed).
        services.register_member(self.datamodel.session, item, g.user)

    def pre_update(self, item):
        from sqlalchemy import inspect as sa_inspect

        if not (item.nik or "").strip():
            hist = sa_inspect(item).attrs.nik.history
            item.nik = (hist.deleted or hist.unchanged or (None,))[0]
        services.update_member(self.datamodel.session, item)

    @expose("/<int:pk>/status/<string:step>", methods=["POST"])
    @protect()
    @safe
    @permission_name("set_status")
    def set_status(self, pk, step):
        """Change a membership's status (Pengurus): step is approve, activate, reject or end.
        ---
        post:
          parameters:
          - in: path
            schema:
              type: integer
            name: pk
          - in: path
            schema:
              type: string
            name: step
          requestBody:
            content:
              application/json:
                schema:
                  type: object
                  properties:
                    on_date: {type: string, format: date}
                    status: {type: string, enum: [keluar, meninggal, diberhentikan]}
                    note: {type: string}
          responses:
            200:
              description: the new status and member number
            404:
              $ref: '#/components/responses/404'
            422:
              $ref: '#/components/responses/422'
        """
        item = self.datamodel.get(pk, self._base_filters)
        if item is None:
            return self.response_404()
        body = request.get_json(silent=True) or {}
        steps = {"approve": services.do_approve, "activate": services.do_activate, "reject": services.do_reject,
                 "end": services.do_end}
        if step not in steps:
            return self.response_404()

        def run():
            on = body.get("on_date")
            try:
                on = date.fromisoformat(on) if on else None
            except (TypeError, ValueError):
                raise ValidationFailed("on_date: YYYY-MM-DD", "on_date") from None
            kwargs = {}
            if step == "end":
                kwargs = {"status": body.get("status", ""), "note": body.get("note")}
            elif step == "reject":
                kwargs = {"note": body.get("note")}
            steps[step](self.datamodel.session, item, g.user, on=on, **kwargs)
            self.datamodel.session.commit()
            return self.response(200, id=item.id, status=item.status, member_number=item.member_number)

        return self._guarded(run)
