"""Both job carriers: idempotent submit, leases that lapse, retries, and the worker's callbacks."""

import uuid

import httpx
import pytest

from seawall.actions import webhooks
from seawall.actions.dispatch import Dispatcher
from seawall.actions.targets import Targets, fixed_resolver
from seawall.api.testing import fake_moderate
from seawall.jobs import SqlQueue
from seawall.jobs.base import get_job
from seawall.jobs.worker import Worker
from seawall.storage import testing


@pytest.fixture(params=["sql", pytest.param("redis", marks=pytest.mark.redis)])
def queue(request, db):
    if request.param == "sql":
        yield SqlQueue(db, poll_s=0.01, retry_delay_s=0.0)
        return
    from seawall.jobs.redis_queue import RedisQueue

    client = testing.redis_client()
    stream = f"seawall:test:{uuid.uuid4().hex}"
    yield RedisQueue(db, client, stream=stream, reclaim_idle_s=0.2)
    client.delete(stream)


ITEMS = {"items": [{"id": "a", "text": "[hate=0.99]", "author_id": "u1"}, {"id": "b", "text": "fine"}]}


def test_submitting_twice_with_one_key_makes_one_job(queue):
    a, created = queue.submit("moderate", ITEMS, idempotency_key="k")
    b, created_again = queue.submit("moderate", ITEMS, idempotency_key="k")
    assert created and not created_again and a.id == b.id


def test_a_claimed_job_is_not_claimed_twice_until_its_lease_lapses(queue):
    job, _ = queue.submit("moderate", ITEMS)
    first = queue.claim("w1", lease_s=0.5)
    assert first is not None and first.id == job.id
    assert queue.claim("w2", lease_s=0.5) is None
    again = queue.claim("w2", lease_s=5, block_s=3)  # w1 went silent: its lease lapses
    assert again is not None and again.id == job.id and again.attempt == 2
    assert not queue.complete(first, {"stale": True})   # w1 lost the job; its result is refused
    assert queue.complete(again, {"ok": True})
    with queue.db.session() as s:
        assert get_job(s, job.id).result == {"ok": True}


def test_failed_job_retries_then_gives_up(queue):
    job, _ = queue.submit("moderate", ITEMS, max_attempts=2)
    assert queue.fail(queue.claim("w", lease_s=5, block_s=1), "boom") == "queued"
    assert queue.fail(queue.claim("w", lease_s=5, block_s=1), "boom") == "failed"
    with queue.db.session() as s:
        assert get_job(s, job.id).status == "failed"


def test_worker_decides_each_item_and_sends_a_signed_callback(queue):
    seen = []

    def receiver(request: httpx.Request) -> httpx.Response:
        ok = webhooks.verify("cb-secret-0123456789", request.headers[webhooks.SIGNATURE_HEADER], request.content)
        seen.append((ok, request.read(), request.headers["Host"]))
        return httpx.Response(200)

    job, _ = queue.submit("moderate", ITEMS, callback_url="http://platform.test/cb",
                          callback_secret="cb-secret-0123456789")
    targets = Targets(resolver=fixed_resolver({"platform.test": ["93.184.215.14"]}))
    deliverer = webhooks.Deliverer(queue.db.session, client=httpx.Client(transport=httpx.MockTransport(receiver)),
                                   targets=targets)
    worker = Worker(queue, Dispatcher(queue.db, moderate=fake_moderate), deliverer=deliverer, lease_s=5)
    assert worker.run_once(block_s=2)
    worker.deliver()
    with queue.db.session() as s:
        done = get_job(s, job.id)
        assert done.status == "done"
        assert [i["action"] for i in done.result["items"]] == ["remove_with_strike", "allow"]
    assert len(seen) == 1 and seen[0][0] and b'"job.completed"' in seen[0][1] and seen[0][2] == "platform.test"


def test_a_bad_item_is_reported_and_the_batch_goes_on(queue):
    items = {"items": [{"id": "x", "image": "http://127.0.0.1/secret.png"}, {"id": "y", "text": "ok"}]}
    job, _ = queue.submit("moderate", items)
    Worker(queue, Dispatcher(queue.db, moderate=fake_moderate), lease_s=5).run_once(block_s=2)
    with queue.db.session() as s:
        result = get_job(s, job.id).result["items"]
    assert result[0]["error"]["code"] == "fetch_refused" and result[1]["action"] == "allow"


def test_worker_prunes_media_kept_past_retention_at_most_once_per_interval(sqlite_db, tmp_path):
    import os
    import time

    from seawall.review.testing import synth_image
    from seawall.storage.media import MediaStore

    store = MediaStore(tmp_path / "media")
    digest = store.keep(synth_image(tmp_path / "a.png"), "image")["sha256"]
    old = time.time() - 31 * 86400
    os.utime(store.root / digest, (old, old))
    worker = Worker(SqlQueue(sqlite_db), Dispatcher(sqlite_db, moderate=fake_moderate, media=store),
                    prune_every_s=3600)
    assert worker.prune_media() == 1 and not (store.root / digest).exists()
    store.keep(synth_image(tmp_path / "b.png", seed=2), "image")
    os.utime(next(store.root.iterdir()), (old, old))
    assert worker.prune_media() == 0          # not again within the interval
