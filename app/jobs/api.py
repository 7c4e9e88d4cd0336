"""REST API of the background jobs: ``GET /api/v1/job/<id>`` answers a job's status and progress, as the
"Pekerjaan" page's bar reads it, to the user who started it and only within their current scope (any other job
answers 404, like a missing one). An API call whose work runs as a job (the SHU worksheet of a big cooperative)
answers 202 with the job's id and this URL."""
from flask import g
from flask_appbuilder.api import BaseApi, expose, protect, safe
from flask_appbuilder.security.decorators import permission_name

from app.extensions import db

from . import services


def job_accepted(api, job):
    """The 202 answer of an API call handed to a job: where to follow it."""
    return api.response(202, result={"job_id": job.id, "status": job.status,
                                     "status_url": f"/api/v1/job/{job.id}"})


class JobApi(BaseApi):
    resource_name = "job"
    class_permission_name = "Job"
    allow_browser_login = True
    openapi_spec_tag = "Jobs"

    @expose("/<int:pk>", methods=["GET"])
    @protect()
    @safe
    @permission_name("list")
    def get(self, pk):
        """A job's status and progress.
        ---
        get:
          summary: Status, progress (done, total, percent), summary or error of one of the user's jobs
          parameters:
          - {in: path, name: pk, required: true, schema: {type: integer}}
          responses:
            200: {description: '{"result": {"id", "kind", "status", "done", "total", "percent", "summary", "error"}}'}
            401: {$ref: '#/components/responses/401'}
            404: {$ref: '#/components/responses/404'}
        """
        job = services.get_visible_job(db.session, g.user, pk)
        if job is None:
            return self.response_404()
        answer = services.status_of(job)
        answer["kind"] = job.kind
        answer["has_result"] = services.result_file(job) is not None
        return self.response(200, result=answer)
