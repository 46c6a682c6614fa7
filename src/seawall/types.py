"""Values that flow between stages: Content → Signal → Decision."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Modality = Literal["text", "image", "video", "audio"]


@dataclass(frozen=True)
class Content:
    """One item to judge. A post carries several media; a comment carries text only."""

    id: str
    text: str | None = None
    image: str | None = None   # local path or http(s) URL
    video: str | None = None
    audio: str | None = None
    author_id: str | None = None
    surface: str | None = None  # e.g. "comment", "video", "profile", "message"
    lang: str | None = None     # caller's hint; detected when absent
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def modalities(self) -> tuple[Modality, ...]:
        return tuple(m for m in ("text", "image", "video", "audio") if getattr(self, m))


@dataclass(frozen=True)
class Evidence:
    """Where a score came from, so a person can see it: a text span, a box, a time range."""

    category: str
    score: float
    modality: Modality
    source: str                      # the signal that produced it, e.g. "text.cascade.v1"
    span: tuple[int, int] | None = None          # character offsets into the original text
    text: str | None = None                       # the span's text
    box: tuple[float, float, float, float] | None = None  # x, y, w, h in pixels
    time: tuple[float, float] | None = None       # seconds
    detail: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"category": self.category, "score": round(self.score, 4),
                               "modality": self.modality, "source": self.source}
        for k in ("span", "text", "box", "time"):
            v = getattr(self, k)
            if v is not None:
                out[k] = list(v) if isinstance(v, tuple) else v
        if self.detail:
            out["detail"] = self.detail
        return out


@dataclass(frozen=True)
class Signal:
    """What one signal source said about one item: calibrated scores per category."""

    source: str                       # registry name, e.g. "text.cascade.v1"
    modality: Modality
    scores: dict[str, float]          # category → calibrated probability
    evidence: tuple[Evidence, ...] = ()
    meta: dict[str, Any] = field(default_factory=dict)  # e.g. {"lang": "en", "tier": "fast"}


@dataclass(frozen=True)
class Decision:
    """What the policy made of the signals."""

    content_id: str
    action: str                        # a rung of the enforcement ladder, e.g. "allow"
    flagged: bool
    categories: dict[str, bool]
    category_scores: dict[str, float]
    evidence: tuple[Evidence, ...] = ()
    rules: tuple[str, ...] = ()        # names of the rules that fired
    policy_version: str = ""
    meta: dict[str, Any] = field(default_factory=dict)
