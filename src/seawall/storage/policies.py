"""Policy versions in the database: upload, activate, shadow; and a cache of the compiled live set."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from seawall.errors import Conflict, NotFound
from seawall.policy import Policy, active_policy, compile_policy
from seawall.policy.shadow import Comparison
from seawall.storage.columns import utcnow
from seawall.storage.tables import DecisionRecord, PolicyVersion, ShadowDecision

log = logging.getLogger(__name__)


def save(session: Session, source: str, *, note: str = "", file: str = "<upload>") -> PolicyVersion:
    """Store a new version after it compiles. Re-uploading identical text returns the stored row."""
    policy = compile_policy(source, file=file)
    existing = session.scalar(select(PolicyVersion).where(PolicyVersion.version == policy.version))
    if existing is not None:
        if existing.sha256 == policy.sha256:
            return existing
        raise Conflict(f"policy version {policy.version!r} already exists with other text; "
                       "change version= to upload a new one")
    row = PolicyVersion(version=policy.version, sha256=policy.sha256, source=source, note=note)
    session.add(row)
    session.flush()
    return row


def get(session: Session, version: str) -> PolicyVersion:
    row = session.scalar(select(PolicyVersion).where(PolicyVersion.version == version))
    if row is None:
        raise NotFound(f"no policy version {version!r}")
    return row


def list_versions(session: Session) -> list[PolicyVersion]:
    return list(session.scalars(select(PolicyVersion).order_by(PolicyVersion.id.desc())))


def activate(session: Session, version: str) -> PolicyVersion:
    """Make a version live; the previous live version retires. One statement order, one transaction."""
    row = get(session, version)
    for other in session.scalars(select(PolicyVersion).where(PolicyVersion.status == "live")):
        if other.id != row.id:
            other.status = "retired"
    row.status = "live"
    row.activated_at = utcnow()
    return row


def set_shadow(session: Session, version: str, on: bool = True) -> PolicyVersion:
    row = get(session, version)
    if row.status == "live" and on:
        raise Conflict(f"{version!r} is live; a live policy cannot also run in shadow")
    row.status = "shadow" if on else ("draft" if row.status == "shadow" else row.status)
    return row


def version_json(row: PolicyVersion, *, source: bool = False) -> dict:
    out = {"version": row.version, "sha256": row.sha256, "status": row.status, "note": row.note,
           "created_at": row.created_at.isoformat() if row.created_at else None,
           "activated_at": row.activated_at.isoformat() if row.activated_at else None}
    if source:
        out["source"] = row.source
    return out


def shadow_report(session: Session, version: str, *, limit: int = 10_000) -> Comparison:
    """Compare a candidate's recorded decisions with live ones on the same items."""
    get(session, version)
    comparison = Comparison(candidate=version)
    rows = session.execute(
        select(DecisionRecord.content_id, DecisionRecord.action, ShadowDecision.action,
               DecisionRecord.rules, ShadowDecision.rules)
        .join(ShadowDecision, ShadowDecision.decision_id == DecisionRecord.id)
        .where(ShadowDecision.policy_version == version)
        .order_by(ShadowDecision.id.desc()).limit(limit))
    for content_id, live_action, shadow_action, live_rules, shadow_rules in rows:
        comparison.add(content_id, live_action, shadow_action, live_rules, shadow_rules)
    return comparison


@dataclass(frozen=True)
class LiveSet:
    live: Policy
    shadows: tuple[Policy, ...]


class PolicyCache:
    """The compiled live policy and shadows, re-read at most every `ttl` seconds.

    With no live version stored, the packaged default (or SEAWALL_POLICY) is live. If the
    database is unreachable the last known set keeps deciding: a policy lookup must not be
    why moderation stops.
    """

    def __init__(self, sessions: Callable, *, ttl: float = 5.0):
        self._sessions = sessions
        self.ttl = ttl
        self._lock = threading.Lock()
        self._key: tuple = ()
        self._set: LiveSet | None = None
        self._checked = 0.0
        self._compiled: dict[str, Policy] = {}

    def invalidate(self) -> None:
        self._checked = 0.0

    def current(self) -> LiveSet:
        now = time.monotonic()
        if self._set is not None and now - self._checked < self.ttl:
            return self._set
        with self._lock:
            if self._set is not None and now - self._checked < self.ttl:
                return self._set
            try:
                with self._sessions() as session:
                    rows = list(session.execute(
                        select(PolicyVersion.version, PolicyVersion.sha256, PolicyVersion.status)
                        .where(PolicyVersion.status.in_(("live", "shadow"))).order_by(PolicyVersion.id)))
                    key = tuple(rows)
                    if key != self._key or self._set is None:
                        self._set = self._build(session, rows)
                        self._key = key
            except Exception as exc:  # keep deciding with what we had
                if self._set is None:
                    log.warning("policy store unavailable (%s); deciding with the default policy", exc)
                    return LiveSet(active_policy(), ())
                log.warning("policy store unavailable (%s); keeping policy %s", exc, self._set.live.version)
            self._checked = now
            return self._set

    def _compile(self, session: Session, version: str, sha: str) -> Policy:
        if sha not in self._compiled:
            row = get(session, version)
            self._compiled[sha] = compile_policy(row.source, file=f"policy:{version}")
        return self._compiled[sha]

    def _build(self, session: Session, rows) -> LiveSet:
        live = next((self._compile(session, v, s) for v, s, st in rows if st == "live"), None)
        shadows = tuple(self._compile(session, v, s) for v, s, st in rows if st == "shadow")
        return LiveSet(live or active_policy(), shadows)


def count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(PolicyVersion)) or 0
