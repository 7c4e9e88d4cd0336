"""The one Huey instance: the queue the web app puts jobs on and the worker (``huey_consumer``) takes them from.

Configured from ``config.py`` (KKMP_ENV): Redis when ``KKMP_REDIS_URL``/``REDIS_URL`` is set, else Huey's SQLite
storage in ``instance/`` (a laptop needs no Redis), under the name ``KKMP_JOBS_QUEUE``; immediate mode (``KKMP_JOBS_IMMEDIATE``, on in the test
config) runs each job at once in the caller. Built at import because the consumer imports it by name:

    huey_consumer app.jobs.tasks.huey
"""
import os

from huey import RedisHuey, SqliteHuey


def make_huey(cfg=None):
    from config import config_for

    cfg = cfg or config_for()
    immediate = bool(cfg.KKMP_JOBS_IMMEDIATE)
    if cfg.KKMP_REDIS_URL:
        return RedisHuey(cfg.KKMP_JOBS_QUEUE, url=cfg.KKMP_REDIS_URL, immediate=immediate, utc=True)
    os.makedirs(os.path.dirname(cfg.KKMP_JOBS_SQLITE) or ".", exist_ok=True)
    return SqliteHuey(cfg.KKMP_JOBS_QUEUE, filename=cfg.KKMP_JOBS_SQLITE, immediate=immediate, utc=True)


huey = make_huey()
