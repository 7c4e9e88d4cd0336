"""Two deployments on one Redis (or one queue file) keep their jobs apart by the queue's name (KKMP_JOBS_QUEUE)."""
import types
import uuid

import pytest

from app.jobs.queue import make_huey


def _cfg(name, tmp_path, redis_url=None):
    return types.SimpleNamespace(KKMP_JOBS_IMMEDIATE=False, KKMP_REDIS_URL=redis_url, KKMP_JOBS_QUEUE=name,
                                 KKMP_JOBS_SQLITE=str(tmp_path / "queue.sqlite"))


def _both(tmp_path, redis_url=None):
    # A suffix of the run's own: CI runs the suite on SQLite and on PostgreSQL side by side against one Redis, and
    # two runs using the same two names would take each other's jobs.
    run = uuid.uuid4().hex[:8]
    first = make_huey(_cfg(f"kkmp-first-{run}", tmp_path, redis_url))
    second = make_huey(_cfg(f"kkmp-second-{run}", tmp_path, redis_url))
    first.storage.flush_all()
    second.storage.flush_all()
    return first, second


def _check_apart(first, second):
    first.storage.enqueue(b"a job of the first deployment")
    assert first.storage.queue_size() == 1
    # The second deployment's worker sees nothing to take: the job is not run against the wrong database.
    assert second.storage.queue_size() == 0
    assert second.storage.dequeue() is None
    assert first.storage.dequeue() == b"a job of the first deployment"


def test_queue_name_keeps_two_deployments_apart_in_one_queue_file(tmp_path):
    first, second = _both(tmp_path)
    assert first.name.startswith("kkmp-first-") and second.name.startswith("kkmp-second-")
    _check_apart(first, second)


def test_queue_name_keeps_two_deployments_apart_on_one_redis(tmp_path):
    redis = pytest.importorskip("redis")
    url = "redis://127.0.0.1:6379/11"
    try:
        redis.Redis.from_url(url).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    first, second = _both(tmp_path, url)
    try:
        _check_apart(first, second)
    finally:
        first.storage.flush_all()
        second.storage.flush_all()

