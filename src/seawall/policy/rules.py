"""A compiled policy: its settings, named conditions and rules, ready to evaluate."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from seawall.policy.conditions import Node
from seawall.policy.effects import Effect

# Default weights of a review item's priority: severity (1..5), predicted reach
# (log10 of audience) and hours waited. Age keeps old items from starving.
DEFAULT_PRIORITY = {"severity": 10.0, "reach": 2.0, "age_hours": 1.0}


@dataclass(frozen=True)
class Rule:
    """A named rule: when the condition holds, the effects apply."""

    name: str
    when: Node
    effects: tuple[Effect, ...]
    line: int
    category: str | None = None
    description: str = ""
    ground: str = "incompatible"          # DSA decision ground: "incompatible" or "illegal"
    severity: int | None = None           # overrides the category's severity for routing
    # What an unknown condition does here; None defers to the policy's on_missing.
    on_missing: Effect | str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "when": self.when.src, "then": [e.to_json() for e in self.effects],
                "category": self.category, "description": self.description, "ground": self.ground,
                "line": self.line}


@dataclass(frozen=True)
class Policy:
    """A policy version: rules in file order plus the explicit default and missing-signal effect."""

    version: str
    default: Effect
    on_missing: Effect | str              # an Effect, or "ignore" (stated, never implied)
    rules: tuple[Rule, ...]
    conditions: dict[str, Node]
    thresholds: dict[str, float] = field(default_factory=dict)  # overrides of classifier thresholds
    priority: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_PRIORITY))
    source: str = ""
    file: str = "<policy>"
    sha256: str = ""
    description: str = ""

    def rule(self, name: str) -> Rule:
        for r in self.rules:
            if r.name == name:
                return r
        raise KeyError(f"no rule {name!r}; rules: {', '.join(r.name for r in self.rules)}")

    def graph(self) -> dict[str, list[str]]:
        """Each rule and named condition → the names and facts it reads (for drawing)."""
        out: dict[str, list[str]] = {}
        for name, node in self.conditions.items():
            out[name] = sorted({leaf.src for leaf in node.leaves()})
        for r in self.rules:
            out[r.name] = sorted({leaf.src for leaf in r.when.leaves()})
        return out

    def to_json(self) -> dict[str, Any]:
        return {"version": self.version, "sha256": self.sha256, "default": self.default.to_json(),
                "on_missing": self.on_missing if isinstance(self.on_missing, str)
                else self.on_missing.to_json(),
                "thresholds": self.thresholds, "priority": self.priority,
                "rules": [r.to_json() for r in self.rules],
                "conditions": {k: v.src for k, v in self.conditions.items()}}
