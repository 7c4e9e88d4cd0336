"""Ledger work that runs as a background job: a big opening-balance (saldo awal) or cash-book import, and the
year-end close (tutup buku) of a big cooperative.

Each job runs the very service the form runs (``imports.import_opening_balances`` / ``import_cash_book``,
``services.close_year``), as the user who started it, in one transaction: all or nothing, as in the request. An
import's refusals come back per sheet, row and column on the job's page. A retry after an attempt that had already
committed finds the file's ``LedgerImport`` (or the closed ``LedgerYear``) and adds nothing.
"""
import hashlib

from flask import current_app, g
from flask_babel import gettext, lazy_gettext as _l
from sqlalchemy import select

from app.core.errors import DomainError
from app.jobs.services import RowErrors, do_start_job, register_kind, save_upload

IMPORT_KIND = "ledger_import"
CLOSE_KIND = "ledger_year_close"


def _coop(ctx):
    from app.cooperatives.models import Cooperative

    coop = ctx.session.get(Cooperative, ctx.params["cooperative_id"])  # scoped: None outside the starter's area
    if coop is None:
        raise DomainError(gettext("Koperasi dengan kode kelurahan itu tidak ditemukan di wilayah Anda."))
    return coop


def job_errors(errors):
    """The import's [(sheet, row, column, message)] as the job page's [(row, column, message)]: the sheet goes
    with the column, so that a two-sheet cash book still names the right cell."""
    out = []
    for sheet, number, column, message in errors:
        where = f"{sheet}: {column}" if sheet and column else (sheet or column or "")
        out.append((number if number != "" else "", where, message))
    return out


def _import_handler(ctx):
    from . import imports
    from .import_models import LedgerImport

    coop = _coop(ctx)
    data = ctx.read_upload()
    if ctx.attempt > 1 and ctx.session.execute(select(LedgerImport.id).where(
            LedgerImport.cooperative_id == coop.id,
            LedgerImport.sha256 == hashlib.sha256(data).hexdigest())).first():
        return gettext("Berkas ini sudah diimpor.")  # an earlier attempt committed, then died before saying so
    kind = ctx.params["import"]
    if kind == imports.SOURCE_OPENING:
        result = imports.import_opening_balances(ctx.session, coop, ctx.params.get("filename"), data,
                                                 ctx.params.get("opening_date", ""), acting_user=g.user,
                                                 progress=ctx.check_progress)
    else:
        result = imports.import_cash_book(ctx.session, coop, ctx.params.get("filename"), data,
                                          cash_code=ctx.params.get("cash_code"), acting_user=g.user,
                                          progress=ctx.check_progress)
    if not result.ok:
        raise RowErrors(gettext("Tidak ada yang disimpan: %(n)d kesalahan ditemukan.", n=len(result.errors)),
                        job_errors(result.errors))
    ctx.done = ctx.total or result.rows
    if kind == imports.SOURCE_OPENING:
        return gettext("Saldo awal diimpor sebagai jurnal %(n)s.", n=result.entries[0].number)
    return gettext("%(n)d transaksi kas diimpor sebagai jurnal.", n=len(result.entries))


register_kind(IMPORT_KIND, _l("Impor pembukuan (Excel)"), _import_handler)


def start_import_job(session, acting_user, coop, kind, filename, data, row_count, **params):
    """A file of more than KKMP_IMPORT_JOB_ROWS rows is imported by a job; None: import it in the request."""
    if row_count <= current_app.config["KKMP_IMPORT_JOB_ROWS"]:
        return None
    return do_start_job(session, acting_user, IMPORT_KIND, cooperative_id=coop.id,
                        params=dict(params, cooperative_id=coop.id, filename=(filename or "")[:255],
                                    upload=save_upload(data), **{"import": kind}))


# -- year-end close ----------------------------------------------------------------------------------------------

def _close_handler(ctx):
    from app.core.formatting import rupiah

    from . import services
    from .models import LedgerYear

    coop = _coop(ctx)
    year = int(ctx.params["year"])
    ctx.set_total(1)
    if ctx.attempt > 1:
        done = ctx.session.execute(select(LedgerYear).where(LedgerYear.cooperative_id == coop.id,
                                                            LedgerYear.year == year)).scalar()
        if done is not None:  # the earlier attempt committed the close and died before saying so
            ctx.done = 1
            return gettext("Tahun buku %(y)s ditutup; SHU %(shu)s dipindahkan ke SHU belum dibagi.", y=year,
                           shu=rupiah(done.shu))
    record = services.close_year(ctx.session, coop.id, year, acting_user=g.user)
    ctx.done = 1
    return gettext("Tahun buku %(y)s ditutup; SHU %(shu)s dipindahkan ke SHU belum dibagi.", y=record.year,
                   shu=rupiah(record.shu))


register_kind(CLOSE_KIND, _l("Tutup buku akhir tahun"), _close_handler)


def big_cooperative(session, coop_id, setting):
    """Whether a cooperative's year-end work goes to a job: more journal lines in its books than ``setting``."""
    from sqlalchemy import func

    from .models import JournalEntry, JournalLine

    limit = current_app.config[setting]
    lines = session.execute(select(func.count(JournalLine.id)).join(
        JournalEntry, JournalEntry.id == JournalLine.entry_id).where(JournalEntry.cooperative_id == coop_id)).scalar()
    return (lines or 0) > limit


def start_close_job(session, acting_user, coop, year):
    """The year-end close of a big cooperative as a job; None: close it in the request."""
    if not big_cooperative(session, coop.id, "KKMP_YEAR_END_JOB_LINES"):
        return None
    return do_start_job(session, acting_user, CLOSE_KIND, cooperative_id=coop.id,
                        params={"cooperative_id": coop.id, "year": int(year)})
