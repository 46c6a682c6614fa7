"""Evaluate a policy over one item's facts and turn the outcome into a Decision."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from seawall import taxonomy
from seawall.policy import effects as fx
from seawall.policy.conditions import Env, is_unknown
from seawall.policy.facts import Facts, gather
from seawall.policy.rules import Policy, Rule
from seawall.policy import thresholds as _thresholds
from seawall.types import Content, Decision, Signal


@dataclass
class RuleResult:
    rule: Rule
    value: Any                           # True, False or Unknown
    trace: list[tuple[str, Any]] = field(default_factory=list)

    @property
    def fired(self) -> bool:
        return self.value is True


@dataclass
class Outcome:
    """Everything explain needs: each rule's value and the facts it read, and the result."""

    policy: Policy
    facts: Facts
    thresholds: dict[str, float]
    results: list[RuleResult]
    effects: list[tuple[fx.Effect, str]]   # (effect, rule name or "<default>" / "<missing:rule>")
    action: str
    used_default: bool

    @property
    def fired(self) -> list[str]:
        return [r.rule.name for r in self.results if r.fired]

    @property
    def unknown(self) -> list[str]:
        return [r.rule.name for r in self.results if is_unknown(r.value)]


def resolve_thresholds(policy: Policy) -> dict[str, float]:
    """Category thresholds: the policy's overrides, else the classifiers' calibration, else 0.5."""
    base = _thresholds.classifier_thresholds()  # looked up each call so tests and reloads see changes
    return {name: float(policy.thresholds.get(name, base.get(name, 0.5))) for name in taxonomy.NAMES}


def evaluate(policy: Policy, facts: Facts, *, trace: bool = False) -> Outcome:
    thresholds = resolve_thresholds(policy)
    env = Env(facts=facts, thresholds=thresholds, named=policy.conditions)
    results: list[RuleResult] = []
    effects: list[tuple[fx.Effect, str]] = []
    for rule in policy.rules:
        env.trace = [] if trace else None
        value = rule.when.eval(env)
        results.append(RuleResult(rule, value, env.trace or []))
        if value is True:
            effects.extend((e, rule.name) for e in rule.effects)
        elif is_unknown(value):
            meaning = rule.on_missing if rule.on_missing is not None else policy.on_missing
            if meaning != "ignore":
                effects.append((meaning, f"<missing:{rule.name}>"))  # type: ignore[arg-type]
    used_default = not effects
    if used_default:
        effects.append((policy.default, "<default>"))
    action = max((e for e, _ in effects), key=lambda e: e.rank).action
    return Outcome(policy, facts, thresholds, results, effects, action, used_default)


def _signal_json(s: Signal) -> dict[str, Any]:
    return {"source": s.source, "modality": s.modality,
            "scores": {k: round(float(v), 6) for k, v in s.scores.items()}, "meta": s.meta}


def _routing(outcome: Outcome) -> list[dict[str, Any]]:
    """Queues the item goes to: escalations always, plain review only when review is the action."""
    policy, facts = outcome.policy, outcome.facts
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for effect, source in sorted(outcome.effects, key=lambda p: -p[0].rank):
        if effect.action not in fx.HOLDS:
            continue
        if effect.action == "review" and outcome.action != "review":
            continue
        queue = effect.params["queue"]
        if queue in seen:
            continue
        seen.add(queue)
        rule = policy.rule(source) if not source.startswith("<") else None
        if rule and rule.severity:
            severity = rule.severity
        elif rule and rule.category:
            severity = taxonomy.get(rule.category).severity
        else:  # missing signals or the default: rank by the worst category that scored
            flagged = [taxonomy.get(c).severity for c, v in facts.scores.items()
                       if v >= outcome.thresholds[c] and taxonomy.get(c).violation]
            severity = max(flagged, default=1)
        reach = facts.reach or 0.0
        w = policy.priority
        out.append({"queue": queue, "action": effect.action, "rule": source, "severity": severity,
                    "reach": reach,
                    "priority": round(w["severity"] * severity + w["reach"] * math.log10(1 + reach), 4),
                    "age_weight": w["age_hours"]})
    return out


def to_decision(content: Content, signals: list[Signal], outcome: Outcome) -> Decision:
    facts, thresholds = outcome.facts, outcome.thresholds
    scores = {name: round(facts.scores.get(name, 0.0), 6) for name in taxonomy.NAMES}
    # A score known only in part (another modality went unjudged) is a lower bound: over
    # the threshold it flags; under it, it cannot clear the category.
    categories = {name: name in facts.scores and scores[name] >= thresholds[name] for name in taxonomy.NAMES}
    flagged = outcome.action != "allow" or any(
        v and taxonomy.get(c).violation for c, v in categories.items())
    evidence = tuple(sorted((e for s in signals for e in s.evidence), key=lambda e: -e.score))
    read_missing = sorted({r for res in outcome.results if is_unknown(res.value) for r in res.value.reasons})
    meta: dict[str, Any] = {
        "effects": [{**e.to_json(), "rule": src} for e, src in outcome.effects],
        "queues": _routing(outcome),
        "missing": read_missing,
        "unknown_rules": outcome.unknown,
        "used_default": outcome.used_default,
        "policy_sha256": outcome.policy.sha256,
        "models": sorted({s.source for s in signals}),
        "signals": [_signal_json(s) for s in signals],
        "thresholds": {c: round(thresholds[c], 4) for c in taxonomy.NAMES},
    }
    return Decision(content_id=content.id, action=outcome.action, flagged=flagged,
                    categories=categories, category_scores=scores, evidence=evidence,
                    rules=tuple(outcome.fired), policy_version=outcome.policy.version, meta=meta)


def decide(content: Content, signals: list[Signal], *, policy: Policy | None = None) -> Decision:
    """The policy's decision on one item from its signals (the default policy when none given)."""
    if policy is None:
        from seawall.policy.loader import active_policy

        policy = active_policy()
    return to_decision(content, signals, evaluate(policy, gather(content, signals)))
