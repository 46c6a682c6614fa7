"""QA: how often two people reviewing the same item agree, per moderator and per policy rule."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from seawall.review.tables import ReviewQA, ReviewVerdict


@dataclass(frozen=True)
class Agreement:
    key: str            # a moderator (whose verdicts were checked) or a policy rule
    checked: int
    agreed: int
    kappa: float | None  # Cohen's kappa on the action; None when chance agreement is total

    @property
    def rate(self) -> float:
        return self.agreed / self.checked if self.checked else 0.0

    def to_json(self) -> dict:
        return {"key": self.key, "checked": self.checked, "agreed": self.agreed, "rate": round(self.rate, 4),
                "kappa": None if self.kappa is None else round(self.kappa, 4)}


def cohen_kappa(pairs: list[tuple[str, str]]) -> float | None:
    """Agreement beyond chance between two raters' labels; 1 is perfect, 0 is chance."""
    if not pairs:
        return None
    n = len(pairs)
    observed = sum(a == b for a, b in pairs) / n
    first, second = Counter(a for a, _ in pairs), Counter(b for _, b in pairs)
    expected = sum(first[k] * second.get(k, 0) for k in first) / (n * n)
    if expected >= 1.0:
        return None
    return (observed - expected) / (1.0 - expected)


def completed_pairs(session: Session) -> list[tuple[ReviewQA, str, str]]:
    """(qa row, first action, second action) for every finished double review."""
    first = ReviewVerdict.__table__.alias("first")
    second = ReviewVerdict.__table__.alias("second")
    stmt = (select(ReviewQA, first.c.action, second.c.action)
            .join(first, first.c.id == ReviewQA.first_verdict_id)
            .join(second, second.c.id == ReviewQA.second_verdict_id)
            .where(ReviewQA.completed_at.is_not(None)).order_by(ReviewQA.id))
    return [(qa, a, b) for qa, a, b in session.execute(stmt)]


def agreement(session: Session, by: str) -> list[Agreement]:
    """Agreement grouped `by` "moderator" (the first reviewer) or "policy" (the rule that routed it)."""
    if by not in ("moderator", "policy"):
        raise ValueError("group agreement by 'moderator' or 'policy'")
    groups: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for qa, a, b in completed_pairs(session):
        groups[qa.first_moderator if by == "moderator" else (qa.rule or "(no rule)")].append((a, b))
    return [Agreement(k, len(p), sum(x == y for x, y in p), cohen_kappa(p)) for k, p in sorted(groups.items())]


def pending(session: Session) -> int:
    return len(list(session.scalars(select(ReviewQA.id).where(ReviewQA.completed_at.is_(None)))))
