"""Review queues: items a policy held for people, ordered by severity, predicted reach and age."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Float, ForeignKey, Integer, String, UniqueConstraint, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from seawall.storage.base import Base
from seawall.storage.columns import JSONType, UTCDateTime, utcnow


class ReviewItem(Base):
    """One item waiting in one queue. An item may wait in several (a report and a specialist)."""

    __tablename__ = "review_items"
    __table_args__ = (UniqueConstraint("decision_id", "queue"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    decision_id: Mapped[str] = mapped_column(ForeignKey("decisions.id", ondelete="CASCADE"), index=True)
    content_id: Mapped[str] = mapped_column(String(300), index=True)
    queue: Mapped[str] = mapped_column(String(100), index=True)
    action: Mapped[str] = mapped_column(String(32))          # review | escalate
    rule: Mapped[str] = mapped_column(String(200), default="")
    severity: Mapped[int] = mapped_column(Integer, default=1)
    reach: Mapped[float] = mapped_column(Float, default=0.0)
    priority: Mapped[float] = mapped_column(Float, default=0.0)    # severity and reach part
    age_weight: Mapped[float] = mapped_column(Float, default=1.0)  # priority points per hour waited
    # priority + age_weight * hours waited, shifted so it can be indexed: see rank_key().
    rank_key: Mapped[float] = mapped_column(Float, index=True)
    status: Mapped[str] = mapped_column(String(16), default="open", index=True)  # open|claimed|closed
    detail: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    enqueued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    claimed_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


def priority(severity: int, reach: float, *, weights: dict[str, float]) -> float:
    """The part of an item's priority fixed at enqueue time."""
    return weights["severity"] * severity + weights["reach"] * math.log10(1 + max(0.0, reach))


def rank_key(base: float, age_weight: float, enqueued_at: datetime) -> float:
    # priority(now) = base + w * (now - t0) / 3600 orders items the same as base - w * t0 / 3600
    # (now is shared by all), so a stored key keeps age in the order without rescoring rows.
    return base - age_weight * enqueued_at.timestamp() / 3600.0


def current_priority(item: ReviewItem, now: datetime | None = None) -> float:
    now = now or utcnow()
    return item.priority + item.age_weight * max(0.0, (now - item.enqueued_at).total_seconds()) / 3600.0


def enqueue(session: Session, *, decision_id: str, content_id: str, queue: str, action: str = "review",
            rule: str = "", severity: int = 1, reach: float = 0.0, base_priority: float | None = None,
            age_weight: float = 1.0, weights: dict[str, float] | None = None,
            detail: dict[str, Any] | None = None, now: datetime | None = None) -> ReviewItem:
    """Put a decided item in a queue; enqueuing the same decision twice returns the first item."""
    existing = session.scalar(select(ReviewItem).where(ReviewItem.decision_id == decision_id,
                                                       ReviewItem.queue == queue))
    if existing is not None:
        return existing
    now = now or utcnow()
    if base_priority is None:
        base_priority = priority(severity, reach, weights=weights or
                                 {"severity": 10.0, "reach": 2.0, "age_hours": age_weight})
    item = ReviewItem(decision_id=decision_id, content_id=content_id, queue=queue, action=action,
                      rule=rule, severity=severity, reach=reach, priority=base_priority,
                      age_weight=age_weight, rank_key=rank_key(base_priority, age_weight, now),
                      detail=detail or {}, enqueued_at=now)
    try:
        with session.begin_nested():
            session.add(item)
    except IntegrityError:  # a concurrent retry enqueued it first
        return session.scalars(select(ReviewItem).where(ReviewItem.decision_id == decision_id,
                                                        ReviewItem.queue == queue)).one()
    return item


def list_queue(session: Session, queue: str, *, status: str = "open", limit: int = 50,
               offset: int = 0) -> list[ReviewItem]:
    """Items of one queue, most urgent first."""
    stmt = (select(ReviewItem).where(ReviewItem.queue == queue, ReviewItem.status == status)
            .order_by(ReviewItem.rank_key.desc(), ReviewItem.id).limit(limit).offset(offset))
    return list(session.scalars(stmt))


@dataclass(frozen=True)
class QueueSummary:
    queue: str
    open: int


def queues(session: Session) -> list[QueueSummary]:
    rows = session.execute(select(ReviewItem.queue, func.count()).where(ReviewItem.status == "open")
                           .group_by(ReviewItem.queue).order_by(ReviewItem.queue))
    return [QueueSummary(q, n) for q, n in rows]


def item_json(item: ReviewItem, now: datetime | None = None) -> dict[str, Any]:
    return {"id": item.id, "decision_id": item.decision_id, "content_id": item.content_id,
            "queue": item.queue, "action": item.action, "rule": item.rule, "severity": item.severity,
            "reach": item.reach, "priority": round(current_priority(item, now), 4),
            "status": item.status, "enqueued_at": item.enqueued_at.isoformat()}
