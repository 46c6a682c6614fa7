"""Policy tests: example items with their signals and the decision a policy lead expects.

A test file is YAML, a list of cases (or `{cases: [...]}`):

    - name: confident hate is removed with a strike
      item: {text: "...", surface: comment, author: {strikes: 0}}
      scores: {hate: 0.98}          # one classifier that reported these, 0 for the rest
      banks: [csam]                 # bank matches, by bank name
      missing: [violence]           # categories no classifier reported
      expect: {action: remove_with_strike, fired: [hate_remove], queue: hate}

`expect` may hold action, flagged, rules (exactly these fired), fired (at least these),
not_fired, queue (the first review queue) and categories ({name: bool}).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from seawall import taxonomy
from seawall.policy.errors import PolicyError
from seawall.policy.evaluate import Outcome, evaluate, to_decision
from seawall.policy.facts import gather
from seawall.policy.rules import Policy
from seawall.types import Content, Decision, Signal

CASE_KEYS = {"name", "item", "scores", "signals", "banks", "missing", "expect"}
ITEM_KEYS = {"id", "text", "image", "video", "audio", "author_id", "surface", "lang",
             "author", "rates", "reach"}
EXPECT_KEYS = {"action", "flagged", "rules", "fired", "not_fired", "queue", "categories"}


class _LineLoader(yaml.SafeLoader):
    """A safe loader that remembers the line each mapping starts on."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> dict:
    mapping = loader.construct_mapping(node, deep=True)
    mapping["__line__"] = node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


@dataclass
class Case:
    name: str
    line: int
    content: Content
    signals: list[Signal]
    expect: dict[str, Any]


@dataclass
class CaseResult:
    case: Case
    decision: Decision
    outcome: Outcome
    failures: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures


def _err(file: str, line: int, message: str, hint: str = "") -> PolicyError:
    return PolicyError(message, file=file, line=line, col=1, hint=hint)


def _check_keys(file: str, obj: dict, allowed: set[str], what: str) -> None:
    extra = sorted(set(obj) - allowed - {"__line__"})
    if extra:
        raise _err(file, obj.get("__line__", 0), f"{what} has unknown key {extra[0]!r}",
                   f"valid: {', '.join(sorted(allowed))}")


def _strip(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {k: _strip(v) for k, v in obj.items() if k != "__line__"}
    if isinstance(obj, list):
        return [_strip(v) for v in obj]
    return obj


def _signals(file: str, raw: dict, content: Content) -> list[Signal]:
    line = raw.get("__line__", 0)
    out: list[Signal] = []
    for s in raw.get("signals") or []:
        s = _strip(s)
        try:
            out.append(Signal(source=str(s["source"]), modality=s.get("modality", "text"),
                              scores={k: float(v) for k, v in (s.get("scores") or {}).items()},
                              meta=s.get("meta") or {}))
        except (KeyError, TypeError, ValueError) as exc:
            raise _err(file, line, f"bad signal: {exc}", "a signal needs source, modality, scores") from None
    given = _strip(raw.get("scores") or {})
    missing = set(raw.get("missing") or [])
    for cat in list(given) + list(missing):
        if cat not in taxonomy.BY_NAME:
            raise _err(file, line, f"unknown category {cat!r}", f"valid: {', '.join(taxonomy.NAMES)}")
    if given or not raw.get("signals"):
        mods = content.modalities or ("text",)
        per: dict[str, dict[str, float]] = {
            m: {c.name: 0.0 for c in taxonomy.CATEGORIES if m in c.input_types and c.name not in missing}
            for m in mods}
        for cat, value in given.items():
            home = next((m for m in mods if m in taxonomy.get(cat).input_types), mods[0])
            per[home][cat] = float(value)
        out.extend(Signal(source=f"test.{m}", modality=m, scores=s) for m, s in per.items())
    for bank in raw.get("banks") or []:
        out.append(Signal(source=f"bank:{bank}", modality=content.modalities[0] if content.modalities else "text",
                          scores={}, meta={"bank": str(bank), "matches": [{"entry_id": "test"}]}))
    return out


def load_cases(path: str | Path) -> list[Case]:
    file = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise PolicyError(f"cannot read tests: {exc.strerror}", file=file) from None
    try:
        data = yaml.load(text, Loader=_LineLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise PolicyError(f"YAML error: {getattr(exc, 'problem', exc)}", file=file,
                          line=(mark.line + 1) if mark else 0, col=(mark.column + 1) if mark else 0) from None
    if isinstance(data, dict):
        data = data.get("cases")
    if not isinstance(data, list):
        raise _err(file, 1, "a policy test file is a list of cases")
    cases = []
    for i, raw in enumerate(data):
        if not isinstance(raw, dict):
            raise _err(file, 1, f"case {i + 1} is not a mapping")
        line = raw.get("__line__", 0)
        _check_keys(file, raw, CASE_KEYS, "a case")
        item = raw.get("item") or {}
        _check_keys(file, item, ITEM_KEYS, "item")
        expect = raw.get("expect")
        if not isinstance(expect, dict):
            raise _err(file, line, "a case needs expect: {action: ...}")
        _check_keys(file, expect, EXPECT_KEYS, "expect")
        item = _strip(item)
        meta = {k: item[k] for k in ("author", "rates", "reach") if k in item}
        has_media = any(item.get(m) for m in ("text", "image", "video", "audio"))
        content = Content(id=str(item.get("id", f"case-{i + 1}")),
                          text=item.get("text") if has_media else "example",
                          image=item.get("image"), video=item.get("video"), audio=item.get("audio"),
                          author_id=item.get("author_id"), surface=item.get("surface"),
                          lang=item.get("lang"), meta=meta)
        cases.append(Case(name=str(raw.get("name", f"case {i + 1}")), line=line, content=content,
                          signals=_signals(file, raw, content), expect=_strip(expect)))
    return cases


def run_case(policy: Policy, case: Case) -> CaseResult:
    outcome = evaluate(policy, gather(case.content, case.signals), trace=True)
    decision = to_decision(case.content, case.signals, outcome)
    res = CaseResult(case, decision, outcome)
    e, fired = case.expect, list(decision.rules)
    if "action" in e and e["action"] != decision.action:
        res.failures.append(f"action: expected {e['action']}, got {decision.action}")
    if "flagged" in e and bool(e["flagged"]) != decision.flagged:
        res.failures.append(f"flagged: expected {e['flagged']}, got {decision.flagged}")
    if "rules" in e and sorted(e["rules"] or []) != sorted(fired):
        res.failures.append(f"rules: expected exactly {sorted(e['rules'] or [])}, got {sorted(fired)}")
    for name in e.get("fired") or []:
        if name not in fired:
            res.failures.append(f"rule {name} should have held; held: {fired or 'none'}")
    for name in e.get("not_fired") or []:
        if name in fired:
            res.failures.append(f"rule {name} should not have held")
    if "queue" in e:
        queues = [q["queue"] for q in decision.meta["queues"]]
        if (e["queue"] is None and queues) or (e["queue"] is not None and e["queue"] not in queues):
            res.failures.append(f"queue: expected {e['queue']}, got {queues or 'none'}")
    for cat, want in (e.get("categories") or {}).items():
        if decision.categories.get(cat) != bool(want):
            res.failures.append(f"categories[{cat}]: expected {want}, got {decision.categories.get(cat)}")
    known = {r.name for r in policy.rules}
    for name in list(e.get("rules") or []) + list(e.get("fired") or []) + list(e.get("not_fired") or []):
        if name not in known:
            res.failures.append(f"the policy has no rule {name!r}")
    return res


def run_tests(policy: Policy, path: str | Path) -> list[CaseResult]:
    return [run_case(policy, case) for case in load_cases(path)]
