"""The author strike ledger: strikes, suspensions and bans, at most one of each per decision."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from seawall.errors import NotFound
from seawall.policy.effects import STRIKES
from seawall.storage.columns import utcnow
from seawall.storage.tables import DecisionRecord, LedgerEntry

# How long a strike counts toward the next suspension. Platforms commonly use 90 days.
STRIKE_DAYS = 90


def _add(session: Session, row: DecisionRecord, kind: str, *, expires_at: datetime | None,
         now: datetime) -> LedgerEntry:
    existing = session.scalar(select(LedgerEntry).where(LedgerEntry.decision_id == row.id,
                                                        LedgerEntry.kind == kind))
    if existing is not None:
        return existing
    entry = LedgerEntry(author_id=row.author_id, decision_id=row.id, kind=kind,
                        category=_top_category(row), rules=list(row.rules), created_at=now,
                        expires_at=expires_at)
    try:
        with session.begin_nested():
            session.add(entry)
    except IntegrityError:  # a retry got here first: the ledger keeps one
        return session.scalars(select(LedgerEntry).where(LedgerEntry.decision_id == row.id,
                                                         LedgerEntry.kind == kind)).one()
    return entry


def _top_category(row: DecisionRecord) -> str | None:
    flagged = [c for c, v in row.categories.items() if v]
    if not flagged:
        return None
    return max(flagged, key=lambda c: row.category_scores.get(c, 0.0))


def apply(session: Session, row: DecisionRecord, *, now: datetime | None = None,
          strike_days: int = STRIKE_DAYS) -> list[LedgerEntry]:
    """Write the ledger entries a decision calls for; calling it twice writes nothing new."""
    if not row.author_id or row.action not in STRIKES:
        return []
    now = now or utcnow()
    out = [_add(session, row, "strike", expires_at=now + timedelta(days=strike_days), now=now)]
    if row.action == "suspend":
        days = next((e.get("days") for e in row.meta.get("effects", []) if e.get("action") == "suspend"), 7)
        out.append(_add(session, row, "suspension", expires_at=now + timedelta(days=int(days or 7)), now=now))
    elif row.action == "ban":
        out.append(_add(session, row, "ban", expires_at=None, now=now))
    return out


def _active(now: datetime):
    return (LedgerEntry.reversed_at.is_(None)) & (
        LedgerEntry.expires_at.is_(None) | (LedgerEntry.expires_at > now))


def active_strikes(session: Session, author_id: str, *, now: datetime | None = None) -> int:
    now = now or utcnow()
    return session.scalar(select(func.count()).select_from(LedgerEntry).where(
        LedgerEntry.author_id == author_id, LedgerEntry.kind == "strike", _active(now))) or 0


def account_status(session: Session, author_id: str, *, now: datetime | None = None) -> dict[str, Any]:
    now = now or utcnow()
    rows = list(session.scalars(select(LedgerEntry).where(
        LedgerEntry.author_id == author_id, LedgerEntry.kind.in_(("suspension", "ban")), _active(now))))
    if any(r.kind == "ban" for r in rows):
        return {"status": "banned", "until": None}
    if rows:
        return {"status": "suspended", "until": max(r.expires_at for r in rows).isoformat()}
    return {"status": "active", "until": None}


def ledger(session: Session, author_id: str, *, limit: int = 200) -> list[LedgerEntry]:
    return list(session.scalars(select(LedgerEntry).where(LedgerEntry.author_id == author_id)
                                .order_by(LedgerEntry.created_at.desc(), LedgerEntry.id.desc()).limit(limit)))


def reverse(session: Session, entry_id: int, reason: str, *, now: datetime | None = None) -> LedgerEntry:
    """Undo a strike or suspension (an appeal upheld); the entry stays, marked reversed."""
    entry = session.get(LedgerEntry, entry_id)
    if entry is None:
        raise NotFound(f"no ledger entry {entry_id}")
    if entry.reversed_at is None:
        entry.reversed_at = now or utcnow()
        entry.reversed_reason = reason
    return entry


def entry_json(e: LedgerEntry, now: datetime | None = None) -> dict[str, Any]:
    now = now or utcnow()
    active = e.reversed_at is None and (e.expires_at is None or e.expires_at > now)
    return {"id": e.id, "author_id": e.author_id, "decision_id": e.decision_id, "kind": e.kind,
            "category": e.category, "rules": e.rules, "created_at": e.created_at.isoformat(),
            "expires_at": e.expires_at.isoformat() if e.expires_at else None,
            "reversed_at": e.reversed_at.isoformat() if e.reversed_at else None, "active": active}
