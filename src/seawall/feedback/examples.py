"""Human verdicts → training examples with provenance, exported as JSON Lines for `seawall train --data`.

A verdict labels the categories a person judged: those they confirmed are 1 (with their
parent category, which a subtype implies), those the machine flagged and the person did
not confirm are 0. Categories nobody looked at stay out of the example rather than
becoming a silent 0.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from datetime import datetime
from typing import IO, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from seawall import taxonomy
from seawall.feedback.tables import ReviewLabel
from seawall.review.events import Overturned, Reviewed
from seawall.storage.columns import utcnow

SOURCE = "seawall-review"


def pseudonym(moderator: str) -> str:
    # Training data travels further than the console; the moderator's name does not go with it.
    return "mod-" + hashlib.sha256(f"seawall-moderator:{moderator}".encode()).hexdigest()[:12]


def labels_for(confirmed: tuple[str, ...] | list[str], machine_flagged: list[str]) -> dict[str, int]:
    out: dict[str, int] = {}
    for c in confirmed:
        out[c] = 1
        parent = taxonomy.get(c).parent
        if parent:
            out[parent] = 1
    for c in machine_flagged:
        out.setdefault(c, 0)
    return out


def _modality(content) -> str:
    return content.modalities[0] if content.modalities else "text"


class LabelRecorder:
    """The feedback subscriber that turns verdicts into labels (and takes them back on appeal)."""

    name = "labels"

    def reviewed(self, session: Session, event: Reviewed) -> dict[str, Any]:
        labels = labels_for(event.categories, list(event.machine_categories))
        if not labels:
            return {"labels": 0}
        content = event.content
        row = ReviewLabel(content_id=content.id, modality=_modality(content), text=content.text,
                          media=content.image or content.video or content.audio, lang=content.lang,
                          labels=labels, verdict_id=event.verdict_id, sampled=event.sampled,
                          created_at=event.at or utcnow(),
                          provenance={"source": SOURCE, "verdict_id": event.verdict_id,
                                      "reviewer": pseudonym(event.moderator), "decision_id": event.decision_id,
                                      "content_id": content.id, "queue": event.queue, "rule": event.rule,
                                      "policy_version": event.policy_version, "action": event.action,
                                      "sampled": event.sampled,
                                      "reviewed_at": (event.at or utcnow()).isoformat(),
                                      "machine_scores": {c: round(float(event.category_scores[c]), 4)
                                                         for c in labels if c in event.category_scores}})
        session.add(row)
        session.flush()
        return {"labels": len(labels), "label_id": row.id}

    def overturned(self, session: Session, event: Overturned) -> dict[str, Any]:
        """The appeal says the content did not break the rules: earlier 1s become 0s."""
        now = event.at or utcnow()
        old = list(session.scalars(select(ReviewLabel).where(ReviewLabel.content_id == event.content.id,
                                                             ReviewLabel.superseded_at.is_(None))))
        judged: dict[str, int] = {}
        for row in old:
            row.superseded_at = now
            for c in row.labels:
                judged[c] = 0
        if not judged:
            return {"labels_superseded": 0}
        content = event.content
        session.add(ReviewLabel(content_id=content.id, modality=_modality(content), text=content.text,
                                media=content.image or content.video or content.audio, lang=content.lang,
                                labels=judged, verdict_id=event.verdict_id, created_at=now,
                                provenance={"source": SOURCE, "appeal_id": event.appeal_id,
                                            "reviewer": pseudonym(event.moderator), "overturns": event.decision_id,
                                            "content_id": content.id, "reviewed_at": now.isoformat()}))
        return {"labels_superseded": len(old)}


def current_labels(session: Session, *, modality: str | None = "text", since: datetime | None = None,
                   sampled_only: bool = False) -> Iterator[ReviewLabel]:
    """The latest standing label of each item (superseded ones are skipped)."""
    stmt = select(ReviewLabel).where(ReviewLabel.superseded_at.is_(None))
    if modality:
        stmt = stmt.where(ReviewLabel.modality == modality)
    if since is not None:
        stmt = stmt.where(ReviewLabel.created_at >= since)
    if sampled_only:
        stmt = stmt.where(ReviewLabel.sampled.is_(True))
    seen: set[str] = set()
    for row in session.scalars(stmt.order_by(ReviewLabel.id.desc())):
        if row.content_id in seen:
            continue
        seen.add(row.content_id)
        yield row


def example_json(row: ReviewLabel) -> dict[str, Any]:
    """One line of the `seawall train --data` format, plus provenance (the reader ignores extra keys)."""
    out: dict[str, Any] = {"text": row.text, "labels": dict(row.labels)}
    if row.lang:
        out["lang"] = row.lang
    out["provenance"] = dict(row.provenance)
    return out


def export_jsonl(session: Session, out: IO[str], *, since: datetime | None = None) -> int:
    """Write every standing text label as a training example; returns how many were written."""
    n = 0
    for row in current_labels(session, modality="text", since=since):
        if not (row.text and row.text.strip()):
            continue
        out.write(json.dumps(example_json(row), ensure_ascii=False) + "\n")
        n += 1
    return n
