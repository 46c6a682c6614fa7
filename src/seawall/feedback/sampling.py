"""Active learning: send the automated decisions the models were least sure of to people for labels.

An item whose score sits near its category's threshold is the one a label teaches the model
most about (uncertainty sampling). Only items no person is already looking at are drawn, and
they wait in their own low-priority queue so they never delay policy-routed work.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from seawall import taxonomy
from seawall.review import audit
from seawall.review import queue as review_queue
from seawall.review.roles import SAMPLE_QUEUE
from seawall.storage.columns import utcnow
from seawall.storage.tables import DecisionRecord

MAX_SCAN = 5000        # decisions read per run; older ones are left for the next window


@dataclass(frozen=True)
class Uncertain:
    decision_id: str
    content_id: str
    uncertainty: float           # 1 at the threshold, 0 at certainty
    categories: tuple[str, ...]  # the categories it was unsure about, most uncertain first


def uncertainty(score: float, threshold: float) -> float:
    """1 − distance from the threshold, scaled so 0 and 1 (full certainty) are both 0."""
    span = max(threshold, 1.0 - threshold) or 1.0
    return max(0.0, 1.0 - abs(float(score) - threshold) / span)


def most_uncertain(row: DecisionRecord, thresholds: dict[str, float], *, floor: float) -> Uncertain | None:
    per = []
    for c, s in (row.category_scores or {}).items():
        cat = taxonomy.BY_NAME.get(c)
        if cat is None or not cat.violation:
            continue
        u = uncertainty(float(s), thresholds.get(c, 0.5))
        if u >= floor:
            per.append((u, c))
    if not per:
        return None
    per.sort(reverse=True)
    return Uncertain(row.id, row.content_id, per[0][0], tuple(c for _, c in per))


def sample_uncertain(session: Session, *, k: int = 20, since: datetime | None = None, floor: float = 0.6,
                     thresholds: dict[str, float] | None = None, actor: str = "sampler",
                     now: datetime | None = None) -> list[review_queue.ReviewItem]:
    """Queue up to `k` of the least certain automated decisions since `since` (default: a day)."""
    now = now or utcnow()
    since = since or now - timedelta(days=1)
    if thresholds is None:
        from seawall.policy.thresholds import classifier_thresholds

        thresholds = classifier_thresholds()
    in_review = select(review_queue.ReviewItem.decision_id)
    reviewed_content = select(DecisionRecord.content_id).where(DecisionRecord.origin.in_(("review", "appeal")))
    rows = session.scalars(select(DecisionRecord)
                           .where(DecisionRecord.created_at >= since, DecisionRecord.origin.in_(("api", "job", "scan")),
                                  DecisionRecord.id.not_in(in_review),
                                  DecisionRecord.content_id.not_in(reviewed_content))
                           .order_by(DecisionRecord.created_at.desc()).limit(MAX_SCAN))
    picks = sorted(filter(None, (most_uncertain(r, thresholds, floor=floor) for r in rows)),
                   key=lambda u: (-u.uncertainty, u.decision_id))[:k]
    items = []
    for u in picks:
        items.append(review_queue.enqueue(
            session, decision_id=u.decision_id, content_id=u.content_id, queue=SAMPLE_QUEUE, action="review",
            rule="active-learning", severity=1, base_priority=u.uncertainty, age_weight=0.1,
            detail={"sampled": True, "uncertain": list(u.categories[:3]), "uncertainty": round(u.uncertainty, 4)},
            now=now))
    if items:
        audit.record(session, actor, "sample", queue=SAMPLE_QUEUE, now=now,
                     detail={"items": [i.id for i in items], "k": k})
    return items
