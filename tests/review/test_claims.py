"""Claims: exclusive, ordered by priority, expiring when abandoned, reassignable by seniors."""

from datetime import timedelta

import pytest

from seawall.errors import Conflict
from seawall.review import claims, testing
from seawall.review.queue import ReviewItem
from seawall.review.roles import Forbidden
from seawall.review.worklist import Filters, rows
from seawall.storage.columns import utcnow
from seawall.types import Content


def _item(db, cid, text, **meta):
    out = testing.route(db, Content(id=cid, text=text, author_id=f"author-{cid}", lang=meta.pop("lang", "en"),
                                    meta=meta))
    assert out["queues"], out
    return out


def test_claim_next_takes_the_most_urgent_item_first(db):
    _item(db, "quiet", "[hate=0.8] small audience", reach=10)
    _item(db, "loud", "[hate=0.8] huge audience", reach=1_000_000)
    mod = testing.add_user(db, "mia", "moderator", ["hate"])
    with db.session() as s:
        claim = claims.claim_next(s, mod, "hate")
        assert s.get(ReviewItem, claim.item_id).content_id == "loud"


def test_two_moderators_never_hold_the_same_item(db):
    _item(db, "only", "[hate=0.8] one item")
    a = testing.add_user(db, "ana", "moderator", ["hate"])
    b = testing.add_user(db, "ben", "moderator", ["hate"])
    with db.session() as s:
        first = claims.claim_next(s, a, "hate")
    with db.session() as s:
        second = claims.claim_next(s, b, "hate")
    assert first is not None and second is None


def test_claim_next_returns_the_claim_already_held(db):
    _item(db, "one", "[hate=0.8] first")
    _item(db, "two", "[hate=0.8] second")
    mod = testing.add_user(db, "mia", "moderator", ["hate"])
    with db.session() as s:
        first = claims.claim_next(s, mod, "hate")
    with db.session() as s:
        again = claims.claim_next(s, mod, "hate")
    assert again.id == first.id


def test_abandoned_claim_expires_and_the_item_returns_to_its_queue(db):
    _item(db, "x", "[hate=0.8] abandoned")
    a = testing.add_user(db, "ana", "moderator", ["hate"])
    b = testing.add_user(db, "ben", "moderator", ["hate"])
    with db.session() as s:
        first = claims.claim_next(s, a, "hate")
    later = utcnow() + claims.CLAIM_TTL + timedelta(seconds=1)
    with db.session() as s:
        taken = claims.claim_next(s, b, "hate", now=later)
        assert taken.item_id == first.item_id
        assert claims.get_claim(s, first.id).status == "expired"
    with db.session() as s, pytest.raises(Conflict):
        claims.held_claim(s, a, first.id, now=later)


def test_renewing_a_claim_stops_at_the_maximum_hold(db):
    _item(db, "x", "[hate=0.8] long look")
    mod = testing.add_user(db, "mia", "moderator", ["hate"])
    with db.session() as s:
        claim = claims.claim_next(s, mod, "hate")
        start = claim.claimed_at
    t = start
    with db.session() as s:
        for _ in range(6):  # 54 minutes of renewals; the next one would pass the hour
            t += timedelta(minutes=9)
            claims.renew(s, mod, claim.id, now=t)
        assert claims.get_claim(s, claim.id).expires_at == start + claims.MAX_HOLD


def test_released_item_goes_back_for_someone_else(db):
    _item(db, "x", "[hate=0.8] skip me")
    a = testing.add_user(db, "ana", "moderator", ["hate"])
    b = testing.add_user(db, "ben", "moderator", ["hate"])
    with db.session() as s:
        first = claims.claim_next(s, a, "hate")
        claims.release(s, a, first.id)
    with db.session() as s:
        assert claims.claim_next(s, b, "hate").item_id == first.item_id


def test_senior_reassigns_a_held_item_to_a_named_moderator(db):
    _item(db, "x", "[hate=0.8] move me")
    a = testing.add_user(db, "ana", "moderator", ["hate"])
    b = testing.add_user(db, "ben", "moderator", ["hate"])
    lead = testing.add_user(db, "lea", "senior_moderator", ["*"])
    with db.session() as s:
        held = claims.claim_next(s, a, "hate")
        moved = claims.reassign(s, lead, held.item_id, b)
        assert moved.moderator == "ben" and moved.assigned_by == "lea"
        assert claims.get_claim(s, held.id).status == "reassigned"
        assert s.get(ReviewItem, held.item_id).claimed_by == "ben"


def test_moderator_cannot_reassign(db):
    _item(db, "x", "[hate=0.8] move me")
    a = testing.add_user(db, "ana", "moderator", ["hate"])
    b = testing.add_user(db, "ben", "moderator", ["hate"])
    with db.session() as s:
        item_id = s.query(ReviewItem).one().id
        with pytest.raises(Forbidden):
            claims.reassign(s, a, item_id, b)


def test_reassigning_to_someone_without_the_queue_is_refused(db):
    _item(db, "x", "[hate=0.8] move me")
    lead = testing.add_user(db, "lea", "senior_moderator", ["*"])
    other = testing.add_user(db, "oli", "moderator", ["fraud"])
    with db.session() as s:
        item_id = s.query(ReviewItem).one().id
        with pytest.raises(Forbidden):
            claims.reassign(s, lead, item_id, other)


def test_moderator_cannot_claim_from_a_queue_outside_their_grants(db):
    _item(db, "x", "[hate=0.8] hate item")
    mod = testing.add_user(db, "mia", "moderator", ["fraud"])
    with db.session() as s, pytest.raises(Forbidden):
        claims.claim_next(s, mod, "hate")


def test_child_safety_queue_needs_a_named_grant_even_for_an_admin(db):
    testing.route(db, Content(id="cs", text="[sexual/minors=0.8] synthetic test marker"))
    admin = testing.add_user(db, "root", "admin", ["*"])
    named = testing.add_user(db, "cara", "senior_moderator", ["child-safety"])
    with db.session() as s:
        with pytest.raises(Forbidden):
            claims.claim_next(s, admin, "child-safety")
        assert claims.claim_next(s, named, "child-safety") is not None


def test_queue_filters_by_policy_category_and_language(db):
    _item(db, "h-en", "[hate=0.8] english hate", lang="en")
    _item(db, "h-de", "[hate=0.8] deutscher hass", lang="de")
    _item(db, "ht-en", "[hate/threatening=0.8] threat", lang="en")
    with db.session() as s:
        assert {r.item.content_id for r in rows(s, "hate", filters=Filters(lang="de"))} == {"h-de"}
        threat = {r.item.content_id for r in rows(s, "hate", filters=Filters(category="hate/threatening"))}
        assert threat == {"ht-en"}
        assert {r.item.content_id for r in rows(s, "hate", filters=Filters(policy="hate_review"))} == \
            {"h-en", "h-de", "ht-en"}
        assert rows(s, "hate", filters=Filters(policy="no_such_rule")) == []
    mod = testing.add_user(db, "mia", "moderator", ["hate"])
    with db.session() as s:
        claim = claims.claim_next(s, mod, "hate", filters=Filters(lang="de"))
        assert s.get(ReviewItem, claim.item_id).content_id == "h-de"
