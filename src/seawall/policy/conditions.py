"""Compiled condition trees: three-valued evaluation over Facts, with a trace for explain.

A condition is True, False or Unknown. Unknown means a signal it reads is missing; the
policy states what Unknown does (`on_missing`), so a missing classifier never passes
content silently. `and`/`or`/`not` follow Kleene logic: `False and unknown` is False,
`True or unknown` is True, everything else that touches unknown stays unknown.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass, field
from typing import Any, Callable

from seawall.policy.facts import Facts


class Unknown:
    """A value that could not be known because the signals it needs are missing.

    `floor` is what is known of an unknown score: the caption's text scored a category but
    the picture beside it went unjudged, so the item's score is at least the caption's.
    """

    __slots__ = ("reasons", "floor")

    def __init__(self, reasons, floor: float | None = None):
        self.reasons = frozenset(reasons)
        self.floor = floor

    def __bool__(self) -> bool:  # a bug if reached: callers must test `is_unknown` first
        raise TypeError("an unknown condition has no truth value")

    def __repr__(self) -> str:
        known = f"; at least {self.floor:g}" if self.floor else ""
        return f"unknown(missing: {', '.join(sorted(self.reasons))}{known})"


def is_unknown(value: Any) -> bool:
    return isinstance(value, Unknown)


def _merge(values) -> Unknown:
    reasons: set[str] = set()
    for v in values:
        if isinstance(v, Unknown):
            reasons |= v.reasons
    return Unknown(reasons)


@dataclass
class Env:
    """One evaluation: the facts, resolved thresholds, a cache of named conditions, the trace."""

    facts: Facts
    thresholds: dict[str, float]
    named: dict[str, "Node"]
    cache: dict[str, Any] = field(default_factory=dict)
    trace: list[tuple[str, Any]] | None = None

    def note(self, text: str, value: Any) -> None:
        if self.trace is not None and not any(t == text for t, _ in self.trace):
            self.trace.append((text, value))


@dataclass(frozen=True)
class Node:
    """A compiled expression; `src` is its source text, `kind` its static type."""

    src: str
    line: int
    col: int
    kind: str  # "bool", "number", "string", "strings", "any"

    def eval(self, env: Env) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError

    def leaves(self) -> list["Node"]:
        return [self]


@dataclass(frozen=True)
class Const(Node):
    value: Any = None

    def eval(self, env: Env) -> Any:
        return self.value

    def leaves(self) -> list[Node]:
        return []


@dataclass(frozen=True)
class Fact(Node):
    """A leaf that reads the facts: score("hate"), author.strikes, lang, bank_match("x")."""

    read: Callable[[Env], Any] = None  # type: ignore[assignment]

    def eval(self, env: Env) -> Any:
        value = self.read(env)
        env.note(self.src, value)
        return value


@dataclass(frozen=True)
class Ref(Node):
    """A named condition defined earlier in the file; evaluated once per item."""

    name: str = ""

    def eval(self, env: Env) -> Any:
        if self.name not in env.cache:
            env.cache[self.name] = env.named[self.name].eval(env)
        value = env.cache[self.name]
        env.note(self.name, value)
        return value


@dataclass(frozen=True)
class Not(Node):
    operand: Node = None  # type: ignore[assignment]

    def eval(self, env: Env) -> Any:
        v = self.operand.eval(env)
        return v if is_unknown(v) else not v

    def leaves(self) -> list[Node]:
        return self.operand.leaves()


@dataclass(frozen=True)
class BoolOp(Node):
    op: str = "and"
    operands: tuple[Node, ...] = ()

    def eval(self, env: Env) -> Any:
        unknowns = []
        decisive = self.op == "or"  # the operand value that settles the result
        for node in self.operands:
            v = node.eval(env)
            if is_unknown(v):
                unknowns.append(v)
            elif bool(v) is decisive:
                return decisive
        return _merge(unknowns) if unknowns else not decisive

    def leaves(self) -> list[Node]:
        return [leaf for n in self.operands for leaf in n.leaves()]


_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge,
    "==": operator.eq, "!=": operator.ne,
    "in": lambda a, b: a in b, "not in": lambda a, b: a not in b,
}


@dataclass(frozen=True)
class Compare(Node):
    """`a < b`, chains like `0.5 <= score("x") < 0.9`, and membership `lang in ("en", "de")`."""

    first: Node = None  # type: ignore[assignment]
    ops: tuple[str, ...] = ()
    rest: tuple[Node, ...] = ()

    def eval(self, env: Env) -> Any:
        left = self.first.eval(env)
        unknowns = []
        result = True
        for op, node in zip(self.ops, self.rest):
            right = node.eval(env)
            if is_unknown(left) or is_unknown(right):
                settled = _bounded(left, op, right)
                if settled is None:
                    unknowns.extend(v for v in (left, right) if is_unknown(v))
                elif not settled:
                    result = False
            else:
                try:
                    holds = _COMPARE[op](left, right)
                except TypeError:  # an absent language orders against nothing
                    holds = False
                if not holds:
                    result = False
            left = right
        if result is False:
            return False
        return _merge(unknowns) if unknowns else True

    def leaves(self) -> list[Node]:
        return self.first.leaves() + [leaf for n in self.rest for leaf in n.leaves()]


def _bounded(left: Any, op: str, right: Any) -> bool | None:
    """A comparison an unknown score with a floor still settles, else None: a score of at
    least 0.95 is `>= 0.9` and is not `< 0.5`, whatever the unjudged part would have said."""
    if is_unknown(left) and not is_unknown(right) and left.floor is not None and _number(right):
        if op in (">=", ">") and _COMPARE[op](left.floor, right):
            return True
        if op in ("<", "<=") and not _COMPARE[op](left.floor, right):
            return False
    if is_unknown(right) and not is_unknown(left) and right.floor is not None and _number(left):
        if op in ("<=", "<") and _COMPARE[op](left, right.floor):
            return True
        if op in (">=", ">") and not _COMPARE[op](left, right.floor):
            return False
    return None


def _number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


_ARITH: dict[str, Callable[[Any, Any], Any]] = {"+": operator.add, "-": operator.sub,
                                                "*": operator.mul}


@dataclass(frozen=True)
class Arith(Node):
    op: str = "+"
    left: Node = None  # type: ignore[assignment]
    right: Node = None  # type: ignore[assignment]

    def eval(self, env: Env) -> Any:
        a, b = self.left.eval(env), self.right.eval(env)
        if is_unknown(a) or is_unknown(b):
            return _merge((a, b))
        return _ARITH[self.op](a, b)

    def leaves(self) -> list[Node]:
        return self.left.leaves() + self.right.leaves()


@dataclass(frozen=True)
class Neg(Node):
    operand: Node = None  # type: ignore[assignment]

    def eval(self, env: Env) -> Any:
        v = self.operand.eval(env)
        return Unknown(v.reasons) if is_unknown(v) else -v  # a floor does not survive negation

    def leaves(self) -> list[Node]:
        return self.operand.leaves()
