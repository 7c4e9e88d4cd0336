"""The "Pekerjaan" pages: a user's own background jobs, one job's progress (the bar polls ``status``), and the
result's download. A job that is not the user's, or lies outside their scope, answers 404 like a missing one."""
from flask import abort, flash, g, jsonify, redirect, send_file, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access, permission_name
from flask_babel import gettext

from app.core.errors import DomainError, refusal_message
from app.extensions import db

from . import services
from .models import Job

LIST_LIMIT = 100


class JobView(BaseView):
    route_base = "/pekerjaan"
    class_permission_name = "Job"
    default_view = "list"

    def _job(self, pk):
        job = services.get_visible_job(db.session, g.user, pk)
        if job is None:
            abort(404)
        return job

    @expose("/")
    @has_access
    @permission_name("list")
    def list(self):
        jobs = db.session.execute(services.visible_jobs(db.session, g.user)
                                  .order_by(Job.id.desc()).limit(LIST_LIMIT)).scalars().all()
        sm = self.appbuilder.sm
        return self.render_template("jobs/list.html", jobs=jobs, kind_label=services.kind_label,
                                    can_bill=sm.has_access("can_generate", "WajibBill"))

    @expose("/<int:pk>")
    @has_access
    @permission_name("list")
    def show(self, pk):
        job = self._job(pk)
        return self.render_template("jobs/show.html", job=job, kind_label=services.kind_label,
                                    has_result=services.result_file(job) is not None)

    @expose("/<int:pk>/status")
    @has_access
    @permission_name("list")
    def status(self, pk):
        job = self._job(pk)
        answer = services.status_of(job)
        answer["has_result"] = services.result_file(job) is not None
        response = jsonify(answer)
        response.headers["Cache-Control"] = "no-store"
        return response

    @expose("/<int:pk>/unduh")
    @has_access
    @permission_name("download")
    def download(self, pk):
        job = self._job(pk)
        path = services.result_file(job)
        if path is None:
            abort(404)
        return send_file(path, as_attachment=True, download_name=job.result_name or "hasil.xlsx",
                         mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")

    @expose("/tagihan-wajib", methods=["POST"])
    @has_access
    @permission_name("list")
    def start_bill_run(self):
        """The current month's wajib bills for every cooperative of the user's scope, as a job (Pengurus)."""
        from app.savings.jobs import do_start_bill_run

        if not self.appbuilder.sm.has_access("can_generate", "WajibBill"):
            abort(403)
        try:
            job = do_start_bill_run(db.session, g.user)
        except DomainError as e:
            db.session.rollback()
            flash(refusal_message(e), "danger")
            return redirect(url_for(".list"))
        flash(gettext("Tagihan simpanan wajib bulan ini sedang dibuat di latar belakang."), "info")
        return redirect(url_for(".show", pk=job.id))
