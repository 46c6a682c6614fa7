"""EU DSA statements of reasons, in the DSA Transparency Database API's fields, exported ≤100 a batch.

Every enforcement that restricts an item or an account gets one statement, written in the
same transaction as the decision. Field names and values are the Transparency Database's
(`POST /api/v1/statements` takes `{"statements": [...]}`, at most 100 at a time).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from seawall import taxonomy
from seawall.storage.columns import utcnow
from seawall.storage.tables import DecisionRecord, Statement

MAX_BATCH = 100

# Transparency Database keywords (category_specification) for each taxonomy category.
KEYWORDS: dict[str, str] = {
    "harassment": "KEYWORD_ONLINE_BULLYING_INTIMIDATION",
    "harassment/threatening": "KEYWORD_ONLINE_BULLYING_INTIMIDATION",
    "hate": "KEYWORD_HATE_SPEECH",
    "hate/threatening": "KEYWORD_INCITEMENT_VIOLENCE_HATRED",
    "illicit": "KEYWORD_REGULATED_GOODS_SERVICES",
    "illicit/violent": "KEYWORD_COORDINATED_HARM",
    "self-harm": "KEYWORD_SELF_MUTILATION",
    "self-harm/intent": "KEYWORD_SUICIDE",
    "self-harm/instructions": "KEYWORD_SELF_MUTILATION",
    "sexual": "KEYWORD_ADULT_SEXUAL_MATERIAL",
    "sexual/minors": "KEYWORD_CHILD_SEXUAL_ABUSE_MATERIAL",
    "violence": "KEYWORD_INCITEMENT_VIOLENCE_HATRED",
    "violence/graphic": "KEYWORD_OTHER",
    "spam": "KEYWORD_OTHER",
    "scam": "KEYWORD_PHISHING",
    "profanity": "KEYWORD_AGE_SPECIFIC_RESTRICTIONS",
    "nudity": "KEYWORD_NUDITY",
}

# What each rung restricts, in the database's vocabulary.
VISIBILITY: dict[str, list[str]] = {
    "label": ["DECISION_VISIBILITY_CONTENT_LABELLED"],
    "age_restrict": ["DECISION_VISIBILITY_CONTENT_AGE_RESTRICTED"],
    "limit_reach": ["DECISION_VISIBILITY_CONTENT_DEMOTED"],
    "remove": ["DECISION_VISIBILITY_CONTENT_REMOVED"],
    "remove_with_strike": ["DECISION_VISIBILITY_CONTENT_REMOVED"],
    "suspend": ["DECISION_VISIBILITY_CONTENT_REMOVED"],
    "ban": ["DECISION_VISIBILITY_CONTENT_REMOVED"],
    "report": ["DECISION_VISIBILITY_CONTENT_REMOVED"],
}
ACCOUNT = {"suspend": "DECISION_ACCOUNT_SUSPENDED", "ban": "DECISION_ACCOUNT_TERMINATED"}
PROVISION = {"suspend": "DECISION_PROVISION_TOTAL_SUSPENSION", "ban": "DECISION_PROVISION_TOTAL_TERMINATION"}
CONTENT_TYPES = {"text": "CONTENT_TYPE_TEXT", "image": "CONTENT_TYPE_IMAGE",
                 "video": "CONTENT_TYPE_VIDEO", "audio": "CONTENT_TYPE_AUDIO"}
EEA = ("AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE", "IS",
       "IT", "LI", "LT", "LU", "LV", "MT", "NL", "NO", "PL", "PT", "RO", "SE", "SI", "SK")


@dataclass(frozen=True)
class Platform:
    """Who is reporting and where: from SEAWALL_DSA_PLATFORM_ID, _TERMS_URL, _TERRITORIAL_SCOPE."""

    platform_id: str = "seawall"
    terms_url: str = ""
    territorial_scope: tuple[str, ...] = EEA
    account_type: str = "ACCOUNT_TYPE_PRIVATE"
    legal_grounds: dict[str, str] = field(default_factory=lambda: {
        "sexual/minors": "Directive 2011/93/EU (child sexual abuse material)",
        "illicit/violent": "Regulation (EU) 2021/784 (terrorist content online)",
    })

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> "Platform":
        env = dict(os.environ if env is None else env)
        scope = tuple(s.strip().upper() for s in env.get("SEAWALL_DSA_TERRITORIAL_SCOPE", "").split(",")
                      if s.strip()) or EEA
        return cls(platform_id=env.get("SEAWALL_DSA_PLATFORM_ID", "seawall"),
                   terms_url=env.get("SEAWALL_DSA_TERMS_URL", ""), territorial_scope=scope)


def needs_statement(action: str) -> bool:
    return action in VISIBILITY or action in ACCOUNT


def _rule_category(row: DecisionRecord, policy_rules: dict[str, dict[str, Any]]) -> tuple[str | None, dict]:
    """The category and rule behind the decision's strongest effect."""
    from seawall.policy.effects import RANK

    best: tuple[int, str | None, dict] = (-1, None, {})
    for effect in row.meta.get("effects", []):
        rule = policy_rules.get(effect.get("rule", ""), {})
        cat = rule.get("category")
        rank = RANK.get(effect.get("action", "allow"), 0)
        if cat and rank > best[0]:
            best = (rank, cat, rule)
    if best[1] is None:  # e.g. a strike rule with no category: take the top flagged category
        flagged = [c for c, v in row.categories.items() if v and taxonomy.get(c).violation]
        if flagged:
            cat = max(flagged, key=lambda c: row.category_scores.get(c, 0.0))
            return cat, {}
    return best[1], best[2]


def _facts(row: DecisionRecord, category: str | None, rule: dict[str, Any]) -> str:
    parts = []
    scored = sorted(((c, s) for c, s in row.category_scores.items() if row.categories.get(c)),
                    key=lambda p: -p[1])
    if scored:
        parts.append("Automated classifiers scored the content as "
                     + ", ".join(f"{c} ({s:.2f})" for c, s in scored[:3]) + ".")
    banks = [s["source"][5:] for s in row.signals if str(s.get("source", "")).startswith("bank:")]
    if banks:
        parts.append("The content matched known material in: " + ", ".join(sorted(set(banks))) + ".")
    if row.rules:
        desc = f" ({rule['description']})" if rule.get("description") else ""
        parts.append(f"Policy {row.policy_version} rule {', '.join(row.rules)}{desc} "
                     f"applied the action {row.action.replace('_', ' ')}.")
    return " ".join(parts)[:5000] or f"Action {row.action} under policy {row.policy_version}."


def build(row: DecisionRecord, *, platform: Platform, policy_rules: dict[str, dict[str, Any]] | None = None,
          now: datetime | None = None) -> dict[str, Any]:
    """The statement body for one decision, as the Transparency Database API names its fields."""
    now = now or utcnow()
    today = now.date().isoformat()
    category, rule = _rule_category(row, policy_rules or {})
    illegal = rule.get("ground") == "illegal"
    cat_info = taxonomy.get(category) if category else None
    modalities = [m for m in CONTENT_TYPES if row.content.get(m)]
    body: dict[str, Any] = {
        "decision_visibility": VISIBILITY.get(row.action),
        "decision_monetary": None,
        "decision_provision": PROVISION.get(row.action),
        "decision_account": ACCOUNT.get(row.action),
        "account_type": platform.account_type if row.author_id else None,
        "decision_ground": "DECISION_GROUND_ILLEGAL_CONTENT" if illegal
        else "DECISION_GROUND_INCOMPATIBLE_CONTENT",
        "category": cat_info.dsa if cat_info else "STATEMENT_CATEGORY_SCOPE_OF_PLATFORM_SERVICE",
        "category_specification": [KEYWORDS[category]] if category else ["KEYWORD_OTHER"],
        "content_type": [CONTENT_TYPES[m] for m in modalities] or ["CONTENT_TYPE_OTHER"],
        "territorial_scope": list(platform.territorial_scope),
        "application_date": today,
        "content_date": str(row.content.get("meta", {}).get("created_at", today))[:10],
        "decision_facts": _facts(row, category, rule),
        "source_type": "SOURCE_VOLUNTARY",
        "automated_detection": "Yes",
        "automated_decision": "AUTOMATED_DECISION_NOT_AUTOMATED" if row.origin == "review"
        else "AUTOMATED_DECISION_FULLY",
        "puid": row.id,
    }
    if body["content_type"] == ["CONTENT_TYPE_OTHER"]:
        body["content_type_other"] = "item without media"
    if body["category_specification"] == ["KEYWORD_OTHER"]:
        body["category_specification_other"] = category or "platform policy"
    if platform.terms_url:
        body["decision_ground_reference_url"] = platform.terms_url
    if illegal:
        body["illegal_content_legal_ground"] = platform.legal_grounds.get(category or "", "Applicable EU and national law")
        body["illegal_content_explanation"] = rule.get("description") or f"Content assessed as illegal ({category})."
    else:
        body["incompatible_content_ground"] = f"Community guidelines: {category or row.action}"
        body["incompatible_content_explanation"] = rule.get("description") or body["decision_facts"][:500]
        body["incompatible_content_illegal"] = "No"
    lang = row.content.get("lang")
    if lang and len(str(lang)) >= 2:
        body["content_language"] = str(lang)[:2].upper()
    if row.action == "suspend":
        days = next((e.get("days") for e in row.meta.get("effects", []) if e.get("action") == "suspend"), 7)
        end = (now + timedelta(days=int(days or 7))).date().isoformat()
        body["end_date_account_restriction"] = end
        body["end_date_service_restriction"] = end
    return body


def record(session: Session, row: DecisionRecord, *, platform: Platform,
           policy_rules: dict[str, dict[str, Any]] | None = None) -> Statement | None:
    """Store the statement for a decision once; None when the action restricts nothing."""
    if not needs_statement(row.action):
        return None
    existing = session.scalar(select(Statement).where(Statement.decision_id == row.id))
    if existing is not None:
        return existing
    st = Statement(decision_id=row.id, puid=row.id, platform_id=platform.platform_id,
                   body=build(row, platform=platform, policy_rules=policy_rules))
    try:
        with session.begin_nested():
            session.add(st)
    except IntegrityError:
        return session.scalars(select(Statement).where(Statement.decision_id == row.id)).one()
    return st


def export_batch(session: Session, *, after: int = 0, limit: int = MAX_BATCH, only_new: bool = False,
                 mark: bool = False) -> dict[str, Any]:
    """Up to 100 statements after cursor `after`, shaped for `POST /api/v1/statements`."""
    limit = max(1, min(MAX_BATCH, limit))
    stmt = select(Statement).where(Statement.id > after)
    if only_new:
        stmt = stmt.where(Statement.exported_at.is_(None))
    rows = list(session.scalars(stmt.order_by(Statement.id).limit(limit)))
    if mark:
        now = utcnow()
        for r in rows:
            r.exported_at = now
    return {"platform_id": rows[0].platform_id if rows else Platform.from_env().platform_id,
            "statements": [r.body for r in rows],
            "next": rows[-1].id if len(rows) == limit else None}
