"""Stored decisions: idempotent by key (also under a race), round-trip, and policy versions."""

import threading

import pytest
from sqlalchemy import func, select

from seawall.api.testing import fake_moderate
from seawall.errors import Conflict
from seawall.policy import PolicyError
from seawall.storage import decisions as store
from seawall.storage import policies
from seawall.storage.tables import DecisionRecord
from seawall.types import Content


def decided(text="[hate=0.99] x", **kw):
    content = Content(id=kw.pop("id", "c1"), text=text, author_id="u1", **kw)
    return content, fake_moderate(content)


def count(db):
    with db.session() as s:
        return s.scalar(select(func.count()).select_from(DecisionRecord))


def test_same_idempotency_key_returns_the_first_decision(db):
    content, decision = decided()
    with db.session() as s:
        first, created = store.record(s, decision, content, idempotency_key="k")
    with db.session() as s:
        again, created_again = store.record(s, decision, content, idempotency_key="k")
    assert created and not created_again and again.id == first.id and count(db) == 1


def test_concurrent_retries_with_one_key_store_one_decision(db):
    content, decision = decided()
    barrier, ids, errors = threading.Barrier(4), [], []

    def attempt():
        try:
            barrier.wait()
            with db.session() as s:
                row, _ = store.record(s, decision, content, idempotency_key="race")
                ids.append(row.id)
        except Exception as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=attempt) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and len(set(ids)) == 1 and count(db) == 1


def test_stored_decision_round_trips(db):
    content, decision = decided(lang="en")
    with db.session() as s:
        row, _ = store.record(s, decision, content)
    with db.session() as s:
        back = store.to_decision(store.get(s, row.id))
        again = store.content_of(store.get(s, row.id))
    assert back.action == decision.action and back.rules == decision.rules
    assert back.category_scores == decision.category_scores
    assert back.evidence[0].span == decision.evidence[0].span
    assert again.text == content.text and again.lang == "en"


def test_inline_media_is_not_kept_in_the_decision_log(db):
    content = Content(id="i", image="/tmp/copy.png", meta={"sources": {"image": "data:image/png;base64,AAAA"}})
    with db.session() as s:
        row, _ = store.record(s, fake_moderate(Content(id="i", text="x")), content)
        assert row.content["image"].startswith("data:sha256=")


SOURCE = 'policy(version="v{n}", default=allow, on_missing="ignore")\n'


def test_policy_versions_activate_one_at_a_time(db):
    with db.session() as s:
        policies.save(s, SOURCE.format(n=1))
        policies.save(s, SOURCE.format(n=2))
        policies.activate(s, "v1")
        policies.activate(s, "v2")
        assert [(r.version, r.status) for r in policies.list_versions(s)] == [("v2", "live"), ("v1", "retired")]


def test_reuploading_a_version_with_other_text_conflicts(db):
    with db.session() as s:
        policies.save(s, SOURCE.format(n=1))
        assert policies.save(s, SOURCE.format(n=1)).version == "v1"   # same text: same row
        with pytest.raises(Conflict):
            policies.save(s, SOURCE.format(n=1) + "# changed\n")


def test_an_invalid_policy_is_never_stored(db):
    with db.session() as s, pytest.raises(PolicyError):
        policies.save(s, "policy(version='x')")
    with db.session() as s:
        assert policies.count(s) == 0


def test_policy_cache_serves_live_and_shadows_and_defaults_without_any(db):
    cache = policies.PolicyCache(db.session, ttl=0)
    assert cache.current().live.version.startswith("default-")
    with db.session() as s:
        policies.save(s, SOURCE.format(n=1))
        policies.save(s, SOURCE.format(n=2))
        policies.activate(s, "v1")
        policies.set_shadow(s, "v2")
    current = cache.current()
    assert current.live.version == "v1" and [p.version for p in current.shadows] == ["v2"]


def test_policy_cache_keeps_deciding_when_the_database_is_gone(sqlite_db):
    cache = policies.PolicyCache(sqlite_db.session, ttl=0)
    with sqlite_db.session() as s:
        policies.save(s, SOURCE.format(n=7))
        policies.activate(s, "v7")
    assert cache.current().live.version == "v7"
    with sqlite_db.engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE policies")
    assert cache.current().live.version == "v7"
