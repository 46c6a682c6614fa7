"""Claims: one person holds one item at a time; abandoned claims expire; seniors reassign.

Exclusivity comes from one conditional UPDATE (`... WHERE status = 'open'`): of two people
claiming the same item at once, exactly one changes a row. That holds on SQLite and on
PostgreSQL without row locks, so no backend-specific SKIP LOCKED is needed.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from seawall.errors import Conflict, NotFound
from seawall.review import audit
from seawall.review.queue import ReviewItem
from seawall.review.roles import Forbidden, Principal, require, require_queue
from seawall.review.tables import ReviewClaim, ReviewQA
from seawall.review.worklist import Filters, candidates
from seawall.storage.columns import utcnow

CLAIM_TTL = timedelta(minutes=10)      # an open item page renews it; a closed tab lets it lapse
MAX_HOLD = timedelta(hours=1)          # renewals stop here, so a forgotten tab frees the item


def expire_stale(session: Session, *, now: datetime | None = None) -> int:
    """Return lapsed claims' items to their queue. Cheap enough to run before every claim."""
    now = now or utcnow()
    stale = list(session.scalars(select(ReviewClaim).where(ReviewClaim.status == "active",
                                                           ReviewClaim.expires_at <= now)))
    for claim in stale:
        claim.status = "expired"
        claim.ended_at = now
        session.execute(update(ReviewItem).where(ReviewItem.id == claim.item_id, ReviewItem.status == "claimed",
                                                 ReviewItem.claimed_by == claim.moderator)
                        .values(status="open", claimed_by=None, claimed_at=None))
        audit.record(session, claim.moderator, "expire", item_id=claim.item_id, now=now,
                     detail={"claim_id": claim.id})
    return len(stale)


def active_claim(session: Session, username: str, *, item_id: int | None = None,
                 now: datetime | None = None) -> ReviewClaim | None:
    now = now or utcnow()
    stmt = select(ReviewClaim).where(ReviewClaim.moderator == username, ReviewClaim.status == "active",
                                     ReviewClaim.expires_at > now)
    if item_id is not None:
        stmt = stmt.where(ReviewClaim.item_id == item_id)
    return session.scalars(stmt.order_by(ReviewClaim.id.desc()).limit(1)).first()


def _take(session: Session, item: ReviewItem, username: str, *, now: datetime,
          assigned_by: str | None = None) -> ReviewClaim | None:
    taken = session.execute(update(ReviewItem).where(ReviewItem.id == item.id, ReviewItem.status == "open")
                            .values(status="claimed", claimed_by=username, claimed_at=now)
                            .execution_options(synchronize_session=False))
    if taken.rowcount != 1:
        return None
    session.refresh(item)
    claim = ReviewClaim(item_id=item.id, moderator=username, claimed_at=now, expires_at=now + CLAIM_TTL,
                        assigned_by=assigned_by)
    session.add(claim)
    session.flush()
    return claim


def _qa_conflict(session: Session, item: ReviewItem, username: str) -> bool:
    """A QA item goes to anyone but the person whose verdict it checks."""
    if item.queue != "qa":
        return False
    qa = session.scalar(select(ReviewQA).where(ReviewQA.item_id == item.id))
    return qa is not None and qa.first_moderator == username


def _appeal_conflict(session: Session, item: ReviewItem, username: str) -> bool:
    """An appeal is never judged by the person who made the decision under appeal."""
    if item.queue != "appeals":
        return False
    from seawall.review.tables import ReviewVerdict

    first = session.scalar(select(ReviewVerdict).where(ReviewVerdict.enforced_decision_id == item.decision_id))
    return first is not None and first.moderator == username


def claim_next(session: Session, who: Principal, queue: str, *, filters: Filters = Filters(),
               now: datetime | None = None) -> ReviewClaim | None:
    """The caller's current claim if they hold one, else the most urgent open item they may take."""
    require(who, "qa_review" if queue == "qa" else ("appeals" if queue == "appeals" else "review"))
    require_queue(who, queue)
    now = now or utcnow()
    expire_stale(session, now=now)
    held = active_claim(session, who.username, now=now)
    if held is not None:
        return held
    for row in candidates(session, queue, filters=filters, now=now):
        if _qa_conflict(session, row.item, who.username) or _appeal_conflict(session, row.item, who.username):
            continue
        claim = _take(session, row.item, who.username, now=now)
        if claim is not None:
            audit.record(session, who.username, "claim", item_id=row.item.id, decision_id=row.item.decision_id,
                         queue=queue, now=now, detail={"claim_id": claim.id})
            return claim
    return None


def get_claim(session: Session, claim_id: int) -> ReviewClaim:
    claim = session.get(ReviewClaim, claim_id)
    if claim is None:
        raise NotFound(f"no claim {claim_id}")
    return claim


def held_claim(session: Session, who: Principal, claim_id: int, *, now: datetime | None = None) -> ReviewClaim:
    """The caller's live claim, or a Conflict saying why it cannot be acted on."""
    now = now or utcnow()
    claim = get_claim(session, claim_id)
    if claim.moderator != who.username:
        raise Forbidden("this claim belongs to someone else")
    if claim.status != "active":
        raise Conflict(f"this claim is already {claim.status}; claim the item again to act on it")
    if claim.expires_at <= now:
        expire_stale(session, now=now)
        raise Conflict("this claim has expired; claim the item again to act on it")
    return claim


def renew(session: Session, who: Principal, claim_id: int, *, now: datetime | None = None) -> ReviewClaim:
    now = now or utcnow()
    claim = held_claim(session, who, claim_id, now=now)
    claim.expires_at = min(now + CLAIM_TTL, claim.claimed_at + MAX_HOLD)
    return claim


def end(session: Session, claim: ReviewClaim, status: str, *, reopen: bool, now: datetime) -> None:
    """Close a claim; `reopen` puts the item back in its queue, otherwise the item is closed."""
    claim.status = status
    claim.ended_at = now
    values = ({"status": "open", "claimed_by": None, "claimed_at": None} if reopen
              else {"status": "closed", "closed_at": now})
    session.execute(update(ReviewItem).where(ReviewItem.id == claim.item_id).values(**values)
                    .execution_options(synchronize_session=False))
    item = session.get(ReviewItem, claim.item_id)
    if item is not None:
        session.refresh(item)


def release(session: Session, who: Principal, claim_id: int, *, now: datetime | None = None) -> ReviewClaim:
    """Give an item back untouched (skip): it returns to the top of its queue for someone else."""
    now = now or utcnow()
    claim = held_claim(session, who, claim_id, now=now)
    end(session, claim, "released", reopen=True, now=now)
    audit.record(session, who.username, "release", item_id=claim.item_id, now=now, detail={"claim_id": claim.id})
    return claim


def reassign(session: Session, who: Principal, item_id: int, to: Principal, *,
             now: datetime | None = None) -> ReviewClaim:
    """A senior moves an item (open or held by someone) to a named person who may open its queue."""
    require(who, "reassign")
    now = now or utcnow()
    item = session.get(ReviewItem, item_id)
    if item is None:
        raise NotFound(f"no review item {item_id}")
    require_queue(who, item.queue)
    if not to.can_open_queue(item.queue) or not to.can("review"):
        raise Forbidden(f"{to.username} may not work queue {item.queue!r}")
    if item.status == "closed":
        raise Conflict("this item is already decided")
    for claim in session.scalars(select(ReviewClaim).where(ReviewClaim.item_id == item_id,
                                                           ReviewClaim.status == "active")):
        end(session, claim, "reassigned", reopen=True, now=now)
    session.refresh(item)
    claim = _take(session, item, to.username, now=now, assigned_by=who.username)
    if claim is None:
        raise Conflict("the item was claimed by someone else meanwhile; try again")
    audit.record(session, who.username, "reassign", item_id=item_id, decision_id=item.decision_id,
                 queue=item.queue, now=now, detail={"to": to.username, "claim_id": claim.id})
    return claim
