"""REST API: ``/api/v1/monthly_report/`` (read in scope; ``POST /<id>/submit``, ``/<id>/approve``,
``/<id>/send_back`` for the role whose turn it is: 403 for a role outside the step, 409 when it is not that step,
404 outside the user's area; a send-back without a comment is 422) and ``GET /api/v1/dashboard/`` (the caller's
home-page figures, of their own area only)."""
from flask import g, request
from flask_appbuilder.api import BaseApi, ModelRestApi, expose, protect, safe
from flask_appbuilder.security.decorators import permission_name
from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from app.core.errors import DomainError, NotFound, refusal_message
from app.core.interface import KkmpInterface
from app.core.scope import TenantScopeError
from app.core.api_fields import json_value
from app.core.scoped_views import ScopedApiMixin

from . import services
from .models import MonthlyReport

FIELDS = ["id", "cooperative_id", "year", "month", "status", "submitted_at", "submitted_by", "lurah_at", "lurah_by",
          "camat_at", "camat_by", "sudin_at", "sudin_by", "last_comment"]

_STEP_DOC = """
        ---
        post:
          summary: {summary}
          parameters:
          - in: path
            name: pk
            required: true
            schema: {{type: integer}}
          requestBody:
            required: {body_required}
            content:
              application/json:
                schema:
                  type: object
                  properties:
                    comment: {{type: string}}
          responses:
            200:
              description: The report after the step
            401:
              $ref: '#/components/responses/401'
            403:
              $ref: '#/components/responses/403'
            404:
              $ref: '#/components/responses/404'
            409:
              description: The report is not at this user's step
            422:
              $ref: '#/components/responses/422'
        """


def _json(report):
    out = {}
    for k in FIELDS:
        out[k] = json_value(getattr(report, k))
    return out


class MonthlyReportApi(ScopedApiMixin, ModelRestApi):
    resource_name = "monthly_report"
    class_permission_name = "MonthlyReport"
    datamodel = KkmpInterface(MonthlyReport)
    allow_browser_login = True
    include_route_methods = {"get", "get_list", "info", "post", "put", "delete", "submit", "approve", "send_back"}
    # POST creates the report of a closed month by submitting it (do_submit), not through the add schema.
    info_post_fields = [("cooperative_id", _l("Koperasi"), "Integer", True), ("year", _l("Tahun"), "Integer", True),
                        ("month", _l("Bulan"), "Integer", True)]
    list_columns = FIELDS
    show_columns = FIELDS
    add_columns = []
    edit_columns = []
    search_columns = ["year", "month", "status"]
    order_columns = ["year", "month", "id"]
    base_order = ("id", "desc")

    def _step(self, fn, created=False):
        session = self.datamodel.session
        try:
            report = fn(session)
            session.commit()
        except NotFound:
            session.rollback()
            return self.response_404()
        except services.ReviewForbidden as e:
            session.rollback()
            return self.response(403, message=refusal_message(e))
        except services.ReviewConflict as e:
            session.rollback()
            return self.response(409, message=str(e))
        except DomainError as e:
            session.rollback()
            field = getattr(e, "field", None)
            return self.response_422(message={field: [str(e)]} if field else str(e))
        except TenantScopeError as e:
            session.rollback()
            return self.response(403, message=refusal_message(e))
        return self.response(201 if created else 200, id=report.id, result=_json(report))

    def _body(self):
        data = request.get_json(silent=True)
        return data if isinstance(data, dict) else {}

    def _report(self, session, pk):
        report = session.get(MonthlyReport, pk)
        if report is None:
            raise NotFound(gettext("Not found."))
        return report

    @expose("/<int:pk>/submit", methods=["POST"])
    @protect()
    @safe
    @permission_name("submit")
    def submit(self, pk):
        def run(session):
            report = self._report(session, pk)
            return services.do_submit(session, cooperative_id=report.cooperative_id, year=report.year,
                                      month=report.month, acting_user=g.user)
        return self._step(run)

    submit.__doc__ = "Submit again a report that was sent back or whose month was reopened and closed again." + \
        _STEP_DOC.format(summary="Submit the month again (Pengurus; after a send-back or a reopen)",
                         body_required="false")

    @expose("/<int:pk>/approve", methods=["POST"])
    @protect()
    @safe
    @permission_name("approve")
    def approve(self, pk):
        return self._step(lambda session: services.do_approve(session, self._report(session, pk), g.user,
                                                              self._body().get("comment")))

    approve.__doc__ = "Approve the month at the caller's step (Lurah, then Camat, then Sudin)." + _STEP_DOC.format(
        summary="Approve (the reviewer whose turn it is)", body_required="false")

    @expose("/<int:pk>/send_back", methods=["POST"])
    @protect()
    @safe
    @permission_name("send_back")
    def send_back(self, pk):
        return self._step(lambda session: services.do_send_back(session, self._report(session, pk),
                                                                self._body().get("comment"), g.user))

    send_back.__doc__ = "Send the month back to the cooperative with a comment." + _STEP_DOC.format(
        summary="Send back to the cooperative (comment required)", body_required="true")

    def post_headless(self):
        body = self._body()
        return self._step(lambda session: services.do_submit(
            session, cooperative_id=body.get("cooperative_id"), year=body.get("year"), month=body.get("month"),
            acting_user=g.user), created=True)

    def put_headless(self, pk):
        return self.response(405, message=gettext("A monthly report changes only through its review steps."))

    def delete_headless(self, pk):
        return self.response(405, message=gettext("A monthly report changes only through its review steps."))


class DashboardApi(BaseApi):
    """``GET /api/v1/dashboard/``: the figures of the caller's home page, of their own area."""

    resource_name = "dashboard"
    class_permission_name = "Dashboard"
    allow_browser_login = True
    include_route_methods = {"get"}

    @expose("/", methods=["GET"])
    @protect()
    @safe
    @permission_name("get")
    def get(self):
        """The caller's home-page figures.
        ---
        get:
          summary: The figures of the caller's home page, of their own area only
          responses:
            200:
              description: Figures
              content:
                application/json:
                  schema:
                    type: object
                    properties:
                      role: {type: string}
                      scope: {type: string}
                      figures:
                        type: array
                        items:
                          type: object
                          properties:
                            key: {type: string}
                            title: {type: string}
                            value: {type: string}
                            link: {type: string, nullable: true}
            401:
              $ref: '#/components/responses/401'
        """
        from .home import home_figures

        data = home_figures(g.user)
        return self.response(200, role=data["role"], scope=data["scope"],
                             figures=[{"key": f.key, "title": str(f.title), "value": f.text, "link": f.link}
                                      for f in data["figures"]])
