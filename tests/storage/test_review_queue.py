"""Review queue items: ordered by severity, reach and age; enqueued once per decision and queue."""

from datetime import timedelta

from seawall.api.testing import fake_moderate
from seawall.review import queue
from seawall.storage import decisions as store
from seawall.storage.columns import utcnow
from seawall.types import Content


def decision_id(s, n):
    row, _ = store.record(s, fake_moderate(Content(id=f"c{n}", text="x")), Content(id=f"c{n}", text="x"))
    return row.id


def test_most_severe_then_widest_reach_first(db):
    with db.session() as s:
        low = queue.enqueue(s, decision_id=decision_id(s, 1), content_id="c1", queue="q", severity=1)
        severe = queue.enqueue(s, decision_id=decision_id(s, 2), content_id="c2", queue="q", severity=5)
        viral = queue.enqueue(s, decision_id=decision_id(s, 3), content_id="c3", queue="q", severity=1,
                              reach=1_000_000)
        order = [i.content_id for i in queue.list_queue(s, "q")]
    assert order == ["c2", "c3", "c1"] and low and severe and viral


def test_old_items_rise_so_nothing_starves(db):
    now = utcnow()
    with db.session() as s:
        queue.enqueue(s, decision_id=decision_id(s, 1), content_id="old", queue="q", severity=1,
                      age_weight=1.0, now=now - timedelta(hours=48))
        queue.enqueue(s, decision_id=decision_id(s, 2), content_id="new", queue="q", severity=3,
                      age_weight=1.0, now=now)
        assert [i.content_id for i in queue.list_queue(s, "q")] == ["old", "new"]


def test_enqueue_is_idempotent_per_decision_and_queue(db):
    with db.session() as s:
        d = decision_id(s, 1)
        a = queue.enqueue(s, decision_id=d, content_id="c1", queue="q")
        b = queue.enqueue(s, decision_id=d, content_id="c1", queue="q")
        assert a.id == b.id and [x.queue for x in queue.queues(s)] == ["q"]
