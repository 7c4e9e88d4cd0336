"""SHU work that runs as a background job: the worksheet (kertas kerja) of a big cooperative.

The job runs ``services.do_compute_worksheet`` as the Pengurus who started it, in one transaction (all or
nothing). Recomputing replaces the worksheet until it is distributed, so a retry after a killed worker computes
the same figures again and writes nothing twice. A refusal (year not closed, no rule, already distributed) is the
service's own Indonesian sentence, shown on the job's page.
"""
from flask import current_app, g
from flask_babel import gettext, lazy_gettext as _l
from sqlalchemy import func, select

from app.core.errors import DomainError
from app.jobs.services import do_start_job, register_kind

KIND = "shu_compute"


def _handler(ctx):
    from app.cooperatives.models import Cooperative

    from . import services

    coop = ctx.session.get(Cooperative, ctx.params["cooperative_id"])  # scoped: None outside the starter's area
    if coop is None:
        raise DomainError(gettext("Koperasi dengan kode kelurahan itu tidak ditemukan di wilayah Anda."))
    ctx.set_total(1)
    ws = services.do_compute_worksheet(ctx.session, cooperative_id=coop.id, year=int(ctx.params["year"]),
                                       acting_user=g.user)
    ctx.done = 1
    return gettext("Kertas kerja SHU tahun buku %(y)s dihitung: %(n)s anggota.", y=int(ctx.params["year"]),
                   n=ws.member_count)


register_kind(KIND, _l("Hitung SHU (kertas kerja)"), _handler)


def start_compute_job(session, acting_user, coop, year):
    """The worksheet of a cooperative with more than KKMP_SHU_JOB_MEMBERS members as a job; None: compute it in
    the request."""
    from app.members.models import Member

    members = session.execute(select(func.count(Member.id)).where(Member.cooperative_id == coop.id)).scalar()
    if (members or 0) <= current_app.config["KKMP_SHU_JOB_MEMBERS"]:
        return None
    return do_start_job(session, acting_user, KIND, cooperative_id=coop.id,
                        params={"cooperative_id": coop.id, "year": int(year)})
