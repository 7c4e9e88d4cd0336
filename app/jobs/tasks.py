"""The Huey tasks: run one job, the scheduled monthly wajib run, and the sweep that re-queues lost jobs.

The worker is ``huey_consumer app.jobs.tasks.huey`` (``make run`` starts one; README "Production"). It builds
the Flask app once per process, on its first task; in immediate mode (tests) the caller's app is used.
"""
import logging
import threading

from flask import current_app, has_app_context
from huey import crontab

from .queue import huey

log = logging.getLogger(__name__)
_worker_app = None
_app_lock = threading.Lock()


def _app():
    global _worker_app
    if has_app_context():
        return current_app._get_current_object()
    # One app per process, built by the first worker thread that needs it (FAB's appbuilder is a singleton: two
    # threads building it at once break it).
    with _app_lock:
        if _worker_app is None:
            from app import create_app

            _worker_app = create_app()
    return _worker_app


# retries: a database hiccup (deadlock, lost connection) puts the job back; execute_job's claim makes the
# retry safe (a job that is done or alive elsewhere is not run twice).
@huey.task(retries=2, retry_delay=10)
def run_job(job_id):
    from .services import execute_job

    with _app().app_context():
        return execute_job(job_id)


@huey.periodic_task(crontab(minute="1"))
def scheduled_wajib_bills():
    """Every hour: bill the new month in every active cooperative whose own date (WIB, WITA or WIT) has reached
    the 1st of a month not billed yet. The 1st arrives at 00:01 local time in each zone (17:01, 16:01 and 15:01
    UTC the day before); a worker that was down then catches up on its next hour. Idempotent (bill runs)."""
    from app.savings.jobs import start_scheduled_run

    with _app().app_context():
        return start_scheduled_run()


@huey.periodic_task(crontab(minute="*"))
def requeue_lost_jobs():
    """Every minute: jobs left running by a killed worker (or queued and lost) go back on the queue."""
    from app.extensions import db

    from .services import clean_old_results, requeue_stale

    with _app().app_context():
        ids = requeue_stale(db.session)
        if ids:
            log.warning("re-queued lost jobs %s", ids)
        clean_old_results(db.session)
        db.session.remove()
        return ids


@huey.on_startup()
def _requeue_on_start():
    """A worker coming back after a crash picks up what the dead one left (older than the stale limit)."""
    if huey.immediate:
        return
    from app.extensions import db

    from .services import requeue_stale

    try:
        with _app().app_context():
            requeue_stale(db.session)
            db.session.remove()
    except Exception:  # the queue must start even when the database is not reachable yet
        log.exception("could not re-queue lost jobs at start-up")
