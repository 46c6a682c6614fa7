"""Say why: a decision's rules, the facts each rule read, and what the policy did with them."""

from __future__ import annotations

from typing import Any

from seawall.policy.conditions import is_unknown
from seawall.policy.evaluate import Outcome, evaluate
from seawall.policy.facts import gather
from seawall.policy.rules import Policy
from seawall.types import Content, Signal


def _fmt(value: Any) -> str:
    if is_unknown(value):
        return "missing"
    if isinstance(value, float):
        return f"{value:.3f}".rstrip("0").rstrip(".") if value != int(value) else f"{int(value)}"
    return repr(value)


def outcome_for(content: Content, signals: list[Signal], policy: Policy) -> Outcome:
    return evaluate(policy, gather(content, signals), trace=True)


def explain_json(outcome: Outcome) -> dict[str, Any]:
    def rule_json(r):
        return {"rule": r.rule.name, "line": r.rule.line, "description": r.rule.description,
                "value": "missing" if is_unknown(r.value) else bool(r.value),
                "when": r.rule.when.src, "then": [str(e) for e in r.rule.effects],
                "read": {text: _fmt(v) for text, v in r.trace}}
    return {"action": outcome.action, "policy_version": outcome.policy.version,
            "used_default": outcome.used_default,
            "effects": [{"effect": str(e), "from": src} for e, src in outcome.effects],
            "rules": [rule_json(r) for r in outcome.results]}


def render(outcome: Outcome, *, item_id: str = "", verbose: bool = False) -> str:
    """A plain-text account a policy lead can read; `verbose` also lists rules that did not hold."""
    p = outcome.policy
    lines = [f"item {item_id or '?'}: {outcome.action}   (policy {p.version}, {p.file})"]
    fired = [r for r in outcome.results if r.fired]
    unknown = [r for r in outcome.results if is_unknown(r.value)]
    lines.append("rules that held:" if fired else "rules that held: none")
    for r in fired:
        lines.append(f"  + {r.rule.name}  (line {r.rule.line}) → "
                     + ", ".join(str(e) for e in r.rule.effects))
        if r.rule.description:
            lines.append(f"      {r.rule.description}")
        lines.append(f"      when {r.rule.when.src}")
        lines.extend(f"        {text} = {_fmt(v)}" for text, v in r.trace)
    if unknown:
        lines.append("rules that could not be evaluated (a signal they read is missing):")
        for r in unknown:
            meaning = r.rule.on_missing if r.rule.on_missing is not None else p.on_missing
            lines.append(f"  ? {r.rule.name}  (line {r.rule.line}) missing "
                         f"{', '.join(sorted(r.value.reasons))} → {meaning}")
    if verbose:
        others = [r for r in outcome.results if r.value is False]
        if others:
            lines.append("rules that did not hold:")
            for r in others:
                reads = ", ".join(f"{text} = {_fmt(v)}" for text, v in r.trace)
                lines.append(f"  - {r.rule.name}  (line {r.rule.line})  {reads}")
    if outcome.used_default:
        lines.append(f"no rule held: the policy's default applies → {p.default}")
    over = [f"{c} {outcome.facts.scores[c]:.3f} ≥ {outcome.thresholds[c]:.2f}"
            for c in sorted(outcome.facts.scores) if outcome.facts.scores[c] >= outcome.thresholds[c]]
    lines.append("categories over threshold: " + ("; ".join(over) if over else "none"))
    if outcome.facts.banks:
        lines.append("bank matches: " + ", ".join(sorted(outcome.facts.banks)))
    return "\n".join(lines)
