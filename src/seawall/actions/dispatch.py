"""Judge, store and enforce one item: the path the HTTP API and the job worker share.

Moderation (the slow part) runs outside any transaction; storing the decision, its
enforcement and shadow decisions is one transaction, so a crash or a database outage
leaves either all of it or none of it.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from seawall.actions import dsa
from seawall.actions.enforce import enforce
from seawall.actions.history import author_history
from seawall.policy import decide
from seawall.policy.shadow import signals_of
from seawall.errors import SeawallError
from seawall.storage import decisions as store
from seawall.storage.db import Database
from seawall.storage.media import MediaStore
from seawall.storage.policies import PolicyCache
from seawall.types import Content, Decision

log = logging.getLogger(__name__)
Moderate = Callable[..., Decision]   # moderate(content, *, policy=...) → Decision
_FROM_ENV: Any = object()


def _default_moderate(content: Content, *, policy=None) -> Decision:
    from seawall.flow import moderate

    return moderate(content, policy=policy)


class Dispatcher:
    """`media` keeps the bytes of inline media of held items for the console (storage.media);
    by default as the environment says, None keeps nothing."""

    def __init__(self, db: Database, *, moderate: Moderate | None = None, policies: PolicyCache | None = None,
                 platform: dsa.Platform | None = None, media: MediaStore | None = _FROM_ENV):
        self.db = db
        self.moderate = moderate or _default_moderate
        self.policies = policies or PolicyCache(db.read)
        self.platform = platform or dsa.Platform.from_env()
        self.media = MediaStore.from_env() if media is _FROM_ENV else media

    def with_history(self, content: Content, session=None) -> Content:
        """Add the author's ledger and rates to the item, so author.* and rate() read real history."""
        if not content.author_id:
            return content
        if session is None:
            with self.db.read() as session:
                return self.with_history(content, session)
        hist = author_history(session, content.author_id)
        given = dict(content.meta.get("author") or {})
        # The caller knows account age and followers; Seawall's ledger is the truth on strikes.
        author = {**given, **hist["author"]}
        rates = {**hist["rates"], **dict(content.meta.get("rates") or {})}
        return dataclasses.replace(content, meta={**content.meta, "author": author, "rates": rates})

    def existing(self, idempotency_key: str | None) -> dict[str, Any] | None:
        if not idempotency_key:
            return None
        with self.db.read() as session:
            row = store.by_key(session, idempotency_key)
            return store.row_json(row) if row is not None else None

    def process(self, content: Content, *, idempotency_key: str | None = None, origin: str = "api",
                store_decision: bool = True) -> tuple[dict[str, Any], bool]:
        """Returns (decision JSON, created). A key seen before returns the stored decision unchanged."""
        with self.db.read() as session:  # one round trip for the replay check and the history
            if idempotency_key:
                row = store.by_key(session, idempotency_key)
                if row is not None:
                    return store.row_json(row), False
            content = self.with_history(content, session)
        live = self.policies.current()
        decision = self.moderate(content, policy=live.live)
        if not store_decision:
            return _unstored_json(decision), True
        kept = self.keep_media(content) if decision.meta.get("queues") else None
        with self.db.session() as session:
            row, created = store.record(session, decision, content, idempotency_key=idempotency_key,
                                        origin=origin, kept=kept)
            if created:
                enforce(session, row, policy=live.live, platform=self.platform)
                signals = signals_of(decision)
                for candidate in live.shadows:
                    store.record_shadow(session, row.id, decide(content, signals, policy=candidate))
            return store.row_json(row), created

    def keep_media(self, content: Content) -> dict[str, Any] | None:
        """Keep the bytes of media that cannot be fetched again (inline or local), for people to see.

        Called while the judged copies still exist. A medium that cannot be kept (too large,
        not an accepted format) is logged and left out: the decision never fails for it.
        """
        if self.media is None:
            return None
        sources = (content.meta or {}).get("sources") or {}
        kept = {}
        for kind in ("image", "video", "audio"):
            path, given = getattr(content, kind), sources.get(kind) or getattr(content, kind)
            if not path or str(given).lower().startswith(("http://", "https://")):
                continue  # fetched again, through the guarded fetcher, when a person opens it
            try:
                kept[kind] = self.media.keep(Path(path), kind)
            except (SeawallError, OSError) as exc:
                log.warning("item %s: %s not kept for review: %s", content.id, kind, exc)
        return kept or None


def _unstored_json(d: Decision) -> dict[str, Any]:
    return {"id": None, "content_id": d.content_id, "action": d.action, "flagged": d.flagged,
            "categories": d.categories, "category_scores": d.category_scores, "rules": list(d.rules),
            "policy_version": d.policy_version, "evidence": [e.to_json() for e in d.evidence],
            "queues": [q["queue"] for q in d.meta.get("queues", [])], "missing": d.meta.get("missing", [])}
