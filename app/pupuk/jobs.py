"""The e-RDKK import as a job: a file of more than KKMP_IMPORT_JOB_ROWS rows is checked and written by the worker,
through the same all-or-nothing service as the form (do_import_rdkk), with its progress on the job's page and
every error listed with its row and column."""
from flask import current_app
from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from app.jobs.services import register_kind

IMPORT_KIND = "pupuk_rdkk_import"


def _import_handler(ctx):
    from flask import g

    from app.cooperatives.models import Cooperative
    from app.core.errors import DomainError
    from app.jobs.services import RowErrors

    from . import services

    coop = ctx.session.get(Cooperative, ctx.params["cooperative_id"])  # scoped: None outside the uploader's area
    if coop is None:
        raise DomainError(gettext("Koperasi tidak ditemukan di wilayah Anda."))
    data = ctx.read_upload()
    if ctx.attempt > 1 and _imported_by_earlier_attempt(ctx.session, coop, data, ctx.params):
        # An earlier attempt committed the import and died before saying so: done, not imported twice.
        return gettext("Berkas ini sudah diimpor.")
    result = services.do_import_rdkk(ctx.session, coop=coop, filename=ctx.params.get("filename"), data=data,
                                     acting_user=g.user, progress=ctx.check_progress)
    if not result.ok:
        ctx.session.rollback()
        raise RowErrors(gettext("Tidak ada yang disimpan: %(n)d kesalahan ditemukan.", n=len(result.errors)),
                        result.errors)
    # Commit before the last progress note: the note is written on its own connection, and on SQLite it would
    # wait on this transaction's write lock.
    ctx.session.commit()
    ctx.progress(ctx.total or result.rows, force=True)
    ctx.done = ctx.total or result.rows
    summary = gettext("e-RDKK diimpor: %(r)d baris, %(f)d petani baru, %(a)d alokasi.", r=result.rows,
                      f=result.farmers, a=result.allocations)
    if result.conflicts:
        summary += " " + gettext("%(n)d petani tidak diimpor (tercantum di e-RDKK koperasi lain).",
                                 n=len(result.conflicts))
    return summary


register_kind(IMPORT_KIND, _l("Impor e-RDKK pupuk (Excel)"), _import_handler)


def _imported_by_earlier_attempt(session, coop, data, params):
    """Whether this file was imported into the cooperative since the job started. Unlike the savings import the
    same e-RDKK file may be imported again on purpose, so only an import newer than the job's start counts (the
    latest import id at the start is in the params; a job queued before that was recorded: any import of it)."""
    import hashlib

    from sqlalchemy import select

    from .models import PupukImport

    stmt = select(PupukImport.id).where(PupukImport.cooperative_id == coop.id,
                                        PupukImport.sha256 == hashlib.sha256(data).hexdigest())
    if params.get("after_import_id") is not None:
        stmt = stmt.where(PupukImport.id > params["after_import_id"])
    return session.execute(stmt.limit(1)).first() is not None


def start_import_job(session, acting_user, coop, filename, data, row_count):
    """A file of more than KKMP_IMPORT_JOB_ROWS rows goes to a job; None: import it in the request."""
    from app.jobs.services import do_start_job, save_upload

    from sqlalchemy import func, select

    from .models import PupukImport

    if row_count <= current_app.config["KKMP_IMPORT_JOB_ROWS"]:
        return None
    # The latest import the uploader can see (their scope holds this cooperative's, which is all the check reads).
    after = session.execute(select(func.max(PupukImport.id))).scalar() or 0
    return do_start_job(session, acting_user, IMPORT_KIND, cooperative_id=coop.id,
                        params={"cooperative_id": coop.id, "filename": (filename or "")[:255],
                                "upload": save_upload(data), "after_import_id": after})
