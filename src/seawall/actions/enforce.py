"""Apply a stored decision's effects in its own transaction: ledger, review queues, DSA statement, webhooks.

Each step is idempotent per decision, so a retried job or request that reaches here again
adds nothing: one strike, one statement, one queue item, one delivery per receiver.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from seawall.actions import dsa, strikes, webhooks
from seawall.policy.rules import Policy
from seawall.review import queue as review_queue
from seawall.storage.tables import DecisionRecord, Delivery, LedgerEntry, Statement


@dataclass
class Enforced:
    ledger: list[LedgerEntry] = field(default_factory=list)
    review_items: list[Any] = field(default_factory=list)
    statement: Statement | None = None
    deliveries: list[Delivery] = field(default_factory=list)


def policy_rules(policy: Policy | None) -> dict[str, dict[str, Any]]:
    if policy is None:
        return {}
    return {r.name: {"category": r.category, "ground": r.ground, "description": r.description}
            for r in policy.rules}


def event_payload(row: DecisionRecord, enforced: Enforced, account: dict[str, Any] | None) -> dict[str, Any]:
    return {"decision_id": row.id, "content_id": row.content_id, "author_id": row.author_id,
            "action": row.action, "rules": row.rules, "policy_version": row.policy_version,
            "categories": sorted(c for c, v in row.categories.items() if v),
            "queues": [q["queue"] for q in row.meta.get("queues", [])],
            "strikes": [e.kind for e in enforced.ledger],
            "account": account, "statement_puid": enforced.statement.puid if enforced.statement else None,
            "created_at": row.created_at.isoformat() if row.created_at else None}


def enforce(session: Session, row: DecisionRecord, *, policy: Policy | None = None,
            platform: dsa.Platform | None = None) -> Enforced:
    out = Enforced()
    out.ledger = strikes.apply(session, row)
    for q in row.meta.get("queues", []):
        weights = (policy.priority if policy else None)
        out.review_items.append(review_queue.enqueue(
            session, decision_id=row.id, content_id=row.content_id, queue=q["queue"], action=q["action"],
            rule=q.get("rule", ""), severity=int(q.get("severity", 1)), reach=float(q.get("reach", 0.0)),
            base_priority=q.get("priority"), age_weight=float(q.get("age_weight", 1.0)), weights=weights))
    out.statement = dsa.record(session, row, platform=platform or dsa.Platform.from_env(),
                               policy_rules=policy_rules(policy))
    if row.action != "allow":
        account = strikes.account_status(session, row.author_id) if row.author_id else None
        out.deliveries = webhooks.enqueue_event(session, f"decision.{row.action}", row.id,
                                                event_payload(row, out, account), action=row.action)
    return out
