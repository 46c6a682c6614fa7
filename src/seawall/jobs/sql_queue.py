"""The embedded job queue: workers poll the `jobs` table (SQLite or PostgreSQL), no other service."""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import select

from seawall.jobs import base
from seawall.storage.columns import utcnow
from seawall.storage.db import Database
from seawall.storage.tables import Job


class SqlQueue:
    """Claims the oldest available job by a conditional UPDATE; a lapsed lease makes a job free again."""

    def __init__(self, db: Database, *, poll_s: float = 0.2, retry_delay_s: float = 1.0):
        self.db = db
        self.poll_s = poll_s
        self.retry_delay_s = retry_delay_s

    def submit(self, kind: str, payload: dict[str, Any], *, idempotency_key: str | None = None,
               callback_url: str | None = None, callback_secret: str | None = None,
               max_attempts: int = 5) -> tuple[Job, bool]:
        with self.db.session() as session:
            return base.insert_job(session, kind, payload, idempotency_key=idempotency_key,
                                   callback_url=callback_url, callback_secret=callback_secret,
                                   max_attempts=max_attempts)

    def _claim_once(self, consumer: str, lease_s: float) -> base.Claimed | None:
        now = utcnow()
        with self.db.session() as session:
            candidates = session.scalars(
                select(Job.id).where(Job.available_at <= now,
                                     (Job.status == "queued")
                                     | ((Job.status == "running") & (Job.lease_expires_at < now)))
                .order_by(Job.available_at, Job.created_at).limit(8)).all()
            for job_id in candidates:
                if base.take(session, job_id, consumer, lease_s, now):
                    job = session.get(Job, job_id)
                    session.refresh(job)
                    return base.Claimed(id=job.id, kind=job.kind, payload=job.payload, attempt=job.attempts,
                                        max_attempts=job.max_attempts, consumer=consumer)
        return None

    def claim(self, consumer: str, *, lease_s: float = 60.0, block_s: float = 0.0) -> base.Claimed | None:
        deadline = time.monotonic() + block_s
        while True:
            job = self._claim_once(consumer, lease_s)
            if job is not None or time.monotonic() >= deadline:
                return job
            time.sleep(min(self.poll_s, max(0.0, deadline - time.monotonic())))

    def extend(self, job: base.Claimed, *, lease_s: float = 60.0) -> bool:
        with self.db.session() as session:
            return base.extend_lease(session, job, lease_s)

    def complete(self, job: base.Claimed, result: dict[str, Any], *, on_commit=None) -> bool:
        with self.db.session() as session:
            done = base.finish(session, job, result)
            if done and on_commit is not None:
                on_commit(session)  # e.g. queue the callback in the same transaction
            return done

    def fail(self, job: base.Claimed, error: str, *, retry: bool = True) -> str:
        delay = self.retry_delay_s * 2 ** max(0, job.attempt - 1)
        with self.db.session() as session:
            return base.give_back(session, job, error, retry=retry, delay_s=delay)
