"""Verdicts enforce through the same actions as automated decisions; a claim is acted on once."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from seawall.errors import Conflict, InvalidInput
from seawall.review import audit, claims, testing, verdicts
from seawall.review.queue import ReviewItem
from seawall.review.roles import Forbidden
from seawall.review.tables import ReviewVerdict
from seawall.storage.columns import utcnow
from seawall.storage.tables import DecisionRecord, LedgerEntry, Statement
from seawall.types import Content


@pytest.fixture
def held(db):
    testing.route(db, Content(id="c1", text="[hate=0.8] you people", author_id="alice", lang="en"))
    mod = testing.add_user(db, "mia", "moderator", ["hate"])
    with db.session() as s:
        claim = claims.claim_next(s, mod, "hate")
    return mod, claim


def test_remove_with_strike_verdict_strikes_the_author_and_writes_a_statement(db, held):
    mod, claim = held
    with db.session() as s:
        result = verdicts.decide(s, mod, claim.id, "remove_with_strike", categories=["hate"], reason="slur")
        enforced_id = result.enforced.id
    with db.session() as s:
        row = s.get(DecisionRecord, enforced_id)
        assert row.origin == "review" and row.action == "remove_with_strike"
        assert row.categories["hate"] is True and row.meta["review"]["moderator"] == "mia"
        strikes = list(s.scalars(select(LedgerEntry).where(LedgerEntry.decision_id == enforced_id)))
        assert [e.kind for e in strikes] == ["strike"] and strikes[0].author_id == "alice"
        statement = s.scalar(select(Statement).where(Statement.decision_id == enforced_id))
        assert statement.body["automated_decision"] == "AUTOMATED_DECISION_NOT_AUTOMATED"
        assert s.get(ReviewItem, claim.item_id).status == "closed"


def test_a_claim_cannot_be_acted_on_twice(db, held):
    mod, claim = held
    with db.session() as s:
        verdicts.decide(s, mod, claim.id, "allow")
    with db.session() as s, pytest.raises(Conflict):
        verdicts.decide(s, mod, claim.id, "remove", categories=["hate"])
    with db.session() as s:
        assert len(list(s.scalars(select(ReviewVerdict)))) == 1


def test_an_expired_claim_cannot_be_decided(db, held):
    mod, claim = held
    later = utcnow() + claims.CLAIM_TTL + timedelta(seconds=5)
    with db.session() as s, pytest.raises(Conflict):
        verdicts.decide(s, mod, claim.id, "allow", now=later)


def test_someone_elses_claim_cannot_be_decided(db, held):
    _, claim = held
    other = testing.add_user(db, "ben", "moderator", ["hate"])
    with db.session() as s, pytest.raises(Exception) as exc:
        verdicts.decide(s, other, claim.id, "allow")
    assert getattr(exc.value, "code", "") == "forbidden"


def test_removal_without_a_category_cites_the_top_flagged_one(db, held):
    mod, claim = held
    with db.session() as s:
        result = verdicts.decide(s, mod, claim.id, "remove")
        assert result.verdict.categories == ["hate"]


def test_unknown_verdict_is_refused_with_the_valid_ones(db, held):
    mod, claim = held
    with db.session() as s, pytest.raises(InvalidInput, match="remove_with_strike"):
        verdicts.decide(s, mod, claim.id, "delete")


def test_escalation_moves_the_item_to_the_senior_queue_ranked_higher(db, held):
    mod, claim = held
    with db.session() as s:
        before = s.get(ReviewItem, claim.item_id)
        moved = verdicts.escalate(s, mod, claim.id, reason="needs context on a slur's reclaimed use")
        assert moved.queue == "escalations" and moved.severity == before.severity + 1
        assert moved.priority > 0 and moved.detail["escalated_by"] == "mia"
        assert s.get(ReviewItem, claim.item_id).status == "closed"
        assert claims.get_claim(s, claim.id).status == "escalated"
    senior = testing.add_user(db, "lea", "senior_moderator", ["*"])
    with db.session() as s:
        assert claims.claim_next(s, mod, "hate") is None
        with pytest.raises(Forbidden):
            claims.claim_next(s, mod, "escalations")   # moderators do not work the senior queue
        assert claims.claim_next(s, senior, "escalations").item_id == moved.id


def test_escalation_needs_a_reason(db, held):
    mod, claim = held
    with db.session() as s, pytest.raises(InvalidInput):
        verdicts.escalate(s, mod, claim.id, reason="  ")


def test_every_verdict_is_in_the_audit_log(db, held):
    mod, claim = held
    with db.session() as s:
        verdicts.decide(s, mod, claim.id, "remove", categories=["hate"], reason="slur")
    with db.session() as s:
        kinds = [e.action for e in audit.events(s, actor="mia")]
        assert kinds == ["decide", "claim"]
        decide = audit.events(s, action="decide")[0]
        assert decide.detail["action"] == "remove" and decide.detail["reason"] == "slur"


def test_qa_samples_a_share_of_verdicts_deterministically():
    picked = [verdicts.sampled_for_qa(i, 0.1) for i in range(2000)]
    assert 150 < sum(picked) < 250
    assert picked == [verdicts.sampled_for_qa(i, 0.1) for i in range(2000)]
    assert not any(verdicts.sampled_for_qa(i, 0.0) for i in range(100))
