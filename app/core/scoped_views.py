"""Turning scope and domain refusals into proper answers (the session layer already refused the write), and
the API's guard against lost updates.

FAB runs ModelRestApi ``pre_add``/``pre_update`` outside its own try block, so anything they raise would be an
``@safe`` 500. The mixin wraps the ``*_headless`` methods instead: a domain rule becomes 422 with its message,
a reference to an invisible row 422, a scope refusal 403; the session is rolled back so nothing half-done lingers.

Lost updates (the edit form's ``kkmp_version`` check, for API clients): a GET of a versioned record answers an
``ETag`` (the row's version, also in ``result.version``); a PUT must say which version it edits, by ``If-Match``
or a ``version`` field in the body. Without one the answer is 428, with an old one 412 and nothing is written;
a save racing ours between the check and the UPDATE is caught by the versioned UPDATE itself (412 too).
"""
from flask import request
from flask_appbuilder.api import BaseApi
from flask_babel import gettext

from .errors import ConflictError, DomainError, lost_update_message, refusal_message
from .scope import RelatedNotFound, TenantScopeError


def _etag(version):
    return f'"{version}"'


class KkmpApiMixin:
    """What every API of ours shares: dump schemas that write money and moments as described, and an OpenAPI
    description corrected where FAB's generic text differs from what FAB answers (ids are the key's own type,
    counts integers, an optional nested row may be null)."""

    def _init_properties(self):
        # FAB selects only the listed columns (load_only); a listed property reading other columns (nik_masked,
        # a cooperative's stage) then loads each of them row by row: 25 rows, 25 more statements per column. The
        # list reads whole rows of its own table instead (their relations stay as the model loads them).
        explicit = self.list_select_columns
        super()._init_properties()
        if explicit is None:
            table = self.datamodel.obj.__table__.columns
            plain = [c for c in self.list_columns if "." not in c]
            if any(c not in table for c in plain):
                self.list_select_columns = [c.key for c in table] + [c for c in self.list_columns if "." in c]

    def _init_model_schemas(self):
        super()._init_model_schemas()
        from .api_fields import harden_output_schema

        for schema in (self.list_model_schema, self.show_model_schema):
            if schema is not None:
                harden_output_schema(schema)

    # -- _info: what a client may send, in the user's language ---------------------------------------------------

    #: Fields of a POST whose body is not the model's add schema (a service takes it): list of
    #: (name, label, type, required). None: the add schema describes the POST.
    info_post_fields = None

    def _may_write(self, route):
        """Whether this API has the route and the current user the right to it: FAB's _info would otherwise
        describe add and edit forms (with every related row's label) to a reader who can do neither."""
        if route not in (self.include_route_methods or {route}):
            return False
        return self.appbuilder.sm.has_access(f"can_{route}", self.class_permission_name)

    def _ui_label(self, name):
        """The label the screens give a column (their ModelView of the same model), else FAB's own label put
        through the catalogue: an API user reads the same words as on the page, not "Tx Date"."""
        model = self.datamodel.obj
        for view in self.appbuilder.baseviews:
            labels = getattr(view, "label_columns", None)
            datamodel = getattr(view, "datamodel", None)
            if view is self or not labels or getattr(datamodel, "obj", None) is not model or isinstance(view, BaseApi):
                continue
            if name in labels:
                return str(labels[name])
        label = self.label_columns.get(name) or name
        return gettext(str(label)) if label else ""

    def _get_fields_info(self, cols, model_schema, filter_rel_fields, **kwargs):
        if model_schema is self.add_model_schema:
            if not self._may_write("post"):
                return []
            if self.info_post_fields is not None:
                return [{"name": name, "label": str(label), "description": "", "type": kind, "required": required,
                         "unique": False} for name, label, kind, required in self.info_post_fields]
        if model_schema is self.edit_model_schema and not self._may_write("put"):
            return []
        return super()._get_fields_info(cols, model_schema, filter_rel_fields, **kwargs)

    def _get_field_info(self, field, filter_rel_field, page=None, page_size=None):
        info = super()._get_field_info(field, filter_rel_field, page=page, page_size=page_size)
        info["label"] = self._ui_label(field.name)
        # gettext("") is the catalogue's header, which FAB would send as every undescribed field's description
        description = self.description_columns.get(field.name)
        info["description"] = gettext(str(description)) if description else ""
        return info

    def _pk_schema(self):
        column = self.datamodel.obj.__table__.primary_key.columns.values()[0]
        return {"type": "integer"} if column.type.python_type is int else {"type": "string"}

    def add_apispec_components(self, api_spec):
        super().add_apispec_components(api_spec)
        from marshmallow import fields

        for name, schema in ((self.list_model_schema_name, self.list_model_schema),
                             (self.show_model_schema_name, self.show_model_schema)):
            described = api_spec.components.schemas.get(name, {}).get("properties", {})
            for field_name, field in schema.fields.items():
                prop = described.get(field.data_key or field_name)
                if isinstance(field, fields.Nested) and prop and "$ref" in prop:
                    described[field.data_key or field_name] = {"nullable": True, "allOf": [prop]}

    def operation_helper(self, path=None, operations=None, methods=None, func=None, **kwargs):
        super().operation_helper(path=path, operations=operations, methods=methods, func=func, **kwargs)
        if func is None or func.__name__ not in ("get", "get_list") or "get" not in operations:
            return
        responses = operations["get"].get("responses", {})
        ok = responses.get(200) or responses.get("200") or {}
        schema = ok.get("content", {}).get("application/json", {}).get("schema", {})
        props = schema.get("properties", {})
        if "ids" in props:
            props["ids"]["items"] = self._pk_schema()
        if "count" in props:
            props["count"]["type"] = "integer"
        if "id" in props or func.__name__ == "get":
            props["id"] = dict(props.get("id", {}), **self._pk_schema())


class ScopedApiMixin(KkmpApiMixin):
    def _guarded(self, fn, *args, **kwargs):
        session = self.datamodel.session
        try:
            return fn(*args, **kwargs)
        except ConflictError as e:
            session.rollback()
            return self.response(412, message=str(e))
        except (DomainError, RelatedNotFound) as e:
            session.rollback()
            field = getattr(e, "field", None)
            if field:
                return self.response_422(message={field: [str(e)]})
            return self.response_422(message=str(e))
        except TenantScopeError as e:
            session.rollback()
            return self.response(403, message=refusal_message(e))

    # -- versions ------------------------------------------------------------------------------------------------

    def _versioned(self):
        return "version" in self.datamodel.obj.__table__.columns and "put" in (self.include_route_methods or {"put"})

    def get_headless(self, pk, **kwargs):
        response = super().get_headless(pk, **kwargs)
        if response.status_code == 200 and self._versioned():
            version = (response.get_json().get("result") or {}).get("version")
            if version is None:  # the client chose columns without the version
                item = self.datamodel.get(pk, self._base_filters)
                version = getattr(item, "version", None)
            if version is not None:
                response.headers["ETag"] = _etag(version)
        return response

    def _claimed_version(self):
        """The version the client says it edits: ``If-Match: "7"`` or ``{"version": 7}`` (taken out of the body,
        which the edit schema would otherwise refuse as an unknown field)."""
        body = request.get_json(silent=True)
        from_body = body.pop("version", None) if isinstance(body, dict) else None
        if request.if_match and not request.if_match.star_tag:
            tags = list(request.if_match.as_set())
            return tags[0] if len(tags) == 1 else "?"
        if from_body is not None and not isinstance(from_body, bool):
            return str(from_body)
        return None

    def put_headless(self, pk):
        if not self._versioned():
            return self._guarded(super().put_headless, pk)
        item = self.datamodel.get(pk, self._base_filters)
        if item is None:
            return self.response_404()
        claimed = self._claimed_version()
        if claimed is None:
            return self.response(428, message=gettext(
                "Say which version you are changing: send the ETag of your GET as If-Match, or \"version\" in "
                "the body."))
        if claimed != str(item.version):
            response = self.response(412, message=lost_update_message())
            response.headers["ETag"] = _etag(item.version)
            return response
        response = self._guarded(super().put_headless, pk)
        if response.status_code == 200:
            response.headers["ETag"] = _etag(item.version)
        return response

    def operation_helper(self, path=None, operations=None, methods=None, func=None, **kwargs):
        # The description says what the API does: an ETag on reads, If-Match (or "version") on edits.
        super().operation_helper(path=path, operations=operations, methods=methods, func=func, **kwargs)
        if not self._versioned() or func is None:
            return
        if func.__name__ == "get" and "get" in operations:
            responses = operations["get"].setdefault("responses", {})
            ok = responses.get(200) or responses.setdefault("200", {})
            ok.setdefault("headers", {})["ETag"] = {
                "description": "The record's version; send it back as If-Match to change the record.",
                "schema": {"type": "string"}}
        if func.__name__ == "put" and "put" in operations:
            op = operations["put"]
            op.setdefault("parameters", []).append({
                "in": "header", "name": "If-Match", "required": False, "schema": {"type": "string"},
                "description": "The ETag of the GET this change is based on (or send \"version\" in the body)."})
            responses = op.setdefault("responses", {})
            responses["412"] = {"description": "Someone else saved the record since that version; nothing saved."}
            responses["428"] = {"description": "Neither If-Match nor \"version\" was sent; nothing saved."}

    def post_headless(self):
        return self._guarded(super().post_headless)

    def delete_headless(self, pk):
        return self._guarded(super().delete_headless, pk)
