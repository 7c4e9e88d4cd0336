"""Background jobs in immediate mode (the test config runs each job at once, in its own session, as its starter):
the job row, its progress, its result for its starter only, and the monthly wajib bill run made once."""
import io
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from app.core.audit import AuditEvent
from app.cooperatives.models import Cooperative
from app.jobs.models import Job
from app.members.models import Member
from app.savings.models import WajibBill, WajibBillRun
from tests.savings.conftest import coop, make_member, products, uow  # noqa: F401 (fixtures)

KEBON_JERUK = "31.73.05.1001"


def _coop_id(sysdb, code=KEBON_JERUK):
    return sysdb.scalar(select(Cooperative.id).where(Cooperative.region_code == code))


@pytest.fixture()
def small_threshold(app):
    old = app.config["KKMP_EXPORT_JOB_ROWS"]
    app.config["KKMP_EXPORT_JOB_ROWS"] = 2
    yield
    app.config["KKMP_EXPORT_JOB_ROWS"] = old


def _start_export(session):
    r = session.get("/anggota/export/xlsx")
    assert r.status_code == 302, r.status_code
    location = r.headers["Location"]
    assert "/pekerjaan/" in location
    return int(location.rstrip("/").rsplit("/", 1)[1])


def test_a_member_export_above_the_threshold_runs_as_a_job_whose_file_the_starter_downloads(
        app, login, sysdb, small_threshold):
    """Above KKMP_EXPORT_JOB_ROWS the export answers with the job's page; the job row names the starter, its
    progress reached the member count, and the download holds exactly the cooperative's members."""
    s = login("pengurus.kebonjeruk")
    job_id = _start_export(s)
    sysdb.expire_all()
    job = sysdb.get(Job, job_id)
    members = sysdb.scalar(select(func.count()).select_from(Member).where(Member.cooperative_id == _coop_id(sysdb)))
    assert members > 2
    assert (job.kind, job.username, job.status) == ("member_export", "pengurus.kebonjeruk", "done")
    assert job.cooperative_id == _coop_id(sysdb)
    assert (job.progress_done, job.progress_total, job.attempts) == (members, members, 1)
    assert job.started_at is not None and job.finished_at is not None and job.error_message is None
    assert sysdb.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.table_name == "job", AuditEvent.record_id == str(job_id),
        AuditEvent.username == "pengurus.kebonjeruk")) == 1

    page = s.get(f"/pekerjaan/{job_id}").get_data(as_text=True)
    assert "Ekspor daftar anggota" in page and "kkmp-job-bar" in page and "nonce=" in page
    status = s.get(f"/pekerjaan/{job_id}/status").json
    assert status["status"] == "done" and status["percent"] == 100 and status["has_result"] is True
    assert status["done"] == members
    r = s.get(f"/pekerjaan/{job_id}/unduh")
    assert r.status_code == 200
    sheet = load_workbook(io.BytesIO(r.data), read_only=True).active
    rows = [row for row in sheet.iter_rows(min_row=4, values_only=True) if any(c is not None for c in row)]
    assert len(rows) == members
    assert {row[-1] for row in rows} == {sysdb.get(Cooperative, _coop_id(sysdb)).name}
    assert f"/pekerjaan/{job_id}" in s.get("/pekerjaan/").get_data(as_text=True)


def test_a_small_export_still_comes_in_the_response(app, login, sysdb):
    """Below the threshold nothing is queued: the file is the answer itself."""
    before = sysdb.scalar(select(func.count()).select_from(Job))
    r = login("pengurus.kebonjeruk").get("/anggota/export/xlsx")
    assert r.status_code == 200 and r.data[:2] == b"PK"
    assert sysdb.scalar(select(func.count()).select_from(Job)) == before


@pytest.mark.parametrize("username", ["sekretaris.lempake", "sekretaris.kebonjeruk", "lurah.kebonjeruk",
                                      "sudin.jakbar", "admin"])
def test_nobody_but_the_starter_reads_a_job_or_its_result(app, login, small_threshold, username):
    """Another cooperative's user, a colleague of the same cooperative, the lurah and Sudin above it and Admin
    all get 404 on the job page, its status and its file, and do not see it in their list."""
    job_id = _start_export(login("pengurus.kebonjeruk"))
    other = login(username)
    for url in (f"/pekerjaan/{job_id}", f"/pekerjaan/{job_id}/status", f"/pekerjaan/{job_id}/unduh"):
        assert other.get(url).status_code == 404, (username, url)
    assert f"/pekerjaan/{job_id}\"" not in other.get("/pekerjaan/").get_data(as_text=True)


def test_a_job_is_gone_for_its_starter_once_their_scope_changed(app, login, sysdb, small_threshold):
    """A job started under one scope is not readable under another (a user moved to another cooperative)."""
    s = login("pengurus.kebonjeruk")
    job_id = _start_export(s)
    job = sysdb.get(Job, job_id)
    job.scope_label = "coop:999999"  # as if started while the user served another cooperative
    sysdb.commit()
    assert s.get(f"/pekerjaan/{job_id}").status_code == 404
    assert s.get(f"/pekerjaan/{job_id}/unduh").status_code == 404


def test_the_bill_run_bills_each_active_member_once_even_when_run_twice(uow, products):
    """The month's bill run creates one bill per active member; a second run creates nothing."""
    from app.savings.jobs import due_cooperatives, run_month_bills

    coop = products
    for name in ("Ani", "Budi", "Citra"):
        make_member(uow, coop, name=name)
    make_member(uow, coop, name="Dedi Keluar", status="keluar")
    assert coop.id in due_cooperatives(uow, [coop.id])
    seen = []
    created, coops = run_month_bills(uow, [coop.id], progress=lambda d, t: seen.append((d, t)), commit=uow.flush)
    assert (created, coops) == (3, 1)
    assert seen == [(0, 1), (1, 1)]
    assert run_month_bills(uow, [coop.id], commit=uow.flush) == (0, 0)
    assert coop.id not in due_cooperatives(uow, [coop.id])
    from app.savings.services import local_today

    today = local_today(coop)
    bills = uow.execute(select(WajibBill.member_id, WajibBill.amount).where(
        WajibBill.cooperative_id == coop.id, WajibBill.year == today.year, WajibBill.month == today.month)).all()
    assert len(bills) == 3 and len({m for m, _ in bills}) == 3
    assert {a for _, a in bills} == {Decimal("10000.00")}


def test_the_new_month_is_due_first_where_the_first_has_already_begun(uow, products):
    """15:30 UTC on the last day of a month is already the 1st in Papua (WIT, UTC+9) but still the last day in
    Jakarta (WIB): the Papuan cooperative is due for the new month, the Jakartan one (billed) is not."""
    from app.cooperatives.services import create_cooperative
    from app.savings import services
    from app.savings.jobs import due_cooperatives, run_month_bills
    from tests.savings.conftest import PENGURUS

    jakarta = products
    papua = create_cooperative("91.03.01.1001", session=uow, musyawarah_date=date(2025, 5, 31))
    services.set_product(uow, papua.id, "wajib", PENGURUS)
    services.set_wajib_rate(uow, papua.id, date(2025, 6, 1), Decimal(10000), PENGURUS)
    make_member(uow, jakarta, name="Ani")
    make_member(uow, papua, name="Yohana")
    run_month_bills(uow, [jakarta.id, papua.id], commit=uow.flush)
    today = services.local_today(jakarta)
    first_next = (today.replace(day=1) + timedelta(days=32)).replace(day=1)
    evening = datetime.combine(first_next - timedelta(days=1), datetime.min.time(), timezone.utc) + timedelta(
        hours=15, minutes=30)
    assert due_cooperatives(uow, [jakarta.id, papua.id], now=evening) == [papua.id]
    assert due_cooperatives(uow, [jakarta.id, papua.id], now=evening + timedelta(hours=2)) == sorted(
        [jakarta.id, papua.id])


def test_the_board_starts_the_bill_run_as_a_job_and_a_second_run_adds_nothing(app, login, sysdb):
    """The Pengurus' button on the jobs page bills the month (as a job, done at once here); pressing it again
    finishes with nothing created, and the cooperative holds each member's bill of the month once."""
    s = login("pengurus.kebonjeruk")
    coop_id = _coop_id(sysdb)
    ids = []
    for _ in range(2):
        r = s.post("/pekerjaan/tagihan-wajib", {}, form_url="/pekerjaan/")
        assert r.status_code == 302
        ids.append(int(r.headers["Location"].rstrip("/").rsplit("/", 1)[1]))
    sysdb.expire_all()
    first, second = (sysdb.get(Job, i) for i in ids)
    assert first.status == second.status == "done"
    assert first.cooperative_id == coop_id and first.username == "pengurus.kebonjeruk"
    assert second.result_summary.startswith("0 tagihan")
    coop = sysdb.get(Cooperative, coop_id)
    from app.core.dates import local_today

    today = local_today(coop)
    assert sysdb.scalar(select(func.count()).select_from(WajibBillRun).where(
        WajibBillRun.cooperative_id == coop_id, WajibBillRun.year == today.year,
        WajibBillRun.month == today.month)) == 1
    per_member = sysdb.execute(select(WajibBill.member_id, func.count()).where(
        WajibBill.cooperative_id == coop_id, WajibBill.year == today.year, WajibBill.month == today.month)
        .group_by(WajibBill.member_id)).all()
    assert per_member and {n for _, n in per_member} == {1}


def test_who_may_not_bill_cannot_start_the_bill_job(app, login, sysdb):
    """The Sekretaris and the Lurah have no bill button and their POST is refused; no job is made."""
    before = sysdb.scalar(select(func.count()).select_from(Job))
    for username in ("sekretaris.kebonjeruk", "lurah.kebonjeruk"):
        s = login(username)
        assert "kkmp-job-bill-run" not in s.get("/pekerjaan/").get_data(as_text=True)
        r = s.post("/pekerjaan/tagihan-wajib", {}, form_url="/pekerjaan/")
        assert r.status_code in (302, 403)
        assert not r.headers.get("Location", "").rstrip("/").rsplit("/", 1)[-1].isdigit()  # no job page
    sysdb.expire_all()
    assert sysdb.scalar(select(func.count()).select_from(Job)) == before


def test_the_scheduler_starts_one_system_run_per_hour_and_only_when_a_month_is_due(app, sysdb):
    """The hourly scheduled task starts a system job when some cooperative's month is not billed, at most one per
    hour (a second start in the same hour is the same job); when nothing is due it starts none."""
    from app.extensions import db
    from app.savings.jobs import start_scheduled_run

    with app.app_context():
        job = start_scheduled_run()
        if job is not None:
            again = start_scheduled_run()
            assert again is None or again.id == job.id
            sysdb.expire_all()
            row = sysdb.get(Job, job.id)
            assert row.status == "done" and row.user_id is None and row.username == "system"
        assert start_scheduled_run() is None
        db.session.remove()


def test_a_job_whose_worker_keeps_dying_is_failed_not_retried_forever(app, login, sysdb, small_threshold):
    """After five attempts that each left the job running (the worker died every time), the sweep marks it failed
    with an Indonesian message instead of queueing it again; a job silent for less than the limit is left alone."""
    from sqlalchemy import update

    from app.extensions import db
    from app.jobs.services import requeue_stale

    job_id = _start_export(login("pengurus.kebonjeruk"))
    fresh_id = _start_export(login("pengurus.kebonjeruk"))
    long_ago = datetime.now(timezone.utc).replace(tzinfo=None) - timedelta(hours=1)
    sysdb.execute(update(Job).where(Job.id == job_id).values(status="running", attempts=5, heartbeat_at=long_ago))
    sysdb.execute(update(Job).where(Job.id == fresh_id).values(
        status="running", attempts=5, heartbeat_at=datetime.now(timezone.utc).replace(tzinfo=None)))
    sysdb.commit()
    with app.app_context():
        assert job_id not in requeue_stale(db.session)
        db.session.remove()
    sysdb.expire_all()
    job = sysdb.get(Job, job_id)
    assert job.status == "failed" and job.error_message.startswith("Pekerjaan berhenti berulang kali")
    assert sysdb.get(Job, fresh_id).status == "running"


def test_a_cooperative_without_a_wajib_rate_is_never_due_so_the_scheduler_does_not_start_a_job_every_hour(uow):
    """Active members but no wajib rate yet (or a first rate that starts next month): there is nothing to bill,
    so the cooperative is not due and the hourly scheduler would start nothing for it; once a rate of this month
    exists it is due."""
    from app.cooperatives.services import create_cooperative
    from app.savings import services
    from app.savings.jobs import due_cooperatives
    from tests.savings.conftest import PENGURUS

    coop = create_cooperative("91.03.01.1001", session=uow, musyawarah_date=date(2025, 5, 31))
    services.set_product(uow, coop.id, "wajib", PENGURUS)
    make_member(uow, coop, name="Yohana")
    assert due_cooperatives(uow, [coop.id]) == []
    month = services.local_today(coop).replace(day=1)
    later = (month + timedelta(days=32)).replace(day=1)
    services.set_wajib_rate(uow, coop.id, later, Decimal(10000), PENGURUS)
    assert due_cooperatives(uow, [coop.id]) == []
    services.set_wajib_rate(uow, coop.id, month, Decimal(10000), PENGURUS)
    assert due_cooperatives(uow, [coop.id]) == [coop.id]
