"""A big member import runs as a job: the same all-or-nothing service, the errors per row and column on the job's
page, and a retry after an attempt that had already committed imports nothing twice."""
import os
from datetime import date, timedelta

from sqlalchemy import func, select, update

from app.jobs.models import Job
from app.members.models import Member
from tests.members.conftest import _remove_members_added_by_this_module  # noqa: F401 (autouse cleanup)
from tests.members.helpers import make_nik
from tests.members.test_member_import import row, upload, workbook


def _members(sysdb):
    sysdb.expire_all()
    return sysdb.scalar(select(func.count()).select_from(Member))


_serials = iter(range(9100, 9999, 7))


def _rows(names, bad_sex_at=None):
    out = []
    for i, name in enumerate(names):
        born = date(1970, 1, 1) + timedelta(days=400 * i + 3)
        out.append(row(name=name, born=born, nik=make_nik(born, "L", serial=next(_serials)),
                       sex="X" if i == bad_sex_at else "L"))
    return out


def _job(response, sysdb):
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    sysdb.expire_all()
    return sysdb.get(Job, int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1]))


def test_a_big_member_import_runs_as_a_job_and_writes_every_row(app, login, sysdb, small_import_threshold):
    """Three rows over a threshold of two: the upload answers with the job's page; the job, done, created the
    three applicants and its uploaded copy is gone."""
    before = _members(sysdb)
    s = login("sekretaris.kebonjeruk")
    job = _job(upload(s, workbook(_rows(["Impor Satu", "Impor Dua", "Impor Tiga"]))), sysdb)
    assert (job.kind, job.status, job.username) == ("member_import", "done", "sekretaris.kebonjeruk")
    assert job.result_summary == "3 anggota diimpor sebagai permohonan."
    assert (job.progress_done, job.progress_total) == (3, 3)
    assert _members(sysdb) == before + 3
    assert not os.path.exists(os.path.join(app.config["KKMP_JOBS_DIR"], "uploads", job.params_dict["upload"]))


def test_a_refused_import_job_writes_nothing_and_names_the_row_and_column(app, login, sysdb, small_import_threshold):
    """One bad sex in the third data row (Excel row 4): the job fails, no member of the file is written, and the
    job's page lists the row, the column and the reason in Indonesian."""
    before = _members(sysdb)
    s = login("sekretaris.kebonjeruk")
    job = _job(upload(s, workbook(_rows(["Salah Satu", "Salah Dua", "Salah Tiga"], bad_sex_at=2))), sysdb)
    assert job.status == "failed"
    assert job.error_message == "Tidak ada yang disimpan: 1 kesalahan ditemukan."
    assert [r[:2] for r in job.error_list] == [[4, "Jenis Kelamin (L/P)"]] and job.error_list[0][2]
    assert _members(sysdb) == before
    page = s.get(f"/pekerjaan/{job.id}").get_data(as_text=True)
    assert 'id="kkmp-job-errors"' in page and "<td>4</td>" in page
    assert s.get(f"/pekerjaan/{job.id}/status").json["error_rows"] == 1


def test_a_retried_import_whose_first_attempt_had_committed_imports_nothing_twice(
        app, login, sysdb, small_import_threshold):
    """The worker died after the import's commit but before the job was marked done: the next attempt finds the
    file imported, finishes the job, and adds no member."""
    from app.jobs.services import execute_job, save_upload

    s = login("sekretaris.kebonjeruk")
    data = workbook(_rows(["Ulang Satu", "Ulang Dua", "Ulang Tiga"]))
    job = _job(upload(s, data), sysdb)
    assert job.status == "done"
    after_first = _members(sysdb)
    with app.app_context():
        name = save_upload(data)  # the upload as it was before the first attempt removed it
    params = dict(job.params_dict, upload=name)
    import json

    sysdb.execute(update(Job).where(Job.id == job.id).values(
        status="running", heartbeat_at=job.created_at - timedelta(hours=1), params=json.dumps(params)))
    sysdb.commit()
    with app.app_context():
        assert execute_job(job.id) == "done"
    sysdb.expire_all()
    again = sysdb.get(Job, job.id)
    assert again.attempts == 2 and again.result_summary == "Berkas ini sudah diimpor."
    assert _members(sysdb) == after_first
