"""A real worker: ``huey_consumer app.jobs.tasks.huey`` in its own process, on Huey's SQLite storage (and on Redis
when the suite runs on PostgreSQL), takes a job the web app queued and finishes it; a worker killed in the middle
of a big export leaves no file and no finished job behind, and the next worker finishes the same job once."""
import io
import os
import signal
import subprocess
import sys
import time
import zipfile
from datetime import date

import pytest
from sqlalchemy import delete, func, insert, select

from app.cooperatives.models import Cooperative
from app.jobs.models import Job
from app.members.models import Member

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
# A Redis database of its own (flushed before and after): KKMP_TEST_REDIS_URL lets parallel runs keep apart.
REDIS_URL = os.environ.get("KKMP_TEST_REDIS_URL") or "redis://127.0.0.1:6379/9"
LEMPAKE = "64.72.05.1003"


def _backends():
    out = ["sqlite"]
    if os.environ.get("DATABASE_URL", "").startswith("postgresql"):
        out.append("redis")
    return out


@pytest.fixture(params=_backends())
def queue(request, app, tmp_path, monkeypatch):
    """The app's queue pointed at a real store (not immediate mode), and how to start a worker on the same one."""
    from huey.storage import RedisStorage, SqliteStorage

    from app.jobs.queue import huey

    monkeypatch.setitem(app.config, "KKMP_JOBS_DIR", str(tmp_path / "results"))
    env = dict(os.environ, KKMP_ENV="test", KKMP_JOBS_IMMEDIATE="0", KKMP_JOBS_STALE_SECONDS="2",
               DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"], KKMP_JOBS_DIR=app.config["KKMP_JOBS_DIR"],
               PYTHONPATH=ROOT, KKMP_LOG_LEVEL="WARNING",
               # a pause after each progress note, so a kill lands mid-file however fast the export has become
               KKMP_JOBS_PAUSE_AFTER_PROGRESS="0.3")
    if request.param == "redis":
        redis = pytest.importorskip("redis")
        try:
            redis.Redis.from_url(REDIS_URL).flushdb()
        except redis.exceptions.ConnectionError:
            pytest.skip("no Redis on 127.0.0.1:6379")
        storage = RedisStorage(name=huey.name, url=REDIS_URL)
        env["KKMP_REDIS_URL"] = REDIS_URL
    else:
        path = str(tmp_path / "queue.sqlite")
        storage = SqliteStorage(name=huey.name, filename=path)
        env["KKMP_JOBS_SQLITE"] = path
        env.pop("KKMP_REDIS_URL", None)
        env.pop("REDIS_URL", None)
    monkeypatch.setattr(huey, "_immediate", False)
    monkeypatch.setattr(huey, "storage", storage)
    workers = []

    def start():
        p = subprocess.Popen([sys.executable, "-m", "huey.bin.huey_consumer", "app.jobs.tasks.huey", "-w", "1",
                              "-n", "-q", "-d", "0.1", "-m", "1"], cwd=ROOT, env=env, start_new_session=True,
                             stdout=subprocess.DEVNULL, stderr=open(tmp_path / f"worker{len(workers)}.log", "w"))
        workers.append(p)
        return p

    yield start
    for p in workers:
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait(10)
    if request.param == "redis":
        import redis

        redis.Redis.from_url(REDIS_URL).flushdb()


def _wait(sysdb, job_id, until, timeout=120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        sysdb.expire_all()
        job = sysdb.get(Job, job_id)
        if until(job):
            return job
        time.sleep(0.02)
    raise AssertionError(f"job {job_id} still {job.status} {job.progress_done}/{job.progress_total}")


def _kill_mid_job(queue, sysdb, job_id):
    """Start a worker, SIGKILL it once the job has noted some progress; the job as it was left."""
    first = queue()
    _wait(sysdb, job_id, lambda j: j.status != "queued" and j.progress_done > 0)
    os.killpg(first.pid, signal.SIGKILL)
    first.wait(10)
    sysdb.expire_all()
    return sysdb.get(Job, job_id)


def _job_id(response):
    assert response.status_code == 302, response.status_code
    return int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])


def test_a_worker_process_runs_the_job_the_web_app_queued(app, login, sysdb, queue):
    """The web answer comes before the work: the job is queued; a separate worker process then finishes it."""
    s = login("pengurus.kebonjeruk")
    job_id = _job_id(s.post("/pekerjaan/tagihan-wajib", {}, form_url="/pekerjaan/"))
    sysdb.expire_all()
    assert sysdb.get(Job, job_id).status == "queued"
    assert s.get(f"/pekerjaan/{job_id}/status").json["status"] == "queued"
    queue()
    job = _wait(sysdb, job_id, lambda j: j.status in ("done", "failed"))
    assert job.status == "done", job.error_message
    assert job.attempts == 1 and "tagihan simpanan wajib dibuat" in job.result_summary
    assert s.get(f"/pekerjaan/{job_id}/status").json["percent"] == 100


@pytest.fixture()
def many_members(app, sysdb):
    """30,000 applicants in KKMP Lempake (written straight to the table, removed afterwards)."""
    coop_id = sysdb.scalar(select(Cooperative.id).where(Cooperative.region_code == LEMPAKE))
    n = 30_000
    rows = [{"cooperative_id": coop_id, "nik": f"6472{i:012d}", "nik_hmac": f"uji-pekerja-{i}",
             "name": f"Uji Pekerja {i:05d}", "name_key": f"uji pekerja {i:05d}", "sex": "L",
             "birth_date": date(1990, 1, 1), "address": "Jl. Uji", "rt": "001", "rw": "001",
             "domicile_code": LEMPAKE, "join_date": date(2025, 1, 2), "status": "permohonan", "version": 1}
            for i in range(n)]
    for start in range(0, n, 10_000):
        sysdb.execute(insert(Member.__table__), rows[start:start + 10_000])
    sysdb.commit()
    yield coop_id, n
    sysdb.execute(delete(Member.__table__).where(Member.name.like("Uji Pekerja %")))
    sysdb.commit()


def test_a_worker_killed_mid_export_leaves_nothing_and_the_next_one_finishes_the_job_once(
        app, login, sysdb, queue, many_members):
    """Killed (SIGKILL) while writing the file: the job is not done and no result file exists; a new worker picks
    the job up again by itself and writes the whole file, once, with every member."""
    coop_id, added = many_members
    members = sysdb.scalar(select(func.count()).select_from(Member).where(Member.cooperative_id == coop_id))
    s = login("sekretaris.lempake")
    job_id = _job_id(s.get("/anggota/export/xlsx"))
    folder = app.config["KKMP_JOBS_DIR"]
    results = lambda: [f for f in os.listdir(folder) if f.startswith(f"job-{job_id}-")] if os.path.isdir(
        folder) else []

    job = _kill_mid_job(queue, sysdb, job_id)
    assert job.status == "running" and job.progress_done < members, (job.status, job.progress_done)
    assert job.result_path is None and results() == []  # at most a .part file, which nothing links to
    assert s.get(f"/pekerjaan/{job_id}/unduh").status_code == 404

    time.sleep(2.5)  # the dead worker's job goes stale (KKMP_JOBS_STALE_SECONDS=2 for these workers)
    queue()
    job = _wait(sysdb, job_id, lambda j: j.status in ("done", "failed"))
    assert job.status == "done", job.error_message
    assert job.attempts == 2 and job.progress_done == job.progress_total == members
    assert results() == [job.result_path] and job.result_path.endswith(".xlsx")
    assert not [f for f in os.listdir(folder) if f.startswith(f"job-{job_id}.") and f.endswith(".part")]
    r = s.get(f"/pekerjaan/{job_id}/unduh")
    assert r.status_code == 200
    with zipfile.ZipFile(io.BytesIO(r.data)) as zf:
        sheet = zf.read("xl/worksheets/sheet1.xml").decode("utf-8")
    assert sheet.count("<row ") == members + 2  # the title row, the header row, one row per member
    assert sheet.count("Uji Pekerja ") == added


def test_a_worker_process_imports_a_big_deposits_file_and_prepares_the_reminders_list(
        app, login, sysdb, queue, monkeypatch):
    """The new kinds run in the worker too: a deposits file over the threshold is imported whole there, and the
    secretary's reminders list is written there for her to download."""
    from app.core.dates import local_today
    from app.savings.models import SavingsTransaction
    from tests.savings.test_import import _numbers, upload, workbook

    monkeypatch.setitem(app.config, "KKMP_IMPORT_JOB_ROWS", 1)
    a, b = _numbers(sysdb, 2)
    coop = sysdb.scalar(select(Cooperative).where(Cooperative.region_code == "31.73.05.1001"))
    today = local_today(coop)
    before = sysdb.scalar(select(func.count(SavingsTransaction.id)))
    s = login("sekretaris.kebonjeruk")
    import uuid

    import_id = _job_id(upload(s, workbook([[a, "sukarela", 13000, today, f"pekerja {uuid.uuid4().hex[:6]}"],
                                            [b, "sukarela", 14000, today, None]])))
    reminders_id = _job_id(s.post("/simpanan/transaksi/tunggakan/pengingat", {},
                                  form_url="/simpanan/transaksi/tunggakan"))
    sysdb.expire_all()
    assert sysdb.get(Job, import_id).status == "queued" and sysdb.get(Job, reminders_id).status == "queued"
    queue()
    job = _wait(sysdb, import_id, lambda j: j.status in ("done", "failed"))
    assert job.status == "done", job.error_message
    assert job.result_summary == "2 setoran diimpor."
    sysdb.expire_all()
    assert sysdb.scalar(select(func.count(SavingsTransaction.id))) == before + 2
    job = _wait(sysdb, reminders_id, lambda j: j.status in ("done", "failed"))
    assert job.status == "done", job.error_message
    r = s.get(f"/pekerjaan/{reminders_id}/unduh")
    assert r.status_code == 200 and r.data[:2] == b"PK"


@pytest.fixture()
def erdkk_cleanup(sysdb):
    """The farmers the test below imports are removed afterwards (the suite's later pupuk tests count rows)."""
    yield
    from app.pupuk.models import Farmer, FarmerLand, Poktan, PupukAllocation, PupukImport, PupukQuota

    sysdb.rollback()
    ids = select(Farmer.id).where(Farmer.name.like("Pekerja Pupuk %")).scalar_subquery()
    import_ids = list(sysdb.scalars(select(PupukAllocation.import_id).where(PupukAllocation.farmer_id.in_(ids))
                                    .distinct()))
    sysdb.execute(delete(PupukQuota.__table__).where(PupukQuota.farmer_id.in_(ids)))
    sysdb.execute(delete(PupukAllocation.__table__).where(PupukAllocation.farmer_id.in_(ids)))
    sysdb.execute(delete(PupukImport.__table__).where(PupukImport.id.in_(import_ids)))
    sysdb.execute(delete(FarmerLand.__table__).where(FarmerLand.farmer_id.in_(ids)))
    sysdb.execute(delete(Farmer.__table__).where(Farmer.name.like("Pekerja Pupuk %")))
    sysdb.execute(delete(Poktan.__table__).where(Poktan.name == "Poktan Pekerja"))
    sysdb.commit()


def test_a_worker_killed_mid_erdkk_import_writes_nothing_and_the_next_one_imports_every_row_once(
        app, login, sysdb, queue, monkeypatch, erdkk_cleanup):
    """An e-RDKK file is all or nothing, also when its worker dies (SIGKILL) half-way: no farmer, allocation or
    import record of it is left; a new worker takes the job up again by itself and imports each row once."""
    import hashlib

    from app.pupuk.models import Farmer, PupukAllocation, PupukImport
    from tests.pupuk.conftest import rdkk_file

    monkeypatch.setitem(app.config, "KKMP_IMPORT_JOB_ROWS", 1)
    n = 650  # progress notes after rows 0, 200, 400 and 600, each followed by the tests' pause: the kill lands
    rows = [[f"357301120388{i:04d}", f"Pekerja Pupuk {i:03d}", "Poktan Pekerja", "", "padi", "0,5", "2026", "1",
             "100", "", "", "", ""] for i in range(1, n + 1)]
    data = rdkk_file(rows)

    def written():
        sysdb.expire_all()
        farmers = sysdb.scalar(select(func.count()).select_from(Farmer).where(Farmer.name.like("Pekerja Pupuk %")))
        allocations = sysdb.scalar(select(func.count()).select_from(PupukAllocation).join(
            Farmer, Farmer.id == PupukAllocation.farmer_id).where(Farmer.name.like("Pekerja Pupuk %")))
        imports = sysdb.scalar(select(func.count()).select_from(PupukImport).where(
            PupukImport.sha256 == hashlib.sha256(data).hexdigest()))
        return farmers, allocations, imports

    s = login("sekretaris.cemorokandang")
    r = s.post("/pupuk/alokasi/impor", data={"file": (io.BytesIO(data), "rdkk.xlsx")},
               content_type="multipart/form-data")
    job_id = _job_id(r)
    job = _kill_mid_job(queue, sysdb, job_id)
    assert job.status == "running" and 0 < job.progress_done < n, (job.status, job.progress_done)
    assert written() == (0, 0, 0)

    time.sleep(2.5)  # the dead worker's job goes stale (KKMP_JOBS_STALE_SECONDS=2 for these workers)
    queue()
    job = _wait(sysdb, job_id, lambda j: j.status in ("done", "failed"))
    assert job.status == "done", job.error_message
    assert job.attempts == 2 and job.progress_done == job.progress_total == n
    assert job.result_summary.startswith(f"e-RDKK diimpor: {n} baris, {n} petani baru")
    assert written() == (n, n, 1)
