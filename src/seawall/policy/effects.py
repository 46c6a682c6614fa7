"""The enforcement ladder and effects: plain values a rule produces, applied later by actions/."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Rungs from least to most severe. A decision's action is the highest rung any fired rule
# reached; the order is the contract stored decisions and dashboards rely on.
LADDER: tuple[str, ...] = (
    "allow",
    "label",
    "age_restrict",
    "limit_reach",
    "review",              # hold for human review in a queue
    "escalate",            # hold for a specialist queue (child safety, terrorism, ...)
    "remove",
    "remove_with_strike",
    "suspend",
    "ban",
    "report",              # remove and report to an authority (e.g. NCMEC); the top rung
)
RANK: dict[str, int] = {name: i for i, name in enumerate(LADDER)}

# Rungs that hold the item for a person instead of enforcing.
HOLDS = frozenset({"review", "escalate"})
# Rungs that take the item down.
REMOVALS = frozenset({"remove", "remove_with_strike", "suspend", "ban", "report"})
# Rungs that put a strike on the author's ledger.
STRIKES = frozenset({"remove_with_strike", "suspend", "ban"})


@dataclass(frozen=True)
class Effect:
    """One rung plus its parameters: `review(queue="hate")`, `suspend(days=7)`, `label("graphic")`."""

    action: str
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def rank(self) -> int:
        return RANK[self.action]

    def to_json(self) -> dict[str, Any]:
        return {"action": self.action, **self.params}

    def __str__(self) -> str:
        if not self.params:
            return self.action
        args = ", ".join(f"{k}={v!r}" for k, v in self.params.items())
        return f"{self.action}({args})"


# Parameters each effect accepts, with defaults; compile checks calls against this table.
PARAMS: dict[str, dict[str, Any]] = {
    "allow": {},
    "label": {"name": "sensitive"},
    "age_restrict": {"min_age": 18},
    "limit_reach": {},
    "review": {"queue": "general"},
    "escalate": {"queue": "specialist"},
    "remove": {},
    "remove_with_strike": {},
    "suspend": {"days": 7},
    "ban": {},
    "report": {"to": "authority"},
}
# The parameter a single positional argument fills: `label("graphic")`, `review("hate")`.
POSITIONAL: dict[str, str] = {"label": "name", "review": "queue", "escalate": "queue",
                              "suspend": "days", "report": "to", "age_restrict": "min_age"}


def make(action: str, **params: Any) -> Effect:
    """An effect with its defaults filled in; unknown actions fail listing the ladder."""
    if action not in PARAMS:
        raise ValueError(f"unknown action {action!r}; valid: {', '.join(LADDER)}")
    unknown = set(params) - set(PARAMS[action])
    if unknown:
        raise ValueError(f"{action} takes no {', '.join(sorted(unknown))}")
    return Effect(action, {**PARAMS[action], **params})
