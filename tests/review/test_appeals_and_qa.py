"""Appeals reverse what a decision did; QA measures how often two people agree."""

import pytest
from sqlalchemy import select

from seawall.actions import strikes
from seawall.errors import Conflict
from seawall.review import appeals, claims, qa, testing, verdicts
from seawall.review.tables import ReviewAppeal, ReviewQA
from seawall.storage.tables import DecisionRecord, Delivery, LedgerEntry, Webhook
from seawall.types import Content


def _decided(db, mod, cid="c1", action="remove_with_strike"):
    testing.route(db, Content(id=cid, text="[hate=0.8] you people", author_id="alice"))
    with db.session() as s:
        claim = claims.claim_next(s, mod, "hate")
        return verdicts.decide(s, mod, claim.id, action, categories=["hate"]).enforced.id


def test_overturned_appeal_reverses_the_strike_and_restores_the_item(db):
    mod = testing.add_user(db, "mia", "moderator", ["hate"])
    lead = testing.add_user(db, "lea", "senior_moderator", ["*"])
    with db.session() as s:
        s.add(Webhook(url="https://platform.example/hook", secret="s", events=["*"]))
    enforced = _decided(db, mod)
    with db.session() as s:
        assert strikes.active_strikes(s, "alice") == 1
        appeals.file_appeal(s, enforced, statement="it was a quote", author_id="alice")
    with db.session() as s:
        claim = claims.claim_next(s, lead, "appeals")
        appeal = appeals.decide_appeal(s, lead, claim.id, "overturn", reason="quoted to condemn it")
        assert appeal.status == "overturned"
    with db.session() as s:
        assert strikes.active_strikes(s, "alice") == 0
        entry = s.scalars(select(LedgerEntry).where(LedgerEntry.decision_id == enforced)).one()
        assert entry.reversed_at is not None and "overturned" in entry.reversed_reason
        restored = s.get(DecisionRecord, s.scalars(select(ReviewAppeal)).one().reversal_decision_id)
        assert restored.action == "allow" and restored.origin == "appeal"
        assert restored.meta["appeal"]["overturns"] == enforced
        events = {d.event for d in s.scalars(select(Delivery))}
        assert "appeal.overturned" in events


def test_upheld_appeal_keeps_the_strike(db):
    mod = testing.add_user(db, "mia", "moderator", ["hate"])
    lead = testing.add_user(db, "lea", "senior_moderator", ["*"])
    enforced = _decided(db, mod)
    with db.session() as s:
        appeals.file_appeal(s, enforced)
    with db.session() as s:
        claim = claims.claim_next(s, lead, "appeals")
        appeals.decide_appeal(s, lead, claim.id, "uphold", reason="clear slur")
    with db.session() as s:
        assert strikes.active_strikes(s, "alice") == 1


def test_an_appeal_is_never_judged_by_the_person_who_decided(db):
    lead = testing.add_user(db, "lea", "senior_moderator", ["*"])
    enforced = _decided(db, lead)
    with db.session() as s:
        appeals.file_appeal(s, enforced)
    with db.session() as s:
        assert claims.claim_next(s, lead, "appeals") is None


def test_moderators_cannot_take_appeals(db):
    mod = testing.add_user(db, "mia", "moderator", ["*"])
    enforced = _decided(db, mod)
    with db.session() as s:
        appeals.file_appeal(s, enforced)
    with db.session() as s, pytest.raises(Exception) as exc:
        claims.claim_next(s, mod, "appeals")
    assert exc.value.code == "forbidden"


def test_an_appeal_is_decided_once(db):
    mod = testing.add_user(db, "mia", "moderator", ["hate"])
    lead = testing.add_user(db, "lea", "senior_moderator", ["*"])
    enforced = _decided(db, mod)
    with db.session() as s:
        appeals.file_appeal(s, enforced)
    with db.session() as s:
        claim = claims.claim_next(s, lead, "appeals")
        appeals.decide_appeal(s, lead, claim.id, "overturn")
    with db.session() as s, pytest.raises(Conflict):
        appeals.decide_appeal(s, lead, claim.id, "uphold")


def test_an_allowed_item_has_nothing_to_appeal(db):
    mod = testing.add_user(db, "mia", "moderator", ["hate"])
    enforced = _decided(db, mod, action="allow")
    with db.session() as s, pytest.raises(Exception, match="nothing to appeal"):
        appeals.file_appeal(s, enforced)


def test_qa_item_goes_to_someone_else_blind_and_agreement_is_counted(db, monkeypatch):
    monkeypatch.setenv("SEAWALL_QA_SHARE", "1")
    a = testing.add_user(db, "ana", "moderator", ["hate"])
    b = testing.add_user(db, "ben", "moderator", ["hate"])
    for i, (first, second) in enumerate([("remove", "remove"), ("remove", "allow"), ("allow", "allow")]):
        testing.route(db, Content(id=f"q{i}", text=f"[hate=0.8] item {i}"))
        with db.session() as s:
            claim = claims.claim_next(s, a, "hate")
            result = verdicts.decide(s, a, claim.id, first, categories=["hate"] if first != "allow" else [])
            assert result.qa_item_id is not None
        with db.session() as s:
            assert claims.claim_next(s, a, "qa") is None      # never your own verdict
            qa_claim = claims.claim_next(s, b, "qa")
            verdicts.decide(s, b, qa_claim.id, second, categories=["hate"] if second != "allow" else [])
    with db.session() as s:
        assert all(r.completed_at for r in s.scalars(select(ReviewQA)))
        by_mod = {g.key: g for g in qa.agreement(s, "moderator")}
        assert by_mod["ana"].checked == 3 and by_mod["ana"].agreed == 2
        by_policy = {g.key: g for g in qa.agreement(s, "policy")}
        assert by_policy["hate_review"].rate == pytest.approx(2 / 3)


def test_a_qa_verdict_enforces_nothing(db, monkeypatch):
    monkeypatch.setenv("SEAWALL_QA_SHARE", "1")
    a = testing.add_user(db, "ana", "moderator", ["hate"])
    b = testing.add_user(db, "ben", "moderator", ["hate"])
    testing.route(db, Content(id="q", text="[hate=0.8] item", author_id="alice"))
    with db.session() as s:
        verdicts.decide(s, a, claims.claim_next(s, a, "hate").id, "allow")
    with db.session() as s:
        result = verdicts.decide(s, b, claims.claim_next(s, b, "qa").id, "remove_with_strike", categories=["hate"])
        assert result.enforced is None
    with db.session() as s:
        assert strikes.active_strikes(s, "alice") == 0


def test_cohen_kappa_is_one_for_perfect_and_zero_at_chance():
    assert qa.cohen_kappa([("a", "a"), ("b", "b")]) == pytest.approx(1.0)
    assert qa.cohen_kappa([("a", "a"), ("a", "b"), ("b", "a"), ("b", "b")]) == pytest.approx(0.0)
    assert qa.cohen_kappa([("a", "a")]) is None


def test_a_removal_overturned_on_appeal_no_longer_counts_in_author_history(db):
    from seawall.actions.history import author_history

    lead = testing.add_user(db, "lea", "senior_moderator", ["*"])
    removed = testing.route(db, Content(id="c1", text="[hate=0.99] quoted", author_id="alice"))
    testing.route(db, Content(id="c2", text="[hate=0.99] meant it", author_id="alice"))
    assert removed["action"] == "remove_with_strike"
    with db.session() as s:
        before = author_history(s, "alice")
        appeals.file_appeal(s, removed["id"], author_id="alice")
    with db.session() as s:
        appeals.decide_appeal(s, lead, claims.claim_next(s, lead, "appeals").id, "overturn")
    with db.session() as s:
        after = author_history(s, "alice")
    assert before["author"]["prior_removals"] == 2 and after["author"]["prior_removals"] == 1
    assert after["rates"]["removals/24h"] == 1 and after["author"]["strikes"] == 1
    assert after["rates"]["posts/24h"] == 2   # the restoring decision is not a new post
