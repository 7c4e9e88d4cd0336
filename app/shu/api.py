"""REST API of the SHU.

* ``/api/v1/shu_rule/``: the rules in the user's scope (GET list / item); POST sets a year's rule through
  ``do_set_rule`` (allocations as ``[{"kind", "name", "percent"}]``, percents as strings); PUT and DELETE 405 (the
  rule is replaced by a new POST, refused once the RAT was held).
* ``POST /api/v1/shu/<cooperative_id>/<year>/compute``: the worksheet (totals and every member's exact and rounded
  share), or 202 with the job that computes it for a big cooperative (``GET /api/v1/job/<id>``); ``GET
  .../members`` pages the member shares by keyset (``after``, ``page_size`` up to 500);
  ``POST .../distribute`` posts the distribution journal after the RAT.
Refusals are 422 with the reason; a cooperative outside the user's scope is 404.
"""

from flask import g, request
from flask_appbuilder.api import BaseApi, ModelRestApi, expose, protect, safe
from flask_appbuilder.security.decorators import permission_name
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.cooperatives.models import Cooperative
from app.core.errors import DomainError, ValidationFailed, refusal_message
from app.core.interface import KkmpInterface
from app.core.scope import TenantScopeError
from app.core.api_fields import json_value as _json
from app.core.scoped_views import ScopedApiMixin
from app.extensions import db

from . import services
from .models import ShuRule

RULE_FIELDS = ["id", "cooperative_id", "year", "jm_basis", "balance_basis", "leaver_rule", "quorum_percent",
               "decision_ref", "decided_on", "copied_from_year", "version"]


class ShuRuleApi(ScopedApiMixin, ModelRestApi):
    resource_name = "shu_rule"
    class_permission_name = "ShuRule"
    datamodel = KkmpInterface(ShuRule)
    allow_browser_login = True
    include_route_methods = {"get", "get_list", "info", "post", "put", "delete"}
    list_columns = RULE_FIELDS
    show_columns = RULE_FIELDS
    add_columns = []
    edit_columns = []
    search_columns = ["year", "cooperative_id"]
    order_columns = ["year"]
    base_order = ("year", "desc")
    info_post_fields = [("cooperative_id", _l("Koperasi"), "Integer", True), ("year", _l("Tahun buku"), "Integer", True),
                        ("allocations", _l("Pembagian"), "List", True),
                        ("jm_basis", _l("Dasar jasa modal"), "String", False),
                        ("balance_basis", _l("Dasar saldo"), "String", False),
                        ("leaver_rule", _l("Anggota keluar"), "String", False),
                        ("quorum_percent", _l("Kuorum RAT (%)"), "String", False),
                        ("decision_ref", _l("Nomor keputusan RAT"), "String", False)]

    def post_headless(self):
        return self._guarded(self._post_rule)

    def _post_rule(self):
        data = request.get_json(silent=True)
        if not isinstance(data, dict):
            return self.response_400(message=gettext("Kirim JSON."))
        allocations = data.get("allocations")
        if not isinstance(allocations, list) or not all(isinstance(a, dict) for a in allocations):
            raise ValidationFailed(gettext("allocations harus daftar {kind, name, percent}."), "allocations")
        coop = db.session.execute(select(Cooperative).where(Cooperative.id == data.get("cooperative_id"))).scalar()
        if coop is None:
            return self.response_404()
        kwargs = {k: data[k] for k in ("jm_basis", "balance_basis", "leaver_rule", "quorum_percent", "decision_ref")
                  if k in data}
        rule = services.do_set_rule(db.session, cooperative_id=coop.id, year=data.get("year"), acting_user=g.user,
                                    allocations=[(a.get("kind"), a.get("name"), a.get("percent"))
                                                 for a in allocations], **kwargs)
        db.session.commit()
        result = {k: _json(getattr(rule, k)) for k in RULE_FIELDS}
        result["allocations"] = [{"kind": a.kind, "name": a.name, "percent": str(a.percent)}
                                 for a in rule.allocations]
        return self.response(201, id=rule.id, result=result)

    def put_headless(self, pk):
        return self.response(405, message=gettext("Aturan SHU diganti dengan POST aturan tahun itu."))

    def delete_headless(self, pk):
        return self.response(405, message=gettext("Aturan SHU tidak dihapus; ganti dengan POST aturan tahun itu."))


def worksheet_json(ws, shares=None):
    out = {k: _json(getattr(ws, k)) for k in (
        "id", "cooperative_id", "year", "status", "shu_total", "shu_members", "shu_non_members", "jm_amount",
        "ju_amount", "jm_basis_total", "ju_basis_total", "ju_source", "member_shares_total", "member_count",
        "cadangan_rule", "cadangan_non_member", "cadangan_undistributed", "cadangan_rounding", "cadangan_total",
        "funds_total", "loss_covered", "loss_uncovered", "distribution_entry_id")}
    out["allocations"] = [{"kind": l.kind, "name": l.name, "percent": str(l.percent), "base": str(l.base),
                           "amount": str(l.amount)} for l in ws.lines]
    if shares is not None:
        out["members"] = [share_json(s) for s in shares]
    return out


def share_json(s):
    """A member share (a ``services.ShareRow`` or a raw share row) as the API writes it."""
    return {"id": s.id, "member_id": s.member_id, "member_number": s.member_number, "name": s.name,
            "jm_basis": str(s.jm_basis), "ju_basis": str(s.ju_basis), "jm_exact": str(s.jm_exact),
            "ju_exact": str(s.ju_exact), "total_exact": str(s.total_exact), "total_rounded": str(s.total_rounded),
            "left_on": s.left_on.isoformat() if s.left_on else None,
            "paid_on": s.paid_on.isoformat() if s.paid_on else None, "payment_method": s.payment_method,
            "receipt_number": s.receipt_number}


def share_rows_json(session, ws):
    """Every member share of the worksheet, from one column select (no entities: the worksheet answer of 5,000
    members stays a fraction of a second)."""
    return [share_json(s) for s in services.share_page(session, ws, raw=True)]


class ShuApi(BaseApi):
    resource_name = "shu"
    class_permission_name = "Shu"
    allow_browser_login = True
    openapi_spec_tag = "SHU"

    def _coop(self, cooperative_id):
        return db.session.execute(select(Cooperative).where(Cooperative.id == cooperative_id)).scalar()

    def _run(self, fn):
        try:
            return fn()
        except (DomainError,) as e:
            db.session.rollback()
            field = getattr(e, "field", None)
            return self.response_422(message={field: [str(e)]} if field else str(e))
        except TenantScopeError as e:
            db.session.rollback()
            return self.response(403, message=refusal_message(e))

    @expose("/<int:cooperative_id>/<int:year>/compute", methods=["POST"])
    @protect()
    @safe
    @permission_name("compute")
    def compute(self, cooperative_id, year):
        """Compute the SHU worksheet of a closed year.
        ---
        post:
          summary: Compute (or recompute until distributed) the SHU worksheet; answers totals and member shares, or
            202 with a job to follow when the cooperative is big
          parameters:
          - {in: path, name: cooperative_id, required: true, schema: {type: integer}}
          - {in: path, name: year, required: true, schema: {type: integer}}
          responses:
            200: {description: The worksheet with every member's exact and rounded share}
            202: {description: '{"result": {"job_id", "status", "status_url"}}: computed by a background job'}
            401: {$ref: '#/components/responses/401'}
            404: {$ref: '#/components/responses/404'}
            422: {$ref: '#/components/responses/422'}
        """
        coop = self._coop(cooperative_id)
        if coop is None:
            return self.response_404()

        def go():
            # A cooperative of more than KKMP_SHU_JOB_MEMBERS members is computed by the worker, as on the screen:
            # 202 with the job to follow (GET /api/v1/job/<id>), then the shares by GET .../members.
            from app.jobs.api import job_accepted

            from .jobs import start_compute_job

            job = start_compute_job(db.session, g.user, coop, year)
            if job is not None:
                return job_accepted(self, job)
            ws = services.do_compute_worksheet(db.session, cooperative_id=coop.id, year=year, acting_user=g.user)
            db.session.commit()
            body = worksheet_json(ws)
            body["members"] = share_rows_json(db.session, ws)
            return self.response(200, result=body)
        return self._run(go)

    @expose("/<int:cooperative_id>/<int:year>/members", methods=["GET"])
    @protect()
    @safe
    @permission_name("read")
    def members(self, cooperative_id, year):
        """The member shares of a worksheet, by keyset pages.
        ---
        get:
          summary: Member SHU shares (after=<last id>, page_size up to 500, unpaid=1 for the unpaid ones)
          parameters:
          - {in: path, name: cooperative_id, required: true, schema: {type: integer}}
          - {in: path, name: year, required: true, schema: {type: integer}}
          - {in: query, name: after, required: false, schema: {type: integer}}
          - {in: query, name: page_size, required: false, schema: {type: integer}}
          - {in: query, name: unpaid, required: false, schema: {type: integer}}
          responses:
            200: {description: The worksheet totals and one page of member shares}
            401: {$ref: '#/components/responses/401'}
            404: {$ref: '#/components/responses/404'}
        """
        coop = self._coop(cooperative_id)
        ws = services.worksheet_for(db.session, coop.id, year) if coop is not None else None
        if ws is None:
            return self.response_404()
        try:
            size = min(max(int(request.args.get("page_size", 100)), 1), 500)
            after = int(request.args.get("after", 0))
        except ValueError:
            return self.response_400(message=gettext("after dan page_size harus bilangan bulat."))
        shares = services.share_page(db.session, ws, after_id=after, limit=size + 1,
                                      unpaid_only=request.args.get("unpaid") == "1")
        page = shares[:size]
        body = worksheet_json(ws, page)
        body["next_after"] = page[-1].id if len(shares) > size else None
        return self.response(200, result=body)

    @expose("/<int:cooperative_id>/<int:year>/distribute", methods=["POST"])
    @protect()
    @safe
    @permission_name("distribute")
    def distribute(self, cooperative_id, year):
        """Post the SHU distribution decided by the RAT.
        ---
        post:
          summary: Post the distribution journal (after the RAT was held and its decision recorded)
          parameters:
          - {in: path, name: cooperative_id, required: true, schema: {type: integer}}
          - {in: path, name: year, required: true, schema: {type: integer}}
          responses:
            200: {description: The distributed worksheet with its journal entry id}
            401: {$ref: '#/components/responses/401'}
            404: {$ref: '#/components/responses/404'}
            422: {$ref: '#/components/responses/422'}
        """
        coop = self._coop(cooperative_id)
        if coop is None:
            return self.response_404()

        def go():
            ws = services.do_distribute(db.session, cooperative_id=coop.id, year=year, acting_user=g.user)
            db.session.commit()
            return self.response(200, result=worksheet_json(ws))
        return self._run(go)
