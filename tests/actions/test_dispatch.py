"""Decide-store-enforce: one transaction, idempotent by key, shadows recorded, nothing half-way."""

import pytest
from sqlalchemy import func, select

from seawall.actions import enforce as enforce_module
from seawall.actions.dispatch import Dispatcher
from seawall.api.testing import fake_moderate
from seawall.review.queue import ReviewItem
from seawall.storage import policies
from seawall.storage.tables import DecisionRecord, LedgerEntry, ShadowDecision, Statement
from seawall.types import Content


def counts(db):
    with db.session() as s:
        return {t.__tablename__: s.scalar(select(func.count()).select_from(t))
                for t in (DecisionRecord, LedgerEntry, Statement, ShadowDecision, ReviewItem)}


def test_retried_request_makes_no_second_decision_or_strike(db):
    d = Dispatcher(db, moderate=fake_moderate)
    item = Content(id="c1", text="[hate=0.99]", author_id="u1")
    first, created = d.process(item, idempotency_key="k1")
    again, created_again = d.process(item, idempotency_key="k1")
    assert created and not created_again and first["id"] == again["id"]
    assert counts(db)["strike_ledger"] == 1 and counts(db)["dsa_statements"] == 1


def test_strikes_from_the_ledger_reach_the_policy(db):
    d = Dispatcher(db, moderate=fake_moderate)
    actions = [d.process(Content(id=f"c{n}", text="[hate=0.99]", author_id="u1"))[0]["action"]
               for n in range(3)]
    assert actions == ["remove_with_strike", "remove_with_strike", "suspend"]


def test_failure_during_enforcement_stores_nothing(db, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr("seawall.actions.dispatch.enforce", broken)
    with pytest.raises(RuntimeError):
        Dispatcher(db, moderate=fake_moderate).process(Content(id="c", text="[hate=0.99]", author_id="u"))
    assert set(counts(db).values()) == {0}
    assert enforce_module.enforce is not broken


def test_shadow_policy_decides_beside_live_without_enforcing(db):
    with db.session() as s:
        policies.save(s, 'policy(version="strict", default=allow, on_missing="ignore")\n'
                         'r = rule(when=score("spam") > 0.1, then=ban)\n')
        policies.set_shadow(s, "strict")
    d = Dispatcher(db, moderate=fake_moderate)
    out, _ = d.process(Content(id="c", text="[spam=0.3]", author_id="u"))
    assert out["action"] == "allow"
    with db.session() as s:
        [shadow] = s.scalars(select(ShadowDecision)).all()
        report = policies.shadow_report(s, "strict").to_json()
    assert shadow.action == "ban" and counts(db)["strike_ledger"] == 0
    assert report["total"] == 1 and report["stricter"] == 1


def test_held_items_land_in_their_review_queue(db):
    out, _ = Dispatcher(db, moderate=fake_moderate).process(Content(id="c", text="[hate=0.7]", meta={"reach": 5000}))
    with db.session() as s:
        [item] = s.scalars(select(ReviewItem)).all()
    assert out["action"] == "review" and item.queue == "hate" and item.reach == 5000
