"""A big e-RDKK file is imported by a job: submitting it answers with the job's page, the worker (inline in the
tests) applies it through the same all-or-nothing service, with progress; a refused file lists every error's row
and column in Indonesian and writes nothing."""
import io
from decimal import Decimal as D

from sqlalchemy import func, select

from app.jobs.models import Job
from app.pupuk.models import Farmer, PupukAllocation

from .conftest import rdkk_file as _file


def _row(nik, name, urea="100"):
    return [nik, name, "Poktan Sumber Makmur", "", "padi", "0,5", "2026", "1", urea, "", "", "", ""]


def _post(s, data):
    return s.post("/pupuk/alokasi/impor", data={"file": (io.BytesIO(data), "rdkk.xlsx")},
                  content_type="multipart/form-data")


def _job(response, sysdb):
    assert response.status_code == 302, response.get_data(as_text=True)[:800]
    sysdb.expire_all()
    return sysdb.get(Job, int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1]))


def _allocations(sysdb):
    sysdb.expire_all()
    return sysdb.scalar(select(func.count()).select_from(PupukAllocation))


def test_a_big_erdkk_file_runs_as_a_job_with_progress_and_writes_every_row(login, sysdb, small_import_threshold):
    s = login("sekretaris.cemorokandang")
    job = _job(_post(s, _file([_row("3573015004820061", "Job Satu"), _row("3573015004820062", "Job Dua"),
                               _row("3573015004820063", "Job Tiga", urea="116")])), sysdb)
    assert (job.kind, job.status, job.username) == ("pupuk_rdkk_import", "done", "sekretaris.cemorokandang")
    assert job.result_summary.startswith("e-RDKK diimpor: 3 baris, 3 petani baru")
    assert (job.progress_done, job.progress_total) == (3, 3)
    f = sysdb.scalar(select(Farmer).where(Farmer.name == "Job Tiga"))
    assert f is not None
    assert [a.kg for a in sysdb.scalars(select(PupukAllocation).where(PupukAllocation.farmer_id == f.id))] \
        == [D("116.000")]


def test_a_refused_erdkk_job_lists_row_and_column_and_writes_nothing(login, sysdb, small_import_threshold):
    before = _allocations(sysdb)
    s = login("sekretaris.cemorokandang")
    job = _job(_post(s, _file([_row("3573015004820071", "Salah Satu"), _row("3573015004820", "Salah Dua"),
                               _row("3573015004820073", "Salah Tiga", urea="-5")])), sysdb)
    assert job.status == "failed"
    assert job.error_message == "Tidak ada yang disimpan: 2 kesalahan ditemukan."
    assert [r[:2] for r in job.error_list] == [[3, "NIK"], [4, "Urea (kg)"]], job.error_list
    assert all(r[2] for r in job.error_list)
    assert _allocations(sysdb) == before
    assert sysdb.scalar(select(Farmer).where(Farmer.name == "Salah Satu")) is None
    page = s.get(f"/pekerjaan/{job.id}").get_data(as_text=True)
    assert 'id="kkmp-job-errors"' in page and "<td>3</td>" in page


def test_a_small_file_is_still_imported_in_the_request(login, sysdb, small_import_threshold):
    s = login("sekretaris.cemorokandang")
    r = _post(s, _file([_row("3573015004820081", "Kecil Satu")]))
    assert "/pekerjaan/" not in r.headers.get("Location", "")
    assert sysdb.scalar(select(Farmer).where(Farmer.name == "Kecil Satu")) is not None


def _rerun(app, sysdb, job, data, **params):
    """The job as a worker that died after the first attempt finds it: running, silent for an hour, its upload
    back in place (the first attempt removed it); run again (attempt 2)."""
    import json
    from datetime import timedelta

    from sqlalchemy import update

    from app.jobs.services import execute_job, save_upload

    with app.app_context():
        name = save_upload(data)
    sysdb.execute(update(Job).where(Job.id == job.id).values(
        status="running", heartbeat_at=job.created_at - timedelta(hours=1),
        params=json.dumps(dict(job.params_dict, upload=name, **params))))
    sysdb.commit()
    with app.app_context():
        assert execute_job(job.id) == "done"
    sysdb.expire_all()
    return sysdb.get(Job, job.id)


def _versions(sysdb, names):
    sysdb.expire_all()
    return sorted(sysdb.execute(select(Farmer.name, PupukAllocation.version_no, PupukAllocation.kg).join(
        Farmer, Farmer.id == PupukAllocation.farmer_id).where(Farmer.name.in_(names))).all())


def _imports_of(sysdb, data):
    import hashlib

    from app.pupuk.models import PupukImport

    sysdb.expire_all()
    return sysdb.scalar(select(func.count()).select_from(PupukImport).where(
        PupukImport.sha256 == hashlib.sha256(data).hexdigest()))


def test_a_retried_erdkk_job_whose_first_attempt_had_committed_imports_nothing_twice(
        app, login, sysdb, small_import_threshold):
    """The worker died after the import's commit but before the job was marked done: the second attempt says
    "Berkas ini sudah diimpor.", writes no second import record and no allocation version."""
    names = ["Ulang Satu", "Ulang Dua", "Ulang Tiga"]
    data = _file([_row("3573015004820091", names[0]), _row("3573015004820092", names[1]),
                  _row("3573015004820093", names[2], urea="116")])
    job = _job(_post(login("sekretaris.cemorokandang"), data), sysdb)
    assert job.status == "done" and job.attempts == 1
    first = _versions(sysdb, names)
    assert [v for _n, v, _kg in first] == [1, 1, 1] and _imports_of(sysdb, data) == 1
    again = _rerun(app, sysdb, job, data)
    assert again.attempts == 2 and again.result_summary == "Berkas ini sudah diimpor."
    assert _versions(sysdb, names) == first
    assert _imports_of(sysdb, data) == 1


def test_a_retried_job_of_a_file_imported_before_the_job_started_still_imports_it(
        app, login, sysdb, small_import_threshold):
    """The same e-RDKK file may be imported again on purpose: a retry counts only an import since its own start
    (a job whose first attempt died before its commit imports the file, even though an older import of it
    exists)."""
    from app.pupuk.models import PupukImport

    names = ["Lagi Satu", "Lagi Dua", "Lagi Tiga"]
    data = _file([_row("3573015004820094", names[0]), _row("3573015004820095", names[1]),
                  _row("3573015004820096", names[2])])
    job = _job(_post(login("sekretaris.cemorokandang"), data), sysdb)
    assert job.status == "done" and _imports_of(sysdb, data) == 1
    latest = sysdb.scalar(select(func.max(PupukImport.id)))
    again = _rerun(app, sysdb, job, data, after_import_id=latest)  # as if it had started after that import
    assert again.attempts == 2 and again.result_summary.startswith("e-RDKK diimpor: 3 baris")
    assert _imports_of(sysdb, data) == 2
