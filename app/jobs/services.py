"""Starting, running and reading background jobs.

``do_start_job`` writes the job row (audited, like every row) and puts the job on the queue after the commit, so
a worker never sees a job id whose row is not there yet. ``execute_job`` is what the worker runs: it claims the
row (a job already done, or running in a live worker, is left alone: a second delivery does nothing), runs the
kind's handler as the user who started it (their scope, their rights) and records progress on its own
connection, so the page's progress bar moves while the work's own transaction is still open.

Every kind must be idempotent: a job may run again after a worker was killed mid-way (``requeue_stale``), and it
must then neither create anything twice nor leave anything half-written. Result files are written under a
temporary name and renamed into place only when complete.
"""
import glob
import json
import logging
import os
import secrets
import time
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app, g
from flask_babel import gettext
from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import DBAPIError, OperationalError

from app.core.dates import utc_now
from app.core.errors import DomainError
from app.core.scope import current_scope, system_scope

from .models import Job

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
# Attempts after which a job whose worker keeps dying is failed instead of re-queued (requeue_stale).
MAX_RUNS = 5
PROGRESS_EVERY_SECONDS = 0.5
# Seconds a worker waits after each progress note (tests of a worker killed mid-way; never set in production).
_PAUSE_AFTER_PROGRESS = float(os.environ.get("KKMP_JOBS_PAUSE_AFTER_PROGRESS") or 0)


@dataclass
class JobKind:
    name: str
    label: object  # lazy_gettext
    handler: object  # fn(ctx)
    # Run as the system (the scheduler's runs) instead of as the starter.
    system: bool = False


KINDS = {}


class RowErrors(DomainError):
    """An all-or-nothing import refused: nothing was written; ``rows`` are [(row, column, message)]."""

    def __init__(self, message, rows):
        super().__init__(message)
        self.rows = [list(r) for r in rows]


def register_kind(name, label, handler, system=False):
    """A domain offers a kind of job: ``handler(ctx)`` does the work (see ``JobContext``)."""
    KINDS[name] = JobKind(name, label, handler, system)


def kind_label(name):
    _load_kinds()
    kind = KINDS.get(name)
    return kind.label if kind else name


def _load_kinds():
    # The domains register their kinds on import; the worker imports nothing else.
    from app.members import jobs as _members  # noqa: F401
    from app.ledger import jobs as _ledger  # noqa: F401
    from app.savings import jobs as _savings  # noqa: F401
    from app.shu import jobs as _shu  # noqa: F401
    from app.pupuk import jobs as _pupuk  # noqa: F401


def _now():
    return utc_now().replace(tzinfo=None)


# -- starting ---------------------------------------------------------------------------------------------------

def do_start_job(session, acting_user, kind, params=None, cooperative_id=None, dedupe_key=None):
    """Record a job and queue it. Commits (the worker must find the row), then enqueues; returns the Job.

    ``acting_user`` None: a scheduled run (system scope). With ``dedupe_key`` a second start of the same run
    returns the existing job instead of a new one.
    """
    _load_kinds()
    if kind not in KINDS:
        raise DomainError(gettext("Jenis pekerjaan tidak dikenal."))
    if dedupe_key is not None:
        existing = session.execute(select(Job).where(Job.dedupe_key == dedupe_key)).scalar_one_or_none()
        if existing is not None:
            return existing
    scope = current_scope(session) if acting_user is not None else None
    job = Job(kind=kind, user_id=getattr(acting_user, "id", None),
              username=getattr(acting_user, "username", None) or "system",
              cooperative_id=cooperative_id, scope_label=scope.label if scope is not None else "system",
              params=json.dumps(params or {}, sort_keys=True), dedupe_key=dedupe_key, status="queued",
              progress_done=0, attempts=0, created_at=_now())
    session.add(job)
    session.commit()
    enqueue(job.id)
    return job


def enqueue(job_id):
    from .tasks import run_job

    run_job(job_id)


def save_upload(data, suffix=".xlsx"):
    """Keep an uploaded file for a job (under KKMP_JOBS_DIR/uploads, a random name); returns the name for params."""
    folder = os.path.join(current_app.config["KKMP_JOBS_DIR"], "uploads")
    os.makedirs(folder, exist_ok=True)
    name = secrets.token_hex(16) + suffix
    tmp = os.path.join(folder, name + ".part")
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, os.path.join(folder, name))
    return name


# -- reading ----------------------------------------------------------------------------------------------------

def visible_jobs(session, user):
    """The jobs ``user`` may see: their own, started under the scope they still have, and (for a job of one
    cooperative) only while that cooperative is still in their scope. Admin also sees the scheduler's runs."""
    scope = current_scope(session)
    stmt = select(Job)
    own = (Job.user_id == user.id) & (Job.scope_label == scope.label)
    if scope.all:
        stmt = stmt.where(or_(own, Job.user_id.is_(None)))
    else:
        stmt = stmt.where(own, or_(Job.cooperative_id.is_(None), Job.cooperative_id.in_(sorted(scope.read_ids))))
    return stmt


def get_visible_job(session, user, job_id):
    """The job, or None when it does not exist or is not the user's to see (the two answer the same 404)."""
    return session.execute(visible_jobs(session, user).where(Job.id == job_id)).scalar_one_or_none()


def status_of(job):
    """What the progress bar reads (JSON)."""
    return {"id": job.id, "status": job.status, "status_label": str(job.status_label),
            "done": job.progress_done, "total": job.progress_total, "percent": job.percent,
            "summary": job.result_summary, "error": job.error_message, "error_rows": len(job.error_list),
            "has_result": bool(job.status == "done" and job.result_path)}


def result_file(job):
    """The finished result's path, or None (not done, no file, or the file was cleaned away)."""
    if job.status != "done" or not job.result_path:
        return None
    path = os.path.join(current_app.config["KKMP_JOBS_DIR"], job.result_path)
    return path if os.path.isfile(path) else None


# -- running ----------------------------------------------------------------------------------------------------

class JobContext:
    """What a handler gets: the session to work in (scoped to the starter), the params, and ways to report."""

    def __init__(self, job_id, session, params, engine):
        self.job_id = job_id
        self.session = session
        self.params = params
        self._engine = engine
        self._last = 0.0
        self.total = None
        self.done = 0
        self.result = None  # (file name under KKMP_JOBS_DIR, download name), set by a kind that makes a file
        self.attempt = 1

    def _write(self, **values):
        values["heartbeat_at"] = _now()
        with self._engine.begin() as conn:
            conn.execute(update(Job.__table__).where(Job.__table__.c.id == self.job_id).values(**values))

    def set_total(self, total):
        self.total = total
        self._write(progress_total=total, progress_done=0)
        self._last = time.monotonic()

    def progress(self, done, force=False):
        """Note how far the work got: written at most every half second (and with ``force``)."""
        self.done = done
        now = time.monotonic()
        if force or _PAUSE_AFTER_PROGRESS or now - self._last >= PROGRESS_EVERY_SECONDS:
            self._last = now
            self._write(progress_done=done)
            if not force and _PAUSE_AFTER_PROGRESS:
                # Only the killed-worker tests set this: the export is fast enough to end between two looks.
                time.sleep(_PAUSE_AFTER_PROGRESS)

    def upload_path(self):
        """The uploaded file this job works on (saved by ``save_upload``)."""
        return os.path.join(current_app.config["KKMP_JOBS_DIR"], "uploads", self.params["upload"])

    def read_upload(self):
        """The uploaded file's bytes; refused in Indonesian when it is gone (cleaned away after an earlier end)."""
        try:
            with open(self.upload_path(), "rb") as f:
                return f.read()
        except (OSError, KeyError):
            raise DomainError(gettext("Berkas unggahan tidak ada lagi. Unggah berkas itu sekali lagi.")) from None

    def check_progress(self, done, total):
        """An import's ``progress(done, total)`` callback: the rows checked so far (never called while writing)."""
        if self.total is None:
            self.set_total(total)
        self.progress(done)

    def result_paths(self, suffix):
        """(temporary path to write, final file name under KKMP_JOBS_DIR): rename with ``os.replace`` when done."""
        folder = current_app.config["KKMP_JOBS_DIR"]
        os.makedirs(folder, exist_ok=True)
        # A random part: a file name nobody guesses, and never one left by an older database's job of that id.
        final = f"job-{self.job_id}-{secrets.token_hex(8)}{suffix}"
        return os.path.join(folder, f"job-{self.job_id}.{os.getpid()}.part"), final


def _claim(engine, job_id, stale_seconds):
    """Mark the job running (one more attempt) unless it is done, failed for good, or alive in another worker."""
    now = _now()
    table = Job.__table__
    with engine.begin() as conn:
        claimed = conn.execute(update(table).where(
            table.c.id == job_id,
            or_(table.c.status == "queued",
                (table.c.status == "running") & or_(table.c.heartbeat_at.is_(None),
                                                    table.c.heartbeat_at < now - timedelta(seconds=stale_seconds))))
            .values(status="running", attempts=table.c.attempts + 1, heartbeat_at=now, started_at=now,
                    error_message=None, error_rows=None)).rowcount
    return bool(claimed)


def _remove_parts(job_id):
    # What a killed attempt left half-written: never linked from the job, removed before the next attempt.
    for path in glob.glob(os.path.join(current_app.config["KKMP_JOBS_DIR"], f"job-{job_id}.*.part")):
        try:
            os.remove(path)
        except OSError:
            pass


def execute_job(job_id):
    """Run one job in the current app (the worker's, or the caller's in immediate mode). Returns its status.

    Runs in a fresh application and request context, so the job has its own database session and its own ``g``
    (the starter as ``g.user``: the scope layer sees exactly their cooperatives)."""
    from app.extensions import db
    from app.security.models import KkmpUser

    app = current_app._get_current_object()
    with app.app_context():
        engine = db.engine
        if not _claim(engine, job_id, app.config["KKMP_JOBS_STALE_SECONDS"]):
            db.session.remove()
            return "skipped"
        _remove_parts(job_id)
        with system_scope():
            job = db.session.get(Job, job_id)
            kind, user_id, params, attempts = job.kind, job.user_id, job.params_dict, job.attempts
            user = db.session.get(KkmpUser, user_id) if user_id is not None else None
        _load_kinds()
        spec = KINDS.get(kind)
        query_string = params.get("query_string", "")
        try:
            with app.test_request_context("/pekerjaan/run", query_string=query_string):
                if user is not None and not (spec and spec.system):
                    g.user = user
                    g._login_user = user
                    outcome = _run(spec, job_id, params, engine, attempts)
                else:
                    with system_scope():
                        outcome = _run(spec, job_id, params, engine, attempts)
        except (OperationalError, DBAPIError) as e:
            db.session.rollback()
            log.warning("job %s attempt %s: database error %s", job_id, attempts, e)
            if attempts < MAX_ATTEMPTS:
                _set(engine, job_id, status="queued")
                db.session.remove()
                raise  # Huey retries the task (its retries/retry_delay); the claim makes the retry safe
            _fail(engine, job_id, gettext("Pekerjaan gagal karena gangguan basis data. Silakan coba lagi."))
            db.session.remove()
            return "failed"
        except RowErrors as e:
            db.session.rollback()
            _fail(engine, job_id, str(e), error_rows=json.dumps(e.rows, ensure_ascii=False))
            db.session.remove()
            _remove_upload(params)
            return "failed"
        except DomainError as e:
            db.session.rollback()
            _fail(engine, job_id, str(e))
            db.session.remove()
            _remove_upload(params)
            return "failed"
        except Exception:
            db.session.rollback()
            log.exception("job %s failed", job_id)
            _fail(engine, job_id, gettext("Pekerjaan gagal karena kesalahan sistem. Silakan hubungi admin."))
            db.session.remove()
            return "failed"
        db.session.remove()
        _set(engine, job_id, status="done", finished_at=_now(), heartbeat_at=_now(), **outcome)
        _remove_upload(params)
        return "done"


def _remove_upload(params):
    # The uploaded file is the job's input only: once the job has its outcome it goes (a new try is a new upload).
    if params.get("upload"):
        try:
            os.remove(os.path.join(current_app.config["KKMP_JOBS_DIR"], "uploads", params["upload"]))
        except OSError:
            pass


def _run(spec, job_id, params, engine, attempt):
    from app.extensions import db

    if spec is None:
        raise DomainError(gettext("Jenis pekerjaan tidak dikenal."))
    ctx = JobContext(job_id, db.session, params, engine)
    ctx.attempt = attempt
    summary = spec.handler(ctx)
    db.session.commit()
    outcome = {"progress_done": ctx.total if ctx.total is not None else ctx.done,
               "result_summary": str(summary) if summary is not None else None}
    if ctx.result:
        outcome["result_path"], outcome["result_name"] = ctx.result
    return outcome


def _set(engine, job_id, **values):
    table = Job.__table__
    with engine.begin() as conn:
        conn.execute(update(table).where(table.c.id == job_id).values(**values))


def _fail(engine, job_id, message, **values):
    _set(engine, job_id, status="failed", finished_at=_now(), error_message=message, **values)


def requeue_stale(session, stale_seconds=None):
    """Put back on the queue every job a dead worker left running, and every queued job the queue lost (a
    restarted Redis, an immediate-mode start): silent for ``stale_seconds``. Returns their ids."""
    stale_seconds = stale_seconds or current_app.config["KKMP_JOBS_STALE_SECONDS"]
    limit = _now() - timedelta(seconds=stale_seconds)
    # A job that killed its worker again and again (or cannot even be loaded) stops being retried.
    dead = (Job.status == "running") & (Job.attempts >= MAX_RUNS) & or_(Job.heartbeat_at.is_(None),
                                                                          Job.heartbeat_at < limit)
    session.execute(update(Job).where(dead).values(
        status="failed", finished_at=_now(),
        error_message=gettext("Pekerjaan berhenti berulang kali di tengah jalan. Silakan mulai lagi atau hubungi "
                              "admin.")))
    with system_scope():
        ids = session.execute(select(Job.id).where(or_(
            (Job.status == "running") & or_(Job.heartbeat_at.is_(None), Job.heartbeat_at < limit),
            (Job.status == "queued") & (func.coalesce(Job.heartbeat_at, Job.created_at) < limit)))).scalars().all()
        if ids:
            # Stamped, so that a job still waiting behind others is put back once per stale period, not every minute.
            session.execute(update(Job).where(Job.id.in_(ids), Job.status == "queued").values(heartbeat_at=_now()))
    session.commit()
    for job_id in ids:
        enqueue(job_id)
    return ids


def clean_old_results(session):
    """Remove result files of jobs finished more than KKMP_JOBS_KEEP_DAYS ago (the row stays, without a file)."""
    limit = _now() - timedelta(days=current_app.config["KKMP_JOBS_KEEP_DAYS"])
    with system_scope():
        rows = session.execute(select(Job.id, Job.result_path).where(
            Job.finished_at < limit, Job.result_path.is_not(None))).all()
        for job_id, path in rows:
            try:
                os.remove(os.path.join(current_app.config["KKMP_JOBS_DIR"], path))
            except OSError:
                pass
            session.execute(update(Job).where(Job.id == job_id).values(result_path=None))
        session.commit()
    return len(rows)
