"""A worker killed with SIGKILL mid-job loses no job and makes no duplicate decision or strike."""

import os
import signal
import subprocess
import sys
import textwrap
import time
import uuid

import pytest
from sqlalchemy import func, select

from seawall.actions.dispatch import Dispatcher
from seawall.api.testing import fake_moderate
from seawall.jobs.base import get_job
from seawall.jobs.worker import Worker
from seawall.storage import testing
from seawall.storage.tables import DecisionRecord, LedgerEntry

CHILD = textwrap.dedent("""
    import sys
    from seawall.actions.dispatch import Dispatcher
    from seawall.api.testing import slow_moderate
    from seawall.jobs.worker import Worker
    from seawall.storage.db import Database
    db = Database(sys.argv[1])
    if sys.argv[2] == "sql":
        from seawall.jobs.sql_queue import SqlQueue
        queue = SqlQueue(db, poll_s=0.05)
    else:
        from seawall.jobs.redis_queue import RedisQueue
        queue = RedisQueue(db, sys.argv[3], stream=sys.argv[4])
    worker = Worker(queue, Dispatcher(db, moderate=slow_moderate(0.6)), consumer="doomed", lease_s=3)
    print("ready", flush=True)
    worker.run(block_s=0.2)
""")
ITEMS = [{"id": f"i{n}", "text": "[hate=0.99]", "author_id": f"u{n}"} for n in range(4)]


def count(db, table):
    with db.session() as s:
        return s.scalar(select(func.count()).select_from(table))


def crash_and_recover(db, queue, carrier, *extra):
    job, _ = queue.submit("moderate", {"items": ITEMS})
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    child = subprocess.Popen([sys.executable, "-c", CHILD, db.url, carrier, *extra], env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 30
        while count(db, DecisionRecord) < 2:  # mid-job: some items decided, some not
            assert child.poll() is None, child.stderr.read().decode()[-2000:]
            assert time.monotonic() < deadline, "the worker never started deciding"
            time.sleep(0.05)
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=10)
    finally:
        if child.poll() is None:
            child.kill()
    decided_before = count(db, DecisionRecord)
    assert decided_before < len(ITEMS)
    survivor = Worker(queue, Dispatcher(db, moderate=fake_moderate), consumer="survivor", lease_s=3)
    deadline = time.monotonic() + 30
    while not survivor.run_once(block_s=0.5):
        assert time.monotonic() < deadline, "the killed worker's job was never reclaimed"
    with db.session() as s:
        done = get_job(s, job.id)
    assert done.status == "done" and done.attempts == 2
    assert [i["id"] for i in done.result["items"]] == [i["id"] for i in ITEMS]
    assert count(db, DecisionRecord) == len(ITEMS)      # no item decided twice
    assert count(db, LedgerEntry) == len(ITEMS)         # one strike per item, never two


@pytest.mark.slow
def test_sigkilled_worker_on_the_sql_queue(sqlite_db):
    from seawall.jobs.sql_queue import SqlQueue

    crash_and_recover(sqlite_db, SqlQueue(sqlite_db, poll_s=0.05), "sql")


@pytest.mark.slow
@pytest.mark.redis
@pytest.mark.postgres
def test_sigkilled_worker_on_redis_streams_with_postgres(tmp_path):
    from seawall.jobs.redis_queue import RedisQueue

    client = testing.redis_client()
    stream = f"seawall:test:{uuid.uuid4().hex}"
    try:
        with testing.database("postgres", tmp_path) as db:
            crash_and_recover(db, RedisQueue(db, client, stream=stream), "redis", testing.redis_url(), stream)
    finally:
        client.delete(stream)
