"""The job queue interface: at-least-once delivery of jobs whose state lives in the `jobs` table.

Two carriers implement it: the embedded SQL queue (workers poll the table) and Redis
Streams (consumer groups; pending entries of dead consumers are claimed). Either way the
table arbitrates: a job moves queued → running → done|failed by conditional updates, so
a job delivered twice runs at most once at a time, and idempotency keys inside the job
(`job:<id>:<item>`) make a rerun after a crash return the first decisions.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from seawall.errors import NotFound
from seawall.storage.columns import utcnow
from seawall.storage.db import Database
from seawall.storage.tables import Job


@dataclass(frozen=True)
class Claimed:
    """A job this consumer holds until `lease_expires_at` (renewed by `extend`)."""

    id: str
    kind: str
    payload: dict[str, Any]
    attempt: int
    max_attempts: int
    consumer: str
    token: Any = None   # carrier-specific, e.g. the Redis stream entry id


class JobQueue(Protocol):
    db: Database

    def submit(self, kind: str, payload: dict[str, Any], *, idempotency_key: str | None = None,
               callback_url: str | None = None, callback_secret: str | None = None,
               max_attempts: int = 5) -> tuple[Job, bool]: ...

    def claim(self, consumer: str, *, lease_s: float = 60.0, block_s: float = 0.0) -> Claimed | None: ...

    def extend(self, job: Claimed, *, lease_s: float = 60.0) -> bool: ...

    def complete(self, job: Claimed, result: dict[str, Any], *, on_commit=None) -> bool: ...

    def fail(self, job: Claimed, error: str, *, retry: bool = True) -> str: ...


# --- table operations both carriers share ---------------------------------------------------

def insert_job(session: Session, kind: str, payload: dict[str, Any], *, idempotency_key: str | None,
               callback_url: str | None, callback_secret: str | None, max_attempts: int) -> tuple[Job, bool]:
    if idempotency_key:
        existing = session.scalar(select(Job).where(Job.idempotency_key == idempotency_key))
        if existing is not None:
            return existing, False
    now = utcnow()
    job = Job(id=str(uuid.uuid4()), kind=kind, payload=payload, idempotency_key=idempotency_key,
              callback_url=callback_url, callback_secret=callback_secret, max_attempts=max_attempts,
              created_at=now, updated_at=now, available_at=now)
    try:
        with session.begin_nested():
            session.add(job)
    except IntegrityError:
        if idempotency_key:
            existing = session.scalar(select(Job).where(Job.idempotency_key == idempotency_key))
            if existing is not None:
                return existing, False
        raise
    return job, True


def take(session: Session, job_id: str, consumer: str, lease_s: float, now: datetime | None = None) -> bool:
    """Move one job to running under this consumer, if it is free: queued, or its lease expired."""
    now = now or utcnow()
    res = session.execute(
        update(Job)
        .where(Job.id == job_id, Job.available_at <= now,
               (Job.status == "queued") | ((Job.status == "running") & (Job.lease_expires_at < now)))
        .values(status="running", lease_owner=consumer, lease_expires_at=now + timedelta(seconds=lease_s),
                attempts=Job.attempts + 1, updated_at=now)
        .execution_options(synchronize_session=False))
    return res.rowcount == 1


def extend_lease(session: Session, job: Claimed, lease_s: float) -> bool:
    now = utcnow()
    res = session.execute(update(Job).where(Job.id == job.id, Job.status == "running",
                                            Job.lease_owner == job.consumer)
                          .values(lease_expires_at=now + timedelta(seconds=lease_s), updated_at=now)
                          .execution_options(synchronize_session=False))
    return res.rowcount == 1


def finish(session: Session, job: Claimed, result: dict[str, Any]) -> bool:
    """Mark done, only if this consumer still holds it (a lease lost to another worker is not ours)."""
    now = utcnow()
    res = session.execute(update(Job).where(Job.id == job.id, Job.status == "running",
                                            Job.lease_owner == job.consumer)
                          .values(status="done", result=result, finished_at=now, updated_at=now,
                                  lease_expires_at=None)
                          .execution_options(synchronize_session=False))
    return res.rowcount == 1


def give_back(session: Session, job: Claimed, error: str, *, retry: bool, delay_s: float) -> str:
    now = utcnow()
    row = session.get(Job, job.id)
    if row is None or row.status != "running" or row.lease_owner != job.consumer:
        return row.status if row else "missing"
    row.error = error[:2000]
    row.updated_at = now
    row.lease_owner = None
    row.lease_expires_at = None
    if retry and row.attempts < row.max_attempts:
        row.status = "queued"
        row.available_at = now + timedelta(seconds=delay_s)
    else:
        row.status = "failed"
        row.finished_at = now
    return row.status


def get_job(session: Session, job_id: str) -> Job:
    job = session.get(Job, job_id)
    if job is None:
        raise NotFound(f"no job {job_id!r}")
    return job


def job_json(job: Job) -> dict[str, Any]:
    return {"id": job.id, "kind": job.kind, "status": job.status, "attempts": job.attempts,
            "created_at": job.created_at.isoformat() if job.created_at else None,
            "finished_at": job.finished_at.isoformat() if job.finished_at else None,
            "result": job.result, "error": job.error or None, "callback_url": job.callback_url,
            "items": len(job.payload.get("items", [])) if isinstance(job.payload, dict) else None}
