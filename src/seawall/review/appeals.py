"""Appeals: an author contests an enforced decision; a senior moderator upholds or overturns it.

Overturning reverses what the decision did: its strikes are marked reversed in the ledger,
a new "allow" decision (origin "appeal") records that the item is restored, receivers get an
`appeal.overturned` event, and feedback subscribers undo what was learned (banked hashes,
training labels).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from seawall import taxonomy
from seawall.actions import strikes, webhooks
from seawall.errors import Conflict, InvalidInput, NotFound
from seawall.review import audit, claims
from seawall.review import queue as review_queue
from seawall.review.events import Overturned, Subscriber, publish
from seawall.review.roles import APPEALS_QUEUE, Principal, require
from seawall.review.tables import ReviewAppeal, ReviewVerdict
from seawall.storage import decisions as store
from seawall.storage.columns import utcnow
from seawall.storage.tables import LedgerEntry
from seawall.types import Decision

OUTCOMES = ("uphold", "overturn")
APPEAL_SEVERITY = 3


def file_appeal(session: Session, decision_id: str, *, statement: str = "", author_id: str | None = None,
                now: datetime | None = None) -> ReviewAppeal:
    """Open an appeal against an enforced decision and queue it; one appeal per decision."""
    now = now or utcnow()
    row = store.get(session, decision_id)
    if row.action == "allow":
        raise InvalidInput("nothing to appeal: this decision restricted nothing")
    if author_id is not None and row.author_id is not None and author_id != row.author_id:
        raise InvalidInput("only the author of the item may appeal its decision")
    existing = session.scalar(select(ReviewAppeal).where(ReviewAppeal.decision_id == decision_id))
    if existing is not None:
        return existing
    appeal = ReviewAppeal(decision_id=decision_id, content_id=row.content_id, author_id=row.author_id,
                          statement=statement.strip()[:5000], created_at=now)
    session.add(appeal)
    session.flush()
    item = review_queue.enqueue(session, decision_id=decision_id, content_id=row.content_id, queue=APPEALS_QUEUE,
                                action="review", rule=(row.rules[0] if row.rules else ""),
                                severity=APPEAL_SEVERITY, detail={"appeal_id": appeal.id}, now=now)
    appeal.item_id = item.id
    audit.record(session, row.author_id or "author", "appeal_filed", item_id=item.id, decision_id=decision_id,
                 queue=APPEALS_QUEUE, now=now, detail={"appeal_id": appeal.id})
    return appeal


def appeal_for_item(session: Session, item_id: int) -> ReviewAppeal | None:
    return session.scalar(select(ReviewAppeal).where(ReviewAppeal.item_id == item_id))


def get_appeal(session: Session, appeal_id: int) -> ReviewAppeal:
    appeal = session.get(ReviewAppeal, appeal_id)
    if appeal is None:
        raise NotFound(f"no appeal {appeal_id}")
    return appeal


def decide_appeal(session: Session, who: Principal, claim_id: int, outcome: str, *, reason: str = "",
                  subscribers: list[Subscriber] | None = None, now: datetime | None = None) -> ReviewAppeal:
    require(who, "appeals")
    if outcome not in OUTCOMES:
        raise InvalidInput(f"an appeal is {' or '.join(OUTCOMES)}, not {outcome!r}")
    now = now or utcnow()
    claim = claims.held_claim(session, who, claim_id, now=now)
    item = session.get(review_queue.ReviewItem, claim.item_id)
    appeal = appeal_for_item(session, item.id)
    if appeal is None:
        raise InvalidInput("this item is not an appeal")
    if appeal.status != "open":
        raise Conflict(f"this appeal was already {appeal.status}")
    first = session.scalar(select(ReviewVerdict).where(ReviewVerdict.enforced_decision_id == appeal.decision_id))
    if first is not None and first.moderator == who.username:
        raise Conflict("an appeal is decided by someone other than the person who made the decision")
    verdict = ReviewVerdict(claim_id=claim.id, item_id=item.id, decision_id=appeal.decision_id,
                            content_id=appeal.content_id, queue=APPEALS_QUEUE, kind="appeal",
                            moderator=who.username, action=outcome, categories=[], reason=reason.strip()[:2000],
                            rule=item.rule, seconds=(now - claim.claimed_at).total_seconds(), created_at=now)
    session.add(verdict)
    session.flush()
    claims.end(session, claim, "decided", reopen=False, now=now)
    appeal.status = "upheld" if outcome == "uphold" else "overturned"
    appeal.decided_by = who.username
    appeal.decided_at = now
    appeal.reason = verdict.reason
    original = store.get(session, appeal.decision_id)
    detail: dict = {"appeal_id": appeal.id, "outcome": outcome, "reason": verdict.reason}
    if outcome == "overturn":
        detail.update(_overturn(session, who, appeal, original, first, subscribers or [], now=now))
    else:
        webhooks.enqueue_event(session, "appeal.upheld", f"appeal-{appeal.id}",
                               {"appeal_id": appeal.id, "decision_id": original.id,
                                "content_id": original.content_id, "author_id": original.author_id})
    verdict.enforced_decision_id = appeal.reversal_decision_id
    audit.record(session, who.username, "appeal_decided", item_id=item.id, decision_id=original.id,
                 queue=APPEALS_QUEUE, now=now, detail=detail)
    return appeal


def _overturn(session: Session, who: Principal, appeal: ReviewAppeal, original: store.DecisionRecord,
              first: ReviewVerdict | None, subscribers: list[Subscriber], *, now: datetime) -> dict:
    reversed_ids = []
    for entry in session.scalars(select(LedgerEntry).where(LedgerEntry.decision_id == original.id,
                                                           LedgerEntry.reversed_at.is_(None))):
        strikes.reverse(session, entry.id, f"appeal {appeal.id} overturned", now=now)
        reversed_ids.append(entry.id)
    content = store.content_of(original)
    restored = Decision(content_id=original.content_id, action="allow", flagged=False,
                        categories={n: False for n in taxonomy.NAMES},
                        category_scores=dict(original.category_scores), rules=tuple(original.rules),
                        policy_version=original.policy_version,
                        meta={"appeal": {"appeal_id": appeal.id, "overturns": original.id,
                                         "moderator": who.username, "reason": appeal.reason}})
    row, _ = store.record(session, restored, content, idempotency_key=f"appeal:{appeal.id}", origin="appeal",
                          now=now)
    appeal.reversal_decision_id = row.id
    webhooks.enqueue_event(session, "appeal.overturned", f"appeal-{appeal.id}",
                           {"appeal_id": appeal.id, "decision_id": original.id, "restored_decision_id": row.id,
                            "content_id": original.content_id, "author_id": original.author_id,
                            "reversed_ledger_entries": reversed_ids,
                            "account": strikes.account_status(session, original.author_id, now=now)
                            if original.author_id else None})
    reports = publish(session, subscribers, Overturned(
        appeal_id=appeal.id, moderator=who.username, decision_id=original.id, content=content,
        verdict_id=first.id if first else None, reason=appeal.reason, at=now))
    return {"reversed_ledger_entries": reversed_ids, "restored_decision_id": row.id, "feedback": reports}
