"""Shadow mode: candidate policies decide beside the live one; their decisions are compared, never enforced."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Iterable

from seawall.policy.evaluate import decide
from seawall.policy.rules import Policy
from seawall.types import Content, Decision, Signal


def signals_of(decision: Decision) -> list[Signal]:
    """The signals a stored decision was made from, so a candidate sees exactly what live saw."""
    return [Signal(source=s["source"], modality=s["modality"], scores=dict(s["scores"]),
                   meta=dict(s.get("meta") or {}))
            for s in decision.meta.get("signals", [])]


def shadow_decide(content: Content, live: Decision, candidates: Iterable[Policy]) -> list[Decision]:
    """Each candidate's decision on the signals live used. Pure: nothing is stored or enforced."""
    signals = signals_of(live)
    return [decide(content, signals, policy=p) for p in candidates]


@dataclass
class Comparison:
    """How a candidate would have differed from live over a set of items."""

    candidate: str
    total: int = 0
    agree: int = 0
    matrix: Counter = field(default_factory=Counter)          # (live, candidate) → count
    stricter: int = 0
    looser: int = 0
    examples: list[dict[str, Any]] = field(default_factory=list)

    def add(self, content_id: str, live_action: str, shadow_action: str,
            live_rules=(), shadow_rules=(), *, keep: int = 20) -> None:
        from seawall.policy.effects import RANK

        self.total += 1
        self.matrix[(live_action, shadow_action)] += 1
        if live_action == shadow_action:
            self.agree += 1
            return
        if RANK[shadow_action] > RANK[live_action]:
            self.stricter += 1
        else:
            self.looser += 1
        if len(self.examples) < keep:
            self.examples.append({"content_id": content_id, "live": live_action, "candidate": shadow_action,
                                  "live_rules": list(live_rules), "candidate_rules": list(shadow_rules)})

    def to_json(self) -> dict[str, Any]:
        return {"candidate": self.candidate, "total": self.total, "agree": self.agree,
                "agreement": round(self.agree / self.total, 4) if self.total else None,
                "stricter": self.stricter, "looser": self.looser,
                "matrix": [{"live": a, "candidate": b, "count": n}
                           for (a, b), n in sorted(self.matrix.items())],
                "examples": self.examples}
