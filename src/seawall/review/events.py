"""What review tells the rest of Seawall: plain events that feedback turns into datasets and banks.

Review never reaches into classifiers or banks itself; it hands these values to subscribers
(seawall.feedback provides the built-in ones), inside the same transaction as the verdict,
so a label or a banked hash exists exactly when the verdict does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy.orm import Session

from seawall.types import Content


@dataclass(frozen=True)
class Reviewed:
    """A person confirmed (or cleared) an item: the verdict with everything needed to learn from it."""

    verdict_id: int
    moderator: str
    action: str                         # the rung enforced, e.g. "remove_with_strike" or "allow"
    categories: tuple[str, ...]         # categories the person confirmed; empty means "no violation"
    content: Content
    decision_id: str                    # the machine decision that was reviewed
    enforced_decision_id: str | None
    queue: str
    rule: str
    policy_version: str
    category_scores: dict[str, float]
    # Categories the machine flagged (or was unsure of, for sampled items): the ones a person judged.
    machine_categories: tuple[str, ...] = ()
    evidence: tuple[dict[str, Any], ...] = ()
    # Hashes the media signals computed when the item was judged: {"kind", "value", "modality"}.
    # Banking uses these, so media sent inline (and not kept) can still be banked.
    hashes: tuple[dict[str, str], ...] = ()
    at: datetime | None = None
    sampled: bool = False               # came from active-learning sampling, not a policy rule


@dataclass(frozen=True)
class Overturned:
    """An appeal succeeded: the decision was wrong, so what was learned from it must be undone."""

    appeal_id: int
    moderator: str
    decision_id: str                    # the decision the appeal overturned
    content: Content
    verdict_id: int | None              # the review verdict behind that decision, when a person made it
    reason: str = ""
    at: datetime | None = None
    detail: dict[str, Any] = field(default_factory=dict)


class Subscriber(Protocol):
    """Receives review events in the verdict's transaction; raising rolls the verdict back."""

    def reviewed(self, session: Session, event: Reviewed) -> dict[str, Any] | None: ...

    def overturned(self, session: Session, event: Overturned) -> dict[str, Any] | None: ...


def publish(session: Session, subscribers: list[Subscriber], event: Reviewed | Overturned) -> list[dict[str, Any]]:
    """Hand an event to each subscriber in order; returns what each reported (for the outcome page)."""
    out = []
    for sub in subscribers:
        report = sub.reviewed(session, event) if isinstance(event, Reviewed) else sub.overturned(session, event)
        if report:
            out.append(report)
    return out
