"""Background jobs (issue 14): a Huey queue (``queue.py``), one ``Job`` row per run, the worker's tasks, and the
"Pekerjaan" pages with a progress bar and the result's download, and /api/v1/job/<id>. register() adds them."""


def register(appbuilder):
    from flask_babel import lazy_gettext as _l

    from .api import JobApi
    from .views import JobView

    appbuilder.add_view(JobView, "Pekerjaan", label=_l("Jobs"), icon="fa-tasks", category="Keanggotaan")  # the menu fits one row
    appbuilder.add_api(JobApi)
