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

IMPORT_KIND = "member_import"


def _import_handler(ctx):
    """The all-or-nothing member import of an uploaded file, as its uploader: the same service as the form, so
    the same checks, the same one transaction; refusals come back per row and column, and nothing is written."""
    import hashlib

    from flask import g
    from sqlalchemy import select

    from app.cooperatives.models import Cooperative
    from app.core.errors import DomainError
    from app.jobs.services import RowErrors

    from . import imports
    from .models import MemberImport

    coop = ctx.session.get(Cooperative, ctx.params["cooperative_id"])  # scoped: None outside the uploader's area
    if coop is None:
        raise DomainError(gettext("Koperasi dengan kode kelurahan itu tidak ditemukan di wilayah Anda."))
    try:
        with open(ctx.upload_path(), "rb") as f:
            data = f.read()
    except OSError:
        raise DomainError(gettext("Berkas unggahan tidak ada lagi. Unggah berkas itu sekali lagi.")) from None
    if ctx.attempt > 1 and ctx.session.execute(select(MemberImport.id).where(
            MemberImport.cooperative_id == coop.id,
            MemberImport.sha256 == hashlib.sha256(data).hexdigest())).first():
        # An earlier attempt committed the import and died before saying so: done, not imported twice.
        return gettext("Berkas ini sudah diimpor.")

    def progress(done, total):
        if ctx.total is None:
            ctx.set_total(total)
        ctx.progress(done)

    result = imports.import_members(ctx.session, coop, ctx.params.get("filename"), data, g.user,
                                    progress=progress)
    if not result.ok:
        raise RowErrors(gettext("Tidak ada yang disimpan: %(n)d kesalahan ditemukan.", n=len(result.errors)),
                        result.errors)
    ctx.progress(ctx.total or result.created, force=True)
    ctx.done = ctx.total or result.created
    return gettext("%(n)d anggota diimpor sebagai permohonan.", n=result.created)


register_kind(IMPORT_KIND, _l("Impor anggota (Excel)"), _import_handler)
