"""Store and read decisions; an idempotency key maps a retried request to its first decision."""

from __future__ import annotations

import hashlib
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from seawall.errors import NotFound
from seawall.storage.tables import DecisionRecord, ShadowDecision
from seawall.types import Content, Decision, Evidence

# Keys the edge injects into Content.meta for the policy; not part of the item itself.
_DERIVED_META = ("author", "rates")
# Where media kept for review lies (storage.media): set by Seawall, never taken from a caller.
KEPT = "kept"


def content_json(content: Content, *, kept: dict[str, Any] | None = None) -> dict[str, Any]:
    """The item as stored: media as the caller referenced them, not our temporary copies.

    `kept` maps a medium ("image") to its copy kept for review ({"sha256", "format", "size"}).
    """
    out: dict[str, Any] = {"id": content.id}
    sources = (content.meta or {}).get("sources") or {}
    for k in ("text", "image", "video", "audio", "author_id", "surface", "lang"):
        v = sources.get(k, getattr(content, k))
        if isinstance(v, str) and v[:5].lower() == "data:":
            # Inline media is not kept in the decision log; its digest identifies it.
            v = f"data:sha256={hashlib.sha256(v.encode()).hexdigest()}"
        if v is not None:
            out[k] = v
    meta = {k: v for k, v in (content.meta or {}).items() if k not in _DERIVED_META + ("sources", KEPT)}
    if meta:
        out["meta"] = meta
    if content.meta.get("author"):
        out["author"] = content.meta["author"]
    # A decision about an item already stored (a verdict, an appeal) points at the same copy.
    kept = kept or (content.meta or {}).get(KEPT)
    if kept:
        out[KEPT] = kept
    return out


def content_of(row: DecisionRecord) -> Content:
    c = dict(row.content)
    meta = dict(c.get("meta") or {})
    if c.get("author"):
        meta["author"] = c["author"]
    if c.get(KEPT):
        meta[KEPT] = c[KEPT]
    return Content(id=c.get("id", row.content_id), text=c.get("text"), image=c.get("image"),
                   video=c.get("video"), audio=c.get("audio"), author_id=c.get("author_id"),
                   surface=c.get("surface"), lang=c.get("lang"), meta=meta)


def by_key(session: Session, key: str) -> DecisionRecord | None:
    return session.scalar(select(DecisionRecord).where(DecisionRecord.idempotency_key == key))


def record(session: Session, decision: Decision, content: Content, *, idempotency_key: str | None = None,
           origin: str = "api", now: datetime | None = None,
           kept: dict[str, Any] | None = None) -> tuple[DecisionRecord, bool]:
    """Store a decision; returns (row, created). With a key already stored, the first row wins."""
    if idempotency_key:
        existing = by_key(session, idempotency_key)
        if existing is not None:
            return existing, False
    meta = {k: v for k, v in decision.meta.items() if k not in ("signals", "models")}
    row = DecisionRecord(
        id=str(uuid.uuid4()), idempotency_key=idempotency_key, content_id=content.id,
        author_id=content.author_id, surface=content.surface, action=decision.action,
        flagged=decision.flagged, categories=dict(decision.categories),
        category_scores=dict(decision.category_scores), rules=list(decision.rules),
        evidence=[e.to_json() for e in decision.evidence],
        signals=list(decision.meta.get("signals", [])), models=list(decision.meta.get("models", [])),
        meta=meta, content=content_json(content, kept=kept), policy_version=decision.policy_version,
        policy_sha256=str(decision.meta.get("policy_sha256", "")), origin=origin,
    )
    if now is not None:
        row.created_at = now
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        # A concurrent retry with the same key stored first; its decision is the decision.
        if idempotency_key:
            existing = by_key(session, idempotency_key)
            if existing is not None:
                return existing, False
        raise
    return row, True


def get(session: Session, decision_id: str) -> DecisionRecord:
    row = session.get(DecisionRecord, decision_id)
    if row is None:
        raise NotFound(f"no decision {decision_id!r}")
    return row


def list_decisions(session: Session, *, content_id: str | None = None, author_id: str | None = None,
                   action: str | None = None, limit: int = 50) -> list[DecisionRecord]:
    stmt = select(DecisionRecord)
    if content_id:
        stmt = stmt.where(DecisionRecord.content_id == content_id)
    if author_id:
        stmt = stmt.where(DecisionRecord.author_id == author_id)
    if action:
        stmt = stmt.where(DecisionRecord.action == action)
    stmt = stmt.order_by(DecisionRecord.created_at.desc(), DecisionRecord.id).limit(limit)
    return list(session.scalars(stmt))


def _evidence(e: dict[str, Any]) -> Evidence:
    return Evidence(category=e["category"], score=float(e["score"]), modality=e["modality"],
                    source=e["source"], span=tuple(e["span"]) if e.get("span") else None,
                    text=e.get("text"), box=tuple(e["box"]) if e.get("box") else None,
                    time=tuple(e["time"]) if e.get("time") else None, detail=e.get("detail") or {})


def to_decision(row: DecisionRecord) -> Decision:
    meta = {**row.meta, "signals": row.signals, "models": row.models}
    return Decision(content_id=row.content_id, action=row.action, flagged=row.flagged,
                    categories=dict(row.categories), category_scores=dict(row.category_scores),
                    evidence=tuple(_evidence(e) for e in row.evidence), rules=tuple(row.rules),
                    policy_version=row.policy_version, meta=meta)


def row_json(row: DecisionRecord, *, full: bool = True) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": row.id, "content_id": row.content_id, "author_id": row.author_id,
        "action": row.action, "flagged": row.flagged, "categories": row.categories,
        "category_scores": row.category_scores, "rules": row.rules,
        "policy_version": row.policy_version, "models": row.models,
        "created_at": row.created_at.isoformat() if row.created_at else None,
        "queues": [q["queue"] for q in row.meta.get("queues", [])],
    }
    if full:
        out.update({"evidence": row.evidence, "signals": row.signals, "effects": row.meta.get("effects", []),
                    "missing": row.meta.get("missing", []), "content": row.content, "origin": row.origin,
                    "idempotency_key": row.idempotency_key})
    return out


def record_shadow(session: Session, decision_id: str, decision: Decision) -> ShadowDecision:
    existing = session.scalar(select(ShadowDecision).where(
        ShadowDecision.decision_id == decision_id, ShadowDecision.policy_version == decision.policy_version))
    if existing is not None:
        return existing
    row = ShadowDecision(decision_id=decision_id, policy_version=decision.policy_version,
                         action=decision.action, flagged=decision.flagged, rules=list(decision.rules),
                         categories=dict(decision.categories))
    session.add(row)
    return row
