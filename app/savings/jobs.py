"""Savings work that runs as a background job: the monthly wajib bill run (by hand or scheduled).

One cooperative at a time, each committed on its own: a run killed mid-way leaves whole cooperatives billed and
the others untouched, and the next run bills only those (``ensure_month_billed`` is idempotent through the
month's ``wajib_bill_run`` row and UNIQUE(member, year, month)). Each cooperative's month is its own: WIB, WITA
or WIT (``app.core.dates.local_today``).
"""
from flask_babel import gettext, lazy_gettext as _l
from sqlalchemy import func, select, tuple_

from app.cooperatives.models import Cooperative
from app.core.dates import local_today, utc_now
from app.jobs.services import do_start_job, register_kind

from .models import WajibBillRun
from .services import BOARD_ROLES, ensure_month_billed, require_role

KIND = "wajib_bills"


def due_cooperatives(session, cooperative_ids=None, now=None):
    """Cooperatives (within the session's scope) with active members and a wajib rate in effect whose current
    local month has no bill run yet, in id order. A cooperative without a rate for the month has nothing to bill
    (``ensure_month_billed`` marks nothing then): counting it as due would start a scheduled job every hour
    forever."""
    from app.members.models import Member

    from .models import WajibRate

    now = now or utc_now()
    first_rate = (select(WajibRate.cooperative_id, func.min(WajibRate.valid_from).label("valid_from"))
                  .group_by(WajibRate.cooperative_id).subquery())
    stmt = (select(Cooperative.id, Cooperative.province_code, Cooperative.region_code, first_rate.c.valid_from)
            .join(first_rate, first_rate.c.cooperative_id == Cooperative.id)
            .where(Cooperative.id.in_(select(Member.cooperative_id).where(Member.status == "aktif")))
            .order_by(Cooperative.id))
    if cooperative_ids is not None:
        stmt = stmt.where(Cooperative.id.in_(list(cooperative_ids)))
    months = {}
    for coop_id, province, region, rate_from in session.execute(stmt):
        today = local_today(region or province, now)
        if rate_from > today.replace(day=1):  # the first rate starts in a later month
            continue
        months[coop_id] = (today.year, today.month)
    if not months:
        return []
    done = set()
    keys = sorted(set(months.values()))
    for chunk_start in range(0, len(keys), 50):
        chunk = keys[chunk_start:chunk_start + 50]
        done.update(session.execute(select(WajibBillRun.cooperative_id, WajibBillRun.year, WajibBillRun.month)
                                    .where(tuple_(WajibBillRun.year, WajibBillRun.month).in_(chunk))).all())
    return [cid for cid, (y, m) in months.items() if (cid, y, m) not in done]


def run_month_bills(session, cooperative_ids=None, progress=None, now=None, commit=None):
    """Bill each due cooperative's current local month, one cooperative per transaction (``commit``: the
    session's own commit; a test's rolled-back unit of work passes its flush). Returns (bills created,
    cooperatives billed)."""
    commit = commit or session.commit
    ids = due_cooperatives(session, cooperative_ids, now)
    if progress is not None:
        progress(0, len(ids))
    created = 0
    for i, coop_id in enumerate(ids, 1):
        coop = session.get(Cooperative, coop_id)
        today = local_today(coop, now) if now is not None else None
        created += ensure_month_billed(session, coop, today=today)
        commit()
        if progress is not None:
            progress(i, len(ids))
    return created, len(ids)


def _handler(ctx):
    def progress(done, total):
        if done == 0:
            ctx.set_total(total)
        else:
            ctx.progress(done, force=done == total)

    created, coops = run_month_bills(ctx.session, ctx.params.get("cooperative_ids"), progress)
    return gettext("%(n)d tagihan simpanan wajib dibuat di %(c)d koperasi.", n=created, c=coops)


register_kind(KIND, _l("Tagihan simpanan wajib bulanan"), _handler)


def do_start_bill_run(session, acting_user):
    """The board's button: bill the current month in every cooperative of the user's scope, as a job."""
    require_role(acting_user, BOARD_ROLES, gettext("Hanya Pengurus yang membuat tagihan simpanan wajib."))
    coop_id = getattr(acting_user, "scope_cooperative_id", None)
    return do_start_job(session, acting_user, KIND, cooperative_id=coop_id)


def start_scheduled_run(session=None, now=None):
    """The scheduler's hourly look: when some active cooperative's new month has begun and is not billed, start
    one system job for them (at most one per hour: the dedupe key). Returns the job, or None."""
    from app.core.scope import system_scope
    from app.extensions import db

    session = session or db.session
    now = now or utc_now()
    with system_scope():
        if not due_cooperatives(session, now=now):
            session.rollback()
            return None
        return do_start_job(session, None, KIND, params={"scheduled": True},
                            dedupe_key=f"wajib-auto:{now:%Y-%m-%dT%H}")


# -- the deposits import, when the file is big -------------------------------------------------------------------

IMPORT_KIND = "savings_import"


def _import_handler(ctx):
    """The all-or-nothing deposits import of an uploaded file, as its uploader: the same service as the form
    (``imports.import_deposits``), in one transaction; refusals come back per row and column, nothing written."""
    import hashlib

    from app.jobs.services import RowErrors

    from . import imports
    from .models import SavingsImport

    coop = ctx.session.get(Cooperative, ctx.params["cooperative_id"])  # scoped: None outside the uploader's area
    if coop is None:
        from app.core.errors import DomainError

        raise DomainError(gettext("Koperasi dengan kode kelurahan itu tidak ditemukan di wilayah Anda."))
    data = ctx.read_upload()
    if ctx.attempt > 1 and ctx.session.execute(select(SavingsImport.id).where(
            SavingsImport.cooperative_id == coop.id,
            SavingsImport.sha256 == hashlib.sha256(data).hexdigest())).first():
        # An earlier attempt committed the import and died before saying so: done, not imported twice.
        return gettext("Berkas ini sudah diimpor.")
    from flask import g

    result = imports.import_deposits(ctx.session, coop, ctx.params.get("filename"), data, g.user,
                                     progress=ctx.check_progress)
    if not result.ok:
        raise RowErrors(gettext("Tidak ada yang disimpan: %(n)d kesalahan ditemukan.", n=len(result.errors)),
                        result.errors)
    ctx.done = ctx.total or result.created
    return gettext("%(n)d setoran diimpor.", n=result.created)


register_kind(IMPORT_KIND, _l("Impor setoran simpanan (Excel)"), _import_handler)


def start_import_job(session, acting_user, coop, filename, data, row_count):
    """A file of more than KKMP_IMPORT_JOB_ROWS rows is imported by a job (the same service); None: import it in
    the request."""
    from flask import current_app

    from app.jobs.services import save_upload

    if row_count <= current_app.config["KKMP_IMPORT_JOB_ROWS"]:
        return None
    return do_start_job(session, acting_user, IMPORT_KIND, cooperative_id=coop.id,
                        params={"cooperative_id": coop.id, "filename": (filename or "")[:255],
                                "upload": save_upload(data)})


# -- reminders of arrears, prepared for the secretary ------------------------------------------------------------

REMINDER_KIND = "arrears_reminders"
REMINDER_HEADERS = ["Koperasi", "Nomor anggota", "Nama", "Telepon", "Bulan tertunggak", "Jumlah tunggakan",
                    "Tunggakan sejak", "Pesan pengingat", "Tautan WhatsApp"]


def reminder_rows(session, cooperative_id=None):
    """Every member in wajib arrears within the session's scope, with the ready reminder text (the arrears page's
    own WhatsApp message) and its wa.me link (None without a usable phone number)."""
    from app.core.formatting import month_name
    from .services import arrears, reminder_message, whatsapp_link

    for r in arrears(session, cooperative_id=cooperative_id):
        yield [r.cooperative_name, r.member_number, r.name, r.phone, r.months, r.amount,
               f"{month_name(r.oldest_month)} {r.oldest_year}",
               reminder_message(r.name, r.cooperative_name, r.months, r.amount),
               whatsapp_link(r.phone, r.name, r.cooperative_name, r.months, r.amount)]


def _reminder_handler(ctx):
    """The list of reminders as an xlsx for the starter: only the members of their scope (the session's scope)."""
    import os

    from flask import current_app

    from app.core.xlsx import write_xlsx

    from .services import ensure_bills_for_scope

    # As the arrears page does: the month is billed first (idempotent), committed on its own before the list.
    ensure_bills_for_scope(ctx.session)
    ctx.session.commit()
    rows = list(reminder_rows(ctx.session, ctx.params.get("cooperative_id")))
    ctx.set_total(len(rows))

    def counted():
        for n, row in enumerate(rows, 1):
            yield row
            if n % 500 == 0:
                ctx.progress(n)

    part, final = ctx.result_paths(".xlsx")
    write_xlsx("Pengingat tunggakan simpanan wajib", REMINDER_HEADERS, counted(), sheet_name="Pengingat", path=part)
    os.replace(part, os.path.join(current_app.config["KKMP_JOBS_DIR"], final))
    ctx.result = (final, "pengingat-tunggakan.xlsx")
    ctx.done = len(rows)
    with_phone = sum(1 for row in rows if row[-1])
    return gettext("Daftar pengingat siap: %(n)d anggota menunggak, %(p)d dengan nomor WhatsApp.", n=len(rows),
                   p=with_phone)


register_kind(REMINDER_KIND, _l("Daftar pengingat tunggakan simpanan wajib"), _reminder_handler)


def do_start_reminders(session, acting_user, cooperative_id=None):
    """Prepare the reminders list of the user's scope (or of one cooperative in it) as a job."""
    return do_start_job(session, acting_user, REMINDER_KIND, cooperative_id=cooperative_id,
                        params={"cooperative_id": cooperative_id})
