"""Wellbeing: what counts as graphic, how much of it a person saw this shift, and when to suggest a break."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from seawall.review.tables import ConsoleUser, ReviewExposure, ReviewShift
from seawall.storage.columns import utcnow
from seawall.storage.tables import DecisionRecord

# Categories whose material takes a toll on the people who look at it.
GRAPHIC = frozenset({"violence", "violence/graphic", "sexual", "sexual/minors", "nudity", "self-harm",
                     "self-harm/intent", "self-harm/instructions", "illicit/violent", "hate/threatening"})
# Past this a shift is over whether or not a break was taken (a new day, a new count).
SHIFT_LENGTH = timedelta(hours=10)
SNOOZE = 5   # graphic items before the break prompt comes back after "not now"


def is_graphic(decision: DecisionRecord | None) -> bool:
    if decision is None:
        return False
    return any(v and c in GRAPHIC for c, v in decision.categories.items())


def current_shift(session: Session, user: ConsoleUser, *, now: datetime | None = None) -> ReviewShift:
    now = now or utcnow()
    shift = session.scalars(select(ReviewShift).where(ReviewShift.user_id == user.id, ReviewShift.ended_at.is_(None))
                            .order_by(ReviewShift.id.desc()).limit(1)).first()
    if shift is not None and now - shift.started_at < SHIFT_LENGTH:
        return shift
    if shift is not None:
        shift.ended_at = now
    shift = ReviewShift(user_id=user.id, started_at=now)
    session.add(shift)
    session.flush()
    return shift


def note_seen(session: Session, user: ConsoleUser, item_id: int, *, graphic: bool, revealed: bool = False,
              now: datetime | None = None) -> ReviewShift:
    """Count an item once per shift; a later reveal of the same item upgrades the record."""
    now = now or utcnow()
    shift = current_shift(session, user, now=now)
    seen = session.scalar(select(ReviewExposure).where(ReviewExposure.shift_id == shift.id,
                                                       ReviewExposure.item_id == item_id))
    if seen is None:
        try:
            with session.begin_nested():
                session.add(ReviewExposure(shift_id=shift.id, item_id=item_id, graphic=graphic, revealed=revealed,
                                           at=now))
        except IntegrityError:  # the same page opened twice at once
            pass
    else:
        seen.graphic = seen.graphic or graphic
        seen.revealed = seen.revealed or revealed
    return shift


@dataclass(frozen=True)
class ShiftCounts:
    started_at: datetime
    items: int
    graphic: int
    revealed: int
    break_after: int
    prompt_at: int

    @property
    def needs_break(self) -> bool:
        return self.graphic >= self.prompt_at

    def to_json(self) -> dict:
        return {"started_at": self.started_at.isoformat(), "items": self.items, "graphic": self.graphic,
                "revealed": self.revealed, "break_after": self.break_after, "needs_break": self.needs_break}


def counts(session: Session, user: ConsoleUser, *, break_after: int, now: datetime | None = None) -> ShiftCounts:
    shift = current_shift(session, user, now=now)
    items, graphic, revealed = session.execute(
        select(func.count(), func.count().filter(ReviewExposure.graphic.is_(True)),
               func.count().filter(ReviewExposure.revealed.is_(True)))
        .where(ReviewExposure.shift_id == shift.id)).one()
    return ShiftCounts(shift.started_at, items, graphic, revealed, break_after,
                       max(break_after, shift.snoozed_until_count or 0))


def take_break(session: Session, user: ConsoleUser, *, now: datetime | None = None) -> None:
    """End the shift's count; the next item starts a fresh one."""
    now = now or utcnow()
    shift = current_shift(session, user, now=now)
    shift.ended_at = now


def snooze(session: Session, user: ConsoleUser, *, break_after: int, now: datetime | None = None) -> None:
    c = counts(session, user, break_after=break_after, now=now)
    shift = current_shift(session, user, now=now)
    shift.snoozed_until_count = c.graphic + SNOOZE
