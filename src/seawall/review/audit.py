"""The audit log: every view of a sensitive item, every reveal, claim and decision, append-only."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from seawall.review.tables import AuditEvent
from seawall.storage.columns import utcnow

ACTIONS = frozenset({
    "sign_in", "sign_in_failed", "sign_out", "view_queue", "view_item", "reveal_media", "claim", "release",
    "expire", "decide", "escalate", "reassign", "appeal_filed", "appeal_decided", "qa_decided", "bank",
    "unbank", "settings", "break", "export_labels", "user_created", "view_audit", "sample",
})


def record(session: Session, actor: str, action: str, *, item_id: int | None = None,
           decision_id: str | None = None, queue: str | None = None, sensitive: bool = False,
           detail: dict[str, Any] | None = None, now: datetime | None = None) -> AuditEvent:
    """Append one event in the caller's transaction, so the event and the act are stored together."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    event = AuditEvent(actor=actor, action=action, item_id=item_id, decision_id=decision_id, queue=queue,
                       sensitive=sensitive, detail=detail or {}, at=now or utcnow())
    session.add(event)
    return event


def events(session: Session, *, actor: str | None = None, action: str | None = None,
           item_id: int | None = None, limit: int = 200, before_id: int | None = None) -> list[AuditEvent]:
    stmt = select(AuditEvent)
    if actor:
        stmt = stmt.where(AuditEvent.actor == actor)
    if action:
        stmt = stmt.where(AuditEvent.action == action)
    if item_id is not None:
        stmt = stmt.where(AuditEvent.item_id == item_id)
    if before_id is not None:
        stmt = stmt.where(AuditEvent.id < before_id)
    return list(session.scalars(stmt.order_by(AuditEvent.id.desc()).limit(limit)))


def event_json(e: AuditEvent) -> dict[str, Any]:
    return {"id": e.id, "at": e.at.isoformat(), "actor": e.actor, "action": e.action, "item_id": e.item_id,
            "decision_id": e.decision_id, "queue": e.queue, "sensitive": e.sensitive, "detail": e.detail}
