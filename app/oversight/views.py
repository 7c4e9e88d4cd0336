"""Laporan bulanan: the list and page of each cooperative's monthly report, the submit / approve / send-back
buttons of whoever's turn it is, and the reviewers' "menunggu tinjauan" list. Thin: the rules are in services."""
from flask import abort, flash, g, redirect, request, url_for
from flask_appbuilder import expose
from flask_appbuilder.security.decorators import has_access, permission_name
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.core.audit_present import local_time
from app.core.interface import KkmpInterface
from app.core.views import KkmpModelView, commit_or_refuse

from . import services
from .figures import month_summary
from .models import REVIEWER_OF, MonthlyReport, MonthlyReportStep

LABELS = {"cooperative": _l("Koperasi"), "label": _l("Bulan"), "status_label": _l("Status"),
          "status": _l("Status"), "year": _l("Tahun"), "month": _l("Bulan"),
          "submitted_at": _l("Diajukan (UTC)"), "submitted_by": _l("Diajukan oleh"),
          "lurah_at": _l("Disetujui lurah (UTC)"), "lurah_by": _l("Lurah"),
          "camat_at": _l("Disetujui camat (UTC)"), "camat_by": _l("Camat"),
          "sudin_at": _l("Disetujui Sudin (UTC)"), "sudin_by": _l("Sudin"),
          "last_comment": _l("Catatan terakhir")}


def _writable_coops(session):
    from app.ledger.views import writable_cooperatives

    return writable_cooperatives(session)


class MonthlyReportView(KkmpModelView):
    datamodel = KkmpInterface(MonthlyReport)
    class_permission_name = "MonthlyReport"
    route_base = "/laporan-bulanan"
    include_route_methods = {"list", "show", "export_xlsx", "export_csv", "action", "action_post", "submit",
                             "approve", "send_back", "waiting"}
    list_title = _l("Laporan bulanan")
    show_title = _l("Laporan bulanan")
    list_template = "oversight/report_list.html"
    show_template = "oversight/report_show.html"
    list_columns = ["cooperative", "label", "status_label", "submitted_at", "lurah_at", "camat_at", "sudin_at"]
    show_columns = ["cooperative", "label", "status_label", "submitted_at", "submitted_by", "lurah_at", "lurah_by",
                    "camat_at", "camat_by", "sudin_at", "sudin_by", "last_comment"]
    search_columns = ["year", "month", "status"]
    order_columns = ["submitted_at"]
    base_order = ("id", "desc")
    label_columns = LABELS
    url_filters = {"koperasi": "cooperative_id"}

    def _url_filtered(self, query):
        query = super()._url_filtered(query)
        if request.args.get("menunggu") == "1":  # the reviewer's waiting list, as linked from the navbar
            query = query.filter(MonthlyReport.status.in_(services.waiting_statuses(g.user) or ["-"]))
        return query

    def render_template(self, template, **kwargs):
        sm = self.appbuilder.sm
        session = self.datamodel.session
        if template == self.list_template:
            kwargs["can_submit"] = sm.has_access("can_submit", self.class_permission_name)
            if kwargs["can_submit"]:
                kwargs["submit_coops"] = _writable_coops(session)
        if template == self.show_template and kwargs.get("pk") is not None:
            report = self.datamodel.get(kwargs["pk"])
            if report is not None:
                roles = {r.name for r in g.user.roles}
                turn = REVIEWER_OF.get(report.status)
                kwargs.update(
                    report=report,
                    summary=month_summary(session, report.cooperative_id, report.year, report.month),
                    # In the cooperative's own zone, as the audit log shows times (was UTC, its time printed twice)
                    step_time=lambda at, code=report.cooperative.region_code: local_time(at, code),
                    steps=session.scalars(select(MonthlyReportStep).where(MonthlyReportStep.report_id == report.id)
                                          .order_by(MonthlyReportStep.id)).all(),
                    can_review=bool(turn and turn in roles and sm.has_access("can_approve",
                                                                             self.class_permission_name)),
                    can_resubmit=report.status in ("sent_back", "reopened")
                    and sm.has_access("can_submit", self.class_permission_name))
        return super().render_template(template, **kwargs)

    @expose("/ajukan", methods=["POST"])
    @has_access
    @permission_name("submit")
    def submit(self):
        session = self.datamodel.session
        coops = _writable_coops(session)
        wanted = request.form.get("cooperative", "")
        if coops is None:
            from app.ledger.views import choose_cooperative
            coop = choose_cooperative(session, None)
        else:
            coop = coops[0] if len(coops) == 1 else next((c for c in coops if str(c.id) == wanted), None)
        if coop is None:
            flash(gettext("Choose the cooperative."), "danger")
            return redirect(url_for(".list"))
        report, refused = commit_or_refuse(session, lambda: services.do_submit(
            session, cooperative_id=coop.id, year=request.form.get("year"), month=request.form.get("month"),
            acting_user=g.user), url_for(".list"))
        if refused:
            return refused
        flash(gettext("Laporan bulan %(p)s diajukan ke lurah.", p=report.label), "success")
        return redirect(url_for(".show", pk=report.id))

    def _report_or_404(self, pk):
        report = self.datamodel.get(pk)
        if report is None:
            abort(404)
        return report

    @expose("/setujui/<int:pk>", methods=["POST"])
    @has_access
    @permission_name("approve")
    def approve(self, pk):
        session = self.datamodel.session
        report = self._report_or_404(pk)
        _done, refused = commit_or_refuse(session, lambda: services.do_approve(
            session, report, g.user, request.form.get("comment")), url_for(".show", pk=pk))
        if refused:
            return refused
        flash(gettext("Laporan %(p)s disetujui.", p=report.label), "success")
        return redirect(url_for(".show", pk=pk))

    @expose("/kembalikan/<int:pk>", methods=["POST"])
    @has_access
    @permission_name("send_back")
    def send_back(self, pk):
        session = self.datamodel.session
        report = self._report_or_404(pk)
        _done, refused = commit_or_refuse(session, lambda: services.do_send_back(
            session, report, request.form.get("comment"), g.user), url_for(".show", pk=pk))
        if refused:
            return refused
        flash(gettext("Laporan %(p)s dikembalikan ke koperasi.", p=report.label), "success")
        return redirect(url_for(".show", pk=pk))

    @expose("/menunggu")
    @has_access
    @permission_name("waiting")
    def waiting(self):
        """What waits for this user: the list narrowed to the statuses of their turn."""
        return redirect(url_for(".list", menunggu="1"))
