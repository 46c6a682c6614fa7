"""A person's verdict on a claimed item: enforce it, close the claim, sample it for QA, tell feedback.

The verdict is enforced as a new stored decision (origin "review") through the same
`seawall.actions.enforce` the automated path uses, so strikes, DSA statements and webhooks
come out the same whoever decided. Everything happens in the caller's one transaction.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from seawall import taxonomy
from seawall.actions import dsa
from seawall.actions.enforce import enforce
from seawall.errors import Conflict, InvalidInput
from seawall.policy.effects import REMOVALS, STRIKES
from seawall.review import audit, claims
from seawall.review import queue as review_queue
from seawall.review.events import Reviewed, Subscriber, publish
from seawall.review.roles import ESCALATIONS_QUEUE, QA_QUEUE, Principal, require
from seawall.review.tables import ReviewQA, ReviewVerdict
from seawall.storage import decisions as store
from seawall.storage.columns import utcnow
from seawall.types import Content, Decision

# The rungs a person may choose, least to most severe. review/escalate are not verdicts
# (escalation moves the item instead); report is for specialist queues.
VERDICTS: tuple[str, ...] = ("allow", "label", "age_restrict", "limit_reach", "remove",
                             "remove_with_strike", "suspend", "ban", "report")
# Actions that say the item breaks a rule: they need at least one confirmed category.
VIOLATING = frozenset(REMOVALS | STRIKES | {"label", "age_restrict", "limit_reach"})
QA_SHARE = 0.10


@dataclass
class VerdictResult:
    verdict: ReviewVerdict
    enforced: store.DecisionRecord | None
    effects: dict[str, Any] = field(default_factory=dict)
    feedback: list[dict[str, Any]] = field(default_factory=list)
    qa_item_id: int | None = None


def qa_share(env: dict[str, str] | None = None) -> float:
    env = os.environ if env is None else env
    try:
        share = float(env.get("SEAWALL_QA_SHARE", QA_SHARE))
    except ValueError:
        raise InvalidInput("SEAWALL_QA_SHARE must be a number between 0 and 1") from None
    if not 0.0 <= share <= 1.0:
        raise InvalidInput("SEAWALL_QA_SHARE must be between 0 and 1")
    return share


def sampled_for_qa(verdict_id: int, share: float) -> bool:
    # A hash, not a random draw: the same verdict is always in or out, so reruns agree.
    h = int.from_bytes(hashlib.sha256(f"qa:{verdict_id}".encode()).digest()[:8], "big")
    return h / 2 ** 64 < share


def _categories(action: str, chosen: list[str] | tuple[str, ...], row: store.DecisionRecord) -> list[str]:
    cats = []
    for c in chosen:
        taxonomy.get(c)   # unknown names fail listing the valid ones
        if c not in cats:
            cats.append(c)
    if action == "allow":
        return []
    if not cats and action in VIOLATING:
        flagged = [c for c, v in row.categories.items() if v and taxonomy.get(c).violation]
        if not flagged:
            raise InvalidInput(f"say which policy the item breaks to {action.replace('_', ' ')} it")
        cats = [max(flagged, key=lambda c: float(row.category_scores.get(c, 0.0)))]
    return cats


def _enforce(session: Session, claim_id: int, verdict: ReviewVerdict, original: store.DecisionRecord,
             content: Content, *, policy=None,
             platform: dsa.Platform | None = None) -> tuple[store.DecisionRecord, dict]:
    cats = set(verdict.categories)
    decision = Decision(
        content_id=original.content_id, action=verdict.action, flagged=verdict.action != "allow",
        categories={n: n in cats for n in taxonomy.NAMES},
        # The machine's scores stay as they were; the person's call is in categories and action.
        category_scores=dict(original.category_scores),
        evidence=store.to_decision(original).evidence, rules=tuple(original.rules),
        policy_version=original.policy_version,
        meta={"effects": [{"action": verdict.action, "rule": verdict.rule}],
              "review": {"verdict_id": verdict.id, "moderator": verdict.moderator, "reason": verdict.reason,
                         "of": original.id, "queue": verdict.queue}})
    # One enforcement per claim even if the form is sent twice at once: the key is unique.
    row, created = store.record(session, decision, content, idempotency_key=f"review-claim:{claim_id}",
                                origin="review")
    if not created:
        raise Conflict("this claim was already acted on")
    enforced = enforce(session, row, policy=policy, platform=platform)
    effects = {"action": row.action, "decision_id": row.id,
               "strikes": [e.kind for e in enforced.ledger],
               "statement": enforced.statement.puid if enforced.statement else None,
               "webhooks": len(enforced.deliveries)}
    return row, effects


def decide(session: Session, who: Principal, claim_id: int, action: str, *,
           categories: list[str] | tuple[str, ...] = (),
           reason: str = "", subscribers: list[Subscriber] | None = None, policy=None,
           platform: dsa.Platform | None = None, now: datetime | None = None) -> VerdictResult:
    """Record and enforce a verdict on the caller's claim; a claim is acted on once."""
    now = now or utcnow()
    claim = claims.held_claim(session, who, claim_id, now=now)
    item = session.get(review_queue.ReviewItem, claim.item_id)
    if item.queue == "appeals":
        raise InvalidInput("an appeal is upheld or overturned: use the appeal verdicts")
    require(who, "qa_review" if item.queue == QA_QUEUE else "review")
    if action not in VERDICTS:
        raise InvalidInput(f"unknown verdict {action!r}; valid: {', '.join(VERDICTS)}")
    original = store.get(session, item.decision_id)
    content = store.content_of(original)
    cats = _categories(action, categories, original)
    kind = "qa" if item.queue == QA_QUEUE else "first"
    reason = reason.strip() or default_reason(action, cats, item.rule)
    verdict = ReviewVerdict(claim_id=claim.id, item_id=item.id, decision_id=original.id,
                            content_id=original.content_id, queue=item.queue, kind=kind, moderator=who.username,
                            action=action, categories=cats, reason=reason.strip()[:2000], rule=item.rule,
                            seconds=(now - claim.claimed_at).total_seconds(), created_at=now)
    try:
        with session.begin_nested():
            session.add(verdict)
    except IntegrityError:
        raise Conflict("this claim was already acted on") from None
    claims.end(session, claim, "decided", reopen=False, now=now)
    result = VerdictResult(verdict=verdict, enforced=None)
    if kind == "qa":
        _complete_qa(session, item.id, verdict, now=now)
    else:
        row, result.effects = _enforce(session, claim.id, verdict, original, content, policy=policy,
                                       platform=platform)
        verdict.enforced_decision_id = row.id
        result.enforced = row
        event = Reviewed(verdict_id=verdict.id, moderator=who.username, action=action, categories=tuple(cats),
                         content=content, decision_id=original.id, enforced_decision_id=row.id,
                         queue=item.queue, rule=item.rule, policy_version=original.policy_version,
                         category_scores=dict(original.category_scores),
                         machine_categories=_judged(original, item),
                         evidence=tuple(original.evidence or ()), hashes=media_hashes(original.signals), at=now,
                         sampled=bool((item.detail or {}).get("sampled")))
        result.feedback = publish(session, subscribers or [], event)
        result.qa_item_id = _maybe_sample_qa(session, item, verdict, now=now)
    audit.record(session, who.username, "qa_decided" if kind == "qa" else "decide", item_id=item.id,
                 decision_id=original.id, queue=item.queue, now=now,
                 detail={"claim_id": claim.id, "verdict_id": verdict.id, "action": action, "categories": cats,
                         "reason": verdict.reason, "enforced": result.effects.get("decision_id")})
    return result


# The hashes worth banking per medium: whole-file and perceptual, never a video's frame PDQs
# (a known film's opening frames would block every trailer).
BANKABLE = {"image": ("pdq", "md5"), "video": ("vpdq", "md5"), "audio": ("md5",)}


def media_hashes(signals: list[dict[str, Any]] | None) -> tuple[dict[str, str], ...]:
    """Hashes from the stored `<modality>.hash.v1` signals of a decision."""
    out = []
    for s in signals or []:
        if not str(s.get("source", "")).endswith(".hash.v1"):
            continue
        modality = str(s.get("modality", ""))
        found = (s.get("meta") or {}).get("hashes") or {}
        for kind in BANKABLE.get(modality, ()):
            for value in found.get(kind) or []:
                out.append({"kind": kind, "value": str(value), "modality": modality})
    return tuple(out)


def default_reason(action: str, categories: list[str], rule: str) -> str:
    """The reason recorded when a person decides in one key without writing one."""
    if action == "allow":
        return "No violation found."
    cited = ", ".join(categories) or "policy"
    return f"{action.replace('_', ' ').capitalize()}: breaks {cited}" + (f" (rule {rule})." if rule else ".")


def _judged(original: store.DecisionRecord, item: review_queue.ReviewItem) -> tuple[str, ...]:
    flagged = [c for c, v in original.categories.items() if v]
    unsure = [c for c in (item.detail or {}).get("uncertain", []) if c in taxonomy.BY_NAME]
    return tuple(dict.fromkeys([*flagged, *unsure]))


def _maybe_sample_qa(session: Session, item: review_queue.ReviewItem, verdict: ReviewVerdict, *,
                     now: datetime) -> int | None:
    if not sampled_for_qa(verdict.id, qa_share()):
        return None
    return send_to_qa(session, item, verdict, now=now)


def send_to_qa(session: Session, item: review_queue.ReviewItem, verdict: ReviewVerdict, *,
               now: datetime | None = None) -> int:
    """Queue a verdict for a second, blind review by someone else."""
    now = now or utcnow()
    qa_item = review_queue.enqueue(session, decision_id=item.decision_id, content_id=item.content_id,
                                   queue=QA_QUEUE, action="review", rule=item.rule, severity=item.severity,
                                   reach=item.reach, age_weight=item.age_weight,
                                   detail={"qa_of": verdict.id, "from_queue": item.queue}, now=now)
    if not _qa_exists(session, verdict.id):
        session.add(ReviewQA(first_verdict_id=verdict.id, item_id=qa_item.id, first_moderator=verdict.moderator,
                             rule=item.rule, queue=item.queue, created_at=now))
    return qa_item.id


def _qa_exists(session: Session, verdict_id: int) -> bool:
    return session.scalar(select(ReviewQA.id).where(ReviewQA.first_verdict_id == verdict_id)) is not None


def _complete_qa(session: Session, qa_item_id: int, second: ReviewVerdict, *, now: datetime) -> None:
    qa = session.scalar(select(ReviewQA).where(ReviewQA.item_id == qa_item_id))
    if qa is None:
        return
    first = session.get(ReviewVerdict, qa.first_verdict_id)
    qa.second_verdict_id = second.id
    qa.second_moderator = second.moderator
    # Agreement is on the action: two people who both remove but cite different categories
    # agree on the outcome the author sees.
    qa.agreed = first is not None and first.action == second.action
    qa.completed_at = now


def escalate(session: Session, who: Principal, claim_id: int, *, reason: str, to_queue: str = ESCALATIONS_QUEUE,
             now: datetime | None = None) -> review_queue.ReviewItem:
    """Hand a held item to a more senior queue; the original item closes, the new one ranks higher."""
    now = now or utcnow()
    if not reason.strip():
        raise InvalidInput("say why the item is escalated")
    claim = claims.held_claim(session, who, claim_id, now=now)
    item = session.get(review_queue.ReviewItem, claim.item_id)
    if to_queue == item.queue:
        raise InvalidInput("the item is already in that queue")
    severity = min(5, int(item.severity) + 1)
    moved = review_queue.enqueue(session, decision_id=item.decision_id, content_id=item.content_id,
                                 queue=to_queue, action="escalate", rule=item.rule, severity=severity,
                                 reach=item.reach, age_weight=item.age_weight,
                                 detail={**(item.detail or {}), "escalated_from": item.queue,
                                         "escalated_by": who.username, "reason": reason.strip()[:2000]},
                                 now=now)
    if moved.status == "closed":
        raise Conflict(f"this item was already reviewed in {to_queue!r}")
    claims.end(session, claim, "escalated", reopen=False, now=now)
    audit.record(session, who.username, "escalate", item_id=item.id, decision_id=item.decision_id,
                 queue=item.queue, now=now, detail={"to": to_queue, "new_item": moved.id, "reason": reason.strip()})
    return moved
