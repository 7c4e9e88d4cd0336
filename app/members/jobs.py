"""Member work that runs as a background job: the register exported as xlsx when it is too big for a request.

The export runs as the user who asked for it (their scope, their right to see birth dates), with the list's own
search filters (the request's query string, kept in the job's params), through ``MemberView``'s own export, so the
file is the one the small export would have given. It is written under a temporary name and renamed into place
when complete: a worker killed mid-way leaves no result, and the retry writes the whole file again.
"""
import os

from flask import current_app
from flask_babel import gettext, lazy_gettext as _l

from app.core.xlsx import write_xlsx
from app.jobs.services import register_kind

KIND = "member_export"
PROGRESS_ROWS = 1000


def _member_view():
    from app.extensions import appbuilder

    from .views import MemberView

    return next(v for v in appbuilder.baseviews if isinstance(v, MemberView))


def _handler(ctx):
    view = _member_view()
    from sqlalchemy import func

    from .models import Member

    # count(id) on the Member entity, not Query.count(): the latter's subquery escapes the scope layer.
    ctx.set_total(view._export_query().order_by(None).with_entities(func.count(Member.id)).scalar())
    headers, rows = view._export()

    def counted():
        n = 0
        for n, row in enumerate(rows, 1):
            yield row
            if n % PROGRESS_ROWS == 0:
                ctx.progress(n)
        ctx.progress(n, force=True)

    part, final = ctx.result_paths(".xlsx")
    write_xlsx(str(view.list_title), headers, counted(), path=part)
    os.replace(part, os.path.join(current_app.config["KKMP_JOBS_DIR"], final))
    ctx.result = (final, "anggota.xlsx")
    return gettext("%(n)d baris anggota diekspor.", n=ctx.done)


register_kind(KIND, _l("Ekspor daftar anggota (Excel)"), _handler)
