"""Asynchronous jobs: an embedded SQL queue or Redis Streams, and the worker that runs them."""

from __future__ import annotations

from seawall.jobs.base import Claimed, JobQueue, job_json
from seawall.jobs.sql_queue import SqlQueue
from seawall.storage.db import Database


def open_queue(db: Database, redis_url: str | None = None) -> JobQueue:
    """Redis Streams when a Redis URL is configured, else the embedded SQL queue."""
    if redis_url:
        from seawall.jobs.redis_queue import RedisQueue

        return RedisQueue(db, redis_url)
    return SqlQueue(db)


__all__ = ["Claimed", "JobQueue", "SqlQueue", "job_json", "open_queue"]
