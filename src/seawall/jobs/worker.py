"""The worker: claims jobs, decides each item through the dispatcher, completes the job, sends callbacks."""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from typing import Any

from seawall.actions import webhooks
from seawall.actions.dispatch import Dispatcher
from seawall.errors import SeawallError
from seawall.jobs.base import Claimed, JobQueue
from seawall.storage.db import StorageUnavailable
from seawall.storage.tables import Job

log = logging.getLogger(__name__)


def consumer_name() -> str:
    return f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"


class Worker:
    """Runs jobs until stopped. Kill it at any point: the lease lapses and another worker reruns the
    job, and the per-item idempotency keys return the decisions already stored."""

    def __init__(self, queue: JobQueue, dispatcher: Dispatcher, *, consumer: str | None = None,
                 lease_s: float = 60.0, deliverer: webhooks.Deliverer | None = None,
                 prune_every_s: float = 600.0):
        self.queue = queue
        self.dispatcher = dispatcher
        self.consumer = consumer or consumer_name()
        self.lease_s = lease_s
        self.deliverer = deliverer
        self.prune_every_s = prune_every_s
        self._next_prune = 0.0
        self.stop = threading.Event()

    def _heartbeat(self, job: Claimed, done: threading.Event) -> None:
        while not done.wait(self.lease_s / 3):
            try:
                self.queue.extend(job, lease_s=self.lease_s)
            except Exception as exc:  # the next beat may succeed; the lease covers a gap
                log.warning("lease renewal for job %s failed: %s", job.id, exc)

    def handle(self, job: Claimed) -> dict[str, Any]:
        from seawall.api.media import content_from_item  # items are checked the same way as HTTP

        if job.kind != "moderate":
            raise SeawallError(f"unknown job kind {job.kind!r}", code="invalid_job")
        results = []
        for n, item in enumerate(job.payload.get("items", [])):
            item_id = str(item.get("id", n))
            try:
                with content_from_item(item) as content:
                    decision, _ = self.dispatcher.process(
                        content, idempotency_key=f"job:{job.id}:{n}", origin="job")
                results.append({"id": item_id, "decision_id": decision["id"], "action": decision["action"],
                                "flagged": decision["flagged"], "rules": decision["rules"]})
            except StorageUnavailable:
                raise  # the whole job retries later; stored items come back from their keys
            except SeawallError as exc:
                results.append({"id": item_id, "error": exc.to_json()})
        return {"items": results}

    def run_once(self, *, block_s: float = 1.0) -> bool:
        job = self.queue.claim(self.consumer, lease_s=self.lease_s, block_s=block_s)
        if job is None:
            return False
        done = threading.Event()
        beat = threading.Thread(target=self._heartbeat, args=(job, done), daemon=True)
        beat.start()
        try:
            result = self.handle(job)
        except StorageUnavailable as exc:
            done.set()
            log.warning("job %s: storage unavailable, will retry: %s", job.id, exc)
            try:
                self.queue.fail(job, str(exc), retry=True)
            except Exception:  # the lease will lapse and the job comes back anyway
                pass
            return True
        except Exception as exc:
            done.set()
            log.exception("job %s failed", job.id)
            self.queue.fail(job, f"{type(exc).__name__}: {exc}", retry=not isinstance(exc, SeawallError))
            return True
        finally:
            done.set()

        def queue_callback(session) -> None:
            row = session.get(Job, job.id)
            if row is not None and row.callback_url:
                webhooks.enqueue_callback(session, row.callback_url, row.callback_secret or "",
                                          "job.completed", job.id,
                                          {"job_id": job.id, "status": "done", "result": result})

        self.queue.complete(job, result, on_commit=queue_callback)
        return True

    def deliver(self) -> None:
        if self.deliverer is not None:
            try:
                self.deliverer.run_due()
            except Exception as exc:
                log.warning("webhook delivery pass failed: %s", exc)

    def prune_media(self) -> int:
        """Delete media kept for review past its retention; at most once per `prune_every_s`."""
        media = getattr(self.dispatcher, "media", None)
        if media is None or time.monotonic() < self._next_prune:
            return 0
        self._next_prune = time.monotonic() + self.prune_every_s
        try:
            return media.prune()
        except OSError as exc:
            log.warning("pruning kept media failed: %s", exc)
            return 0

    def run(self, *, max_jobs: int | None = None, block_s: float = 1.0) -> int:
        """Loop until `stop` is set (or `max_jobs` ran); returns jobs handled."""
        handled = 0
        republish = getattr(self.queue, "republish", None)
        ticks = 0
        while not self.stop.is_set():
            try:
                if self.run_once(block_s=block_s):
                    handled += 1
                    if max_jobs is not None and handled >= max_jobs:
                        break
            except StorageUnavailable as exc:
                log.warning("storage unavailable: %s", exc)
                self.stop.wait(1.0)
            except Exception as exc:  # e.g. Redis restarting: wait and try again
                log.warning("worker loop error: %s", exc)
                self.stop.wait(1.0)
            self.deliver()
            self.prune_media()
            ticks += 1
            if republish is not None and ticks % 30 == 0:
                try:
                    republish()
                except Exception as exc:
                    log.warning("republish failed: %s", exc)
        return handled
