"""The Redis Streams carrier: a consumer group spreads jobs over workers; a dead worker's jobs are claimed.

The stream only carries job ids. The `jobs` table stays the source of truth, so an entry
delivered twice (after XAUTOCLAIM, or re-published by `republish`) cannot run a job that
is done or held by a live worker.
"""

from __future__ import annotations

import logging
import time
from datetime import timedelta
from typing import Any

import redis
from sqlalchemy import select

from seawall.jobs import base
from seawall.storage.columns import utcnow
from seawall.storage.db import Database, StorageUnavailable
from seawall.storage.tables import Job

log = logging.getLogger(__name__)


class RedisQueue:
    def __init__(self, db: Database, client: redis.Redis | str, *, stream: str = "seawall:jobs",
                 group: str = "seawall-workers", maxlen: int = 1_000_000, reclaim_idle_s: float = 10.0):
        self.db = db
        self.redis = redis.Redis.from_url(client) if isinstance(client, str) else client
        self.stream = stream
        self.group = group
        self.maxlen = maxlen
        # Entries idle this long (or a lease, if shorter) are checked against the jobs table.
        self.reclaim_idle_s = reclaim_idle_s
        self._group_ready = False

    def _ensure_group(self) -> None:
        if self._group_ready:
            return
        try:
            self.redis.xgroup_create(self.stream, self.group, id="0", mkstream=True)
        except redis.ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise
        self._group_ready = True

    def _publish(self, job_id: str) -> None:
        self._ensure_group()
        self.redis.xadd(self.stream, {"job": job_id}, maxlen=self.maxlen, approximate=True)

    def submit(self, kind: str, payload: dict[str, Any], *, idempotency_key: str | None = None,
               callback_url: str | None = None, callback_secret: str | None = None,
               max_attempts: int = 5) -> tuple[Job, bool]:
        with self.db.session() as session:
            job, created = base.insert_job(session, kind, payload, idempotency_key=idempotency_key,
                                           callback_url=callback_url, callback_secret=callback_secret,
                                           max_attempts=max_attempts)
        if created:
            try:
                self._publish(job.id)
            except redis.RedisError as exc:
                # The row is stored; `republish` (run by every worker) will put it on the stream.
                log.warning("job %s stored but not published yet: %s", job.id, exc)
        return job, created

    def claim(self, consumer: str, *, lease_s: float = 60.0, block_s: float = 0.0) -> base.Claimed | None:
        self._ensure_group()
        deadline = time.monotonic() + block_s
        idle_ms = int(min(lease_s, self.reclaim_idle_s) * 1000)
        while True:
            # First, entries another consumer read but left idle: its worker may have died.
            # The jobs table decides whether its lease really lapsed.
            _, entries, *_ = self.redis.xautoclaim(self.stream, self.group, consumer,
                                                   min_idle_time=idle_ms, start_id="0-0", count=4)
            claimed = self._take_first(entries, consumer, lease_s)
            if claimed is not None:
                return claimed
            left = deadline - time.monotonic()
            # block=0 would wait forever in Redis; None does not wait at all.
            got = self.redis.xreadgroup(self.group, consumer, {self.stream: ">"}, count=1,
                                        block=int(min(left, 0.5) * 1000) or None if left > 0 else None)
            claimed = self._take_first(got[0][1] if got else [], consumer, lease_s)
            if claimed is not None or time.monotonic() >= deadline:
                return claimed

    def _take_first(self, entries, consumer: str, lease_s: float) -> base.Claimed | None:
        for entry_id, fields in entries:
            if fields is None:  # trimmed away while pending
                self.redis.xack(self.stream, self.group, entry_id)
                continue
            raw = fields.get(b"job", fields.get("job", b""))
            job_id = raw.decode() if isinstance(raw, bytes) else str(raw)
            claimed = self._take(job_id, consumer, lease_s, entry_id)
            if claimed is not None:
                return claimed
        return None

    def _take(self, job_id: str, consumer: str, lease_s: float, entry_id) -> base.Claimed | None:
        with self.db.session() as session:
            if base.take(session, job_id, consumer, lease_s):
                job = session.get(Job, job_id)
                session.refresh(job)
                return base.Claimed(id=job.id, kind=job.kind, payload=job.payload, attempt=job.attempts,
                                    max_attempts=job.max_attempts, consumer=consumer, token=entry_id)
            job = session.get(Job, job_id)
            if job is None or job.status in ("done", "failed"):
                self.redis.xack(self.stream, self.group, entry_id)  # nothing left to do for it
            # Otherwise a live worker holds it or it waits for a retry: leave the entry pending.
        return None

    def extend(self, job: base.Claimed, *, lease_s: float = 60.0) -> bool:
        with self.db.session() as session:
            ok = base.extend_lease(session, job, lease_s)
        if ok and job.token is not None:
            # Re-claiming our own entry resets its idle time, so XAUTOCLAIM leaves it alone.
            self.redis.xclaim(self.stream, self.group, job.consumer, min_idle_time=0,
                              message_ids=[job.token], justid=True)
        return ok

    def complete(self, job: base.Claimed, result: dict[str, Any], *, on_commit=None) -> bool:
        with self.db.session() as session:
            done = base.finish(session, job, result)
            if done and on_commit is not None:
                on_commit(session)
        if job.token is not None:
            self.redis.xack(self.stream, self.group, job.token)
        return done

    def fail(self, job: base.Claimed, error: str, *, retry: bool = True) -> str:
        with self.db.session() as session:
            status = base.give_back(session, job, error, retry=retry, delay_s=0.0)
        if job.token is not None:
            self.redis.xack(self.stream, self.group, job.token)
            if status == "queued":
                self._publish(job.id)
        return status

    def republish(self, *, older_than_s: float = 30.0, limit: int = 500) -> int:
        """Put queued jobs back on the stream (publishing failed, or the stream was trimmed)."""
        cutoff = utcnow() - timedelta(seconds=older_than_s)
        try:
            with self.db.session() as session:
                ids = session.scalars(select(Job.id).where(
                    (Job.status == "queued") | ((Job.status == "running") & (Job.lease_expires_at < utcnow())),
                    Job.updated_at < cutoff).limit(limit)).all()
        except StorageUnavailable:
            return 0
        for job_id in ids:
            self._publish(job_id)
        if ids:
            with self.db.session() as session:
                for job in session.scalars(select(Job).where(Job.id.in_(ids))):
                    job.updated_at = utcnow()  # not again until the next cutoff
        return len(ids)
