"""Savings work that runs as a background job: the monthly wajib bill run (by hand or scheduled).

One cooperative at a time, each committed on its own: a run killed mid-way leaves whole cooperatives billed and
the others untouched, and the next run bills only those (``ensure_month_billed`` is idempotent through the
month's ``wajib_bill_run`` row and UNIQUE(member, year, month)). Each cooperative's month is its own: WIB, WITA
or WIT (``app.core.dates.local_today``).
"""
from flask_babel import gettext, lazy_gettext as _l
from sqlalchemy import select, tuple_

from app.cooperatives.models import Cooperative
from app.core.dates import local_today, utc_now
from app.jobs.services import do_start_job, register_kind

from .models import WajibBillRun
from .services import BOARD_ROLES, ensure_month_billed, require_role

KIND = "wajib_bills"


def due_cooperatives(session, cooperative_ids=None, now=None):
    """Cooperatives (within the session's scope) with active members whose current local month has no bill run
    yet, in id order."""
    from app.members.models import Member

    now = now or utc_now()
    stmt = (select(Cooperative.id, Cooperative.province_code, Cooperative.region_code)
            .where(Cooperative.id.in_(select(Member.cooperative_id).where(Member.status == "aktif")))
            .order_by(Cooperative.id))
    if cooperative_ids is not None:
        stmt = stmt.where(Cooperative.id.in_(list(cooperative_ids)))
    months = {}
    for coop_id, province, region in session.execute(stmt):
        today = local_today(region or province, now)
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
