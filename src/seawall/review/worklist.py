"""What a queue shows a person: items most urgent first, with SLA due times and filters."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from seawall.review.queue import ReviewItem, current_priority
from seawall.storage.columns import utcnow
from seawall.storage.tables import DecisionRecord

# Hours an item may wait, by severity (5 = most severe). Child-safety and self-harm intent
# are severity 5: an hour. Operators override per queue.
SLA_HOURS: dict[int, float] = {5: 1.0, 4: 4.0, 3: 12.0, 2: 24.0, 1: 48.0}
SCAN_BATCH = 200   # candidates read per round when filters are applied in Python


@dataclass(frozen=True)
class Filters:
    """Narrow a queue. Empty fields match everything."""

    policy: str = ""      # the rule that routed the item
    category: str = ""    # a category the decision flagged
    lang: str = ""

    @property
    def any(self) -> bool:
        return bool(self.policy or self.category or self.lang)

    def matches(self, item: ReviewItem, decision: DecisionRecord | None) -> bool:
        if self.policy and item.rule != self.policy:
            return False
        if self.category and not (decision and decision.categories.get(self.category)):
            return False
        if self.lang and lang_of(decision) != self.lang:
            return False
        return True


def lang_of(decision: DecisionRecord | None) -> str:
    if decision is None:
        return ""
    return str(decision.content.get("lang") or decision.meta.get("lang") or "")


def flagged_categories(decision: DecisionRecord | None) -> list[str]:
    if decision is None:
        return []
    return sorted((c for c, v in decision.categories.items() if v),
                  key=lambda c: -float(decision.category_scores.get(c, 0.0)))


def due_at(item: ReviewItem, *, overrides: dict[str, float] | None = None) -> datetime:
    hours = (overrides or {}).get(item.queue) or SLA_HOURS.get(int(item.severity), 24.0)
    return item.enqueued_at + timedelta(hours=hours)


@dataclass(frozen=True)
class Row:
    item: ReviewItem
    decision: DecisionRecord | None
    priority: float
    due: datetime
    categories: list[str]
    lang: str

    def overdue(self, now: datetime) -> bool:
        return now > self.due

    def to_json(self, now: datetime) -> dict[str, Any]:
        return {"id": self.item.id, "queue": self.item.queue, "status": self.item.status,
                "rule": self.item.rule, "severity": self.item.severity, "priority": round(self.priority, 3),
                "categories": self.categories, "lang": self.lang, "due_at": self.due.isoformat(),
                "overdue": self.overdue(now), "enqueued_at": self.item.enqueued_at.isoformat(),
                "claimed_by": self.item.claimed_by}


def candidates(session: Session, queue: str, *, status: str = "open", filters: Filters = Filters(),
               now: datetime | None = None) -> Iterator[Row]:
    """Items of a queue in priority order (severity, reach, age), filtered, read in batches."""
    now = now or utcnow()
    offset = 0
    while True:
        stmt = (select(ReviewItem, DecisionRecord)
                .join(DecisionRecord, DecisionRecord.id == ReviewItem.decision_id, isouter=True)
                .where(ReviewItem.queue == queue, ReviewItem.status == status)
                .order_by(ReviewItem.rank_key.desc(), ReviewItem.id).limit(SCAN_BATCH).offset(offset))
        if filters.policy:
            stmt = stmt.where(ReviewItem.rule == filters.policy)
        batch = session.execute(stmt).all()
        for item, decision in batch:
            if filters.matches(item, decision):
                yield Row(item, decision, current_priority(item, now), due_at(item),
                          flagged_categories(decision), lang_of(decision))
        if len(batch) < SCAN_BATCH:
            return
        offset += SCAN_BATCH


def rows(session: Session, queue: str, *, status: str = "open", filters: Filters = Filters(),
         limit: int = 50, now: datetime | None = None) -> list[Row]:
    out = []
    for row in candidates(session, queue, status=status, filters=filters, now=now):
        out.append(row)
        if len(out) >= limit:
            break
    return out


@dataclass(frozen=True)
class Summary:
    queue: str
    open: int
    claimed: int
    overdue: int
    oldest: datetime | None


def summaries(session: Session, queues: list[str] | None = None, *, now: datetime | None = None) -> list[Summary]:
    """Per queue: open and claimed counts, overdue items and the oldest waiting item."""
    now = now or utcnow()
    stmt = (select(ReviewItem.queue, ReviewItem.status, func.count(), func.min(ReviewItem.enqueued_at))
            .where(ReviewItem.status.in_(("open", "claimed"))).group_by(ReviewItem.queue, ReviewItem.status))
    counts: dict[str, dict[str, Any]] = {}
    for q, status, n, oldest in session.execute(stmt):
        entry = counts.setdefault(q, {"open": 0, "claimed": 0, "oldest": None})
        entry[status] = n
        if oldest is not None and (entry["oldest"] is None or oldest < entry["oldest"]):
            entry["oldest"] = oldest
    overdue: dict[str, int] = {}
    # One grouped count per severity band keeps this a handful of indexed queries however long
    # the queues are.
    for severity, hours in SLA_HOURS.items():
        late = (select(ReviewItem.queue, func.count())
                .where(ReviewItem.status.in_(("open", "claimed")), ReviewItem.severity == severity,
                       ReviewItem.enqueued_at < now - timedelta(hours=hours))
                .group_by(ReviewItem.queue))
        for q, n in session.execute(late):
            overdue[q] = overdue.get(q, 0) + n
    names = sorted(set(counts) | set(queues or ()))
    if queues is not None:
        names = [q for q in names if q in set(queues)]
    return [Summary(q, counts.get(q, {}).get("open", 0), counts.get(q, {}).get("claimed", 0),
                    overdue.get(q, 0), counts.get(q, {}).get("oldest")) for q in names]


def all_queue_names(session: Session) -> list[str]:
    return sorted(session.scalars(select(ReviewItem.queue).distinct()))


def rules_in(session: Session, queue: str) -> list[str]:
    return sorted(r for r in session.scalars(select(ReviewItem.rule).where(ReviewItem.queue == queue).distinct()) if r)
