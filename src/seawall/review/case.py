"""Everything a reviewer sees about one item: content with its evidence, author history, policy, outcome."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from seawall.actions import strikes
from seawall.actions.history import author_history
from seawall.errors import NotFound
from seawall.review.appeals import appeal_for_item
from seawall.review.policy_text import RuleText, rule_texts
from seawall.review.queue import ReviewItem
from seawall.review.roles import QA_QUEUE
from seawall.review.tables import ReviewAppeal, ReviewClaim, ReviewVerdict
from seawall.review.wellbeing import is_graphic
from seawall.review.worklist import due_at, flagged_categories, lang_of
from seawall.storage import decisions as store
from seawall.storage.columns import utcnow
from seawall.storage.tables import DecisionRecord, LedgerEntry, Statement


@dataclass(frozen=True)
class Segment:
    """A run of the item's text; `category` is set when evidence points at it."""

    text: str
    category: str | None = None
    score: float = 0.0


def highlight(text: str, evidence: list[dict[str, Any]]) -> list[Segment]:
    """Split text at evidence spans; overlapping spans merge, the highest score names the run."""
    spans = []
    for e in evidence:
        span = e.get("span")
        if e.get("modality") == "text" and span and 0 <= int(span[0]) < int(span[1]) <= len(text):
            spans.append((int(span[0]), int(span[1]), e.get("category"), float(e.get("score", 0.0))))
    spans.sort()
    merged: list[list[Any]] = []
    for start, end, cat, score in spans:
        if merged and start < merged[-1][1]:
            last = merged[-1]
            last[1] = max(last[1], end)
            if score > last[3]:
                last[2], last[3] = cat, score
        else:
            merged.append([start, end, cat, score])
    out, pos = [], 0
    for start, end, cat, score in merged:
        if start > pos:
            out.append(Segment(text[pos:start]))
        out.append(Segment(text[start:end], cat, score))
        pos = end
    if pos < len(text):
        out.append(Segment(text[pos:]))
    return out


@dataclass(frozen=True)
class BankMatch:
    bank: str
    entry_id: str
    distance: Any
    provenance: dict[str, Any]


def bank_matches(decision: DecisionRecord) -> list[BankMatch]:
    out = []
    for s in decision.signals or []:
        source = str(s.get("source", ""))
        if not source.startswith("bank:"):
            continue
        meta = s.get("meta") or {}
        bank = str(meta.get("bank") or source[5:])
        for m in meta.get("matches") or []:
            m = m if isinstance(m, dict) else {}
            prov = {k: v for k, v in m.items() if k not in ("entry_id", "distance")}
            out.append(BankMatch(bank, str(m.get("entry_id", "")), m.get("distance"), prov))
    return out


@dataclass
class Outcome:
    """Where the item stands now: the latest decision on it and what that did."""

    current: DecisionRecord | None
    history: list[DecisionRecord]
    ledger: list[LedgerEntry]
    statements: list[Statement]
    appeal: ReviewAppeal | None


def outcome(session: Session, content_id: str) -> Outcome:
    rows = list(session.scalars(select(DecisionRecord).where(DecisionRecord.content_id == content_id)
                                .order_by(DecisionRecord.created_at.desc(), DecisionRecord.id)))
    ids = [r.id for r in rows]
    ledger = list(session.scalars(select(LedgerEntry).where(LedgerEntry.decision_id.in_(ids)))) if ids else []
    statements = list(session.scalars(select(Statement).where(Statement.decision_id.in_(ids)))) if ids else []
    appeal = (session.scalars(select(ReviewAppeal).where(ReviewAppeal.decision_id.in_(ids))
                              .order_by(ReviewAppeal.id.desc())).first() if ids else None)
    return Outcome(rows[0] if rows else None, rows, ledger, statements, appeal)


@dataclass
class Case:
    item: ReviewItem
    decision: DecisionRecord
    content: dict[str, Any]
    segments: list[Segment]
    evidence: dict[str, list[dict[str, Any]]]      # by modality
    banks: list[BankMatch]
    categories: list[str]
    lang: str
    graphic: bool
    due: datetime
    rules: list[RuleText]
    author: dict[str, Any] | None
    author_ledger: list[LedgerEntry]
    author_decisions: list[DecisionRecord]
    claim: ReviewClaim | None
    verdicts: list[ReviewVerdict]
    appeal: ReviewAppeal | None
    appealed_verdict: ReviewVerdict | None
    outcome: Outcome
    blind: bool = False                             # QA: the first verdict is hidden
    extra: dict[str, Any] = field(default_factory=dict)


def load(session: Session, item_id: int, *, viewer: str, now: datetime | None = None) -> Case:
    now = now or utcnow()
    item = session.get(ReviewItem, item_id)
    if item is None:
        raise NotFound(f"no review item {item_id}")
    decision = store.get(session, item.decision_id)
    content = dict(decision.content or {})
    evidence: dict[str, list[dict[str, Any]]] = {}
    for e in decision.evidence or []:
        evidence.setdefault(str(e.get("modality", "text")), []).append(e)
    author_id = decision.author_id
    author = ledger = recent = None
    if author_id:
        author = {**author_history(session, author_id, now=now)["author"],
                  **strikes.account_status(session, author_id, now=now), "id": author_id}
        ledger = strikes.ledger(session, author_id, limit=20)
        recent = [d for d in store.list_decisions(session, author_id=author_id, limit=30)
                  if d.content_id != decision.content_id][:10]
    claim = session.scalars(select(ReviewClaim).where(ReviewClaim.item_id == item.id, ReviewClaim.moderator == viewer,
                                                      ReviewClaim.status == "active", ReviewClaim.expires_at > now)
                            .limit(1)).first()
    verdicts = list(session.scalars(select(ReviewVerdict).where(ReviewVerdict.decision_id == decision.id)
                                    .order_by(ReviewVerdict.id)))
    blind = item.queue == QA_QUEUE and item.status != "closed"
    appeal = appeal_for_item(session, item.id)
    appealed = None
    if appeal is not None:
        appealed = session.scalar(select(ReviewVerdict).where(ReviewVerdict.enforced_decision_id == appeal.decision_id))
    return Case(item=item, decision=decision, content=content,
                segments=highlight(content.get("text") or "", evidence.get("text", [])),
                evidence=evidence, banks=bank_matches(decision), categories=flagged_categories(decision),
                lang=lang_of(decision), graphic=is_graphic(decision), due=due_at(item),
                rules=rule_texts(session, decision.policy_version, list(decision.rules)),
                author=author, author_ledger=ledger or [], author_decisions=recent or [], claim=claim,
                verdicts=[] if blind else verdicts, appeal=appeal, appealed_verdict=appealed,
                outcome=outcome(session, decision.content_id), blind=blind)
