"""Background-jobs benchmark (issue 14; on demand, not in CI).

Needs a database built by ``bench/members_bench.py --generate-only`` (267 cooperatives, --members members, an
``admin`` with the password bench-members-2026), for example:

    .venv/bin/python bench/members_bench.py --members 500000 --transactions 0 --generate-only --no-anchor \\
        --db-url postgresql://postgres@127.0.0.1:5432/kkmp_jobs_bench
    .venv/bin/python bench/jobs_bench.py --db-url postgresql://postgres@127.0.0.1:5432/kkmp_jobs_bench

It measures, with a real worker (``huey_consumer`` in its own process, on a SQLite queue in a temporary folder):

1. the member export of the whole register as Admin: how long the web request takes (it only queues the job),
   how long until the job's page can show progress, and rows per second until the file is ready;
2. the month's wajib bill run over every cooperative (the service the job and the scheduler run), twice: the second
   run must create nothing.
"""
import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
PASSWORD = "bench-members-2026"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--db-url", required=True)
    args = parser.parse_args()
    tmp = tempfile.mkdtemp(prefix="kkmp-jobs-bench-")
    env = dict(os.environ, DATABASE_URL=args.db_url, KKMP_ENV="development", KKMP_JOBS_IMMEDIATE="0",
               KKMP_JOBS_SQLITE=os.path.join(tmp, "queue.sqlite"), KKMP_JOBS_DIR=os.path.join(tmp, "results"),
               KKMP_LOG_LEVEL="WARNING")
    env.pop("KKMP_REDIS_URL", None)
    env.pop("REDIS_URL", None)
    os.environ.update({k: env[k] for k in ("DATABASE_URL", "KKMP_ENV", "KKMP_JOBS_IMMEDIATE", "KKMP_JOBS_SQLITE",
                                            "KKMP_JOBS_DIR", "KKMP_LOG_LEVEL")})
    worker = subprocess.Popen([os.path.join(os.path.dirname(sys.executable), "huey_consumer"), "app.jobs.tasks.huey",
                               "-w", "1", "-n", "-q", "-m", "1"], cwd=ROOT, env=env, start_new_session=True)
    try:
        from sqlalchemy import create_engine, text

        from app import create_app

        app = create_app()
        engine = create_engine(args.db_url)
        time.sleep(8)  # the worker builds its app at start-up
        client = app.test_client()
        page = client.get("/login/").get_data(as_text=True)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
        client.post("/login/", data={"username": "admin", "password": PASSWORD, "csrf_token": token})
        t0 = time.monotonic()
        r = client.get("/anggota/export/xlsx")
        answered = time.monotonic() - t0
        assert r.status_code == 302 and "/pekerjaan/" in r.headers["Location"], r.status_code
        job_id = int(r.headers["Location"].rstrip("/").rsplit("/", 1)[1])
        first_progress = first_running = None
        while True:
            with engine.connect() as conn:
                status, done, total, started, finished = conn.execute(text(
                    "SELECT status, progress_done, progress_total, started_at, finished_at FROM job WHERE id = :i"),
                    {"i": job_id}).one()
            now = time.monotonic() - t0
            if first_running is None and status == "running" and total is not None:
                first_running = now  # the page shows "Berjalan (0 / total)"
            if first_progress is None and done:
                first_progress = now
            if status in ("done", "failed"):
                break
            time.sleep(0.05)
        seconds = (finished - started).total_seconds()
        print(f"member export as a job: {total} rows, {status}")
        print(f"  web request answered in {answered * 1000:.0f} ms (queued only)")
        print(f"  shown running with its row count {first_running:.2f} s after the click, first rows counted "
              f"{first_progress:.2f} s after it")
        print(f"  file ready after {seconds:.1f} s of work: {total / seconds:,.0f} rows/s")

        from app.core.scope import system_scope
        from app.extensions import db
        from app.savings.jobs import run_month_bills

        with app.app_context(), system_scope():
            for attempt in (1, 2):
                t = time.monotonic()
                created, coops = run_month_bills(db.session)
                print(f"wajib bill run {attempt}: {created} bills in {coops} cooperatives, "
                      f"{time.monotonic() - t:.1f} s")
            db.session.remove()
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(20)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
