"""Compile policy source (a small, static Python subset) into a Policy, or fail like a compiler.

The language, after Osprey's SML: a file is one `policy(...)` call, named conditions
(`severe_hate = score("hate") >= 0.9`) and named rules (`hate = rule(when=..., then=...)`).
Names are assigned once and used after they are defined; there are no loops, imports,
attribute access other than `author.*`, or calls other than the vocabulary below. The
source is parsed by Python's `ast` and every node is checked against an allowlist, so
nothing in a policy file ever runs as Python.
"""

from __future__ import annotations

import ast
import difflib
import hashlib
from typing import Any

from seawall import taxonomy
from seawall.policy import effects as fx
from seawall.policy.conditions import (
    Arith, BoolOp, Compare, Const, Env, Fact, Neg, Node, Not, Ref, Unknown,
)
from seawall.policy.errors import PolicyError
from seawall.policy.rules import DEFAULT_PRIORITY, Policy, Rule

AUTHOR_FIELDS = ("strikes", "prior_removals", "account_age_days", "followers", "verified")
VARIABLES = ("lang", "surface", "reach")
FUNCTIONS = ("score", "threshold", "flagged", "bank_match", "has", "rate")
MODALITIES = ("text", "image", "video", "audio")
RULE_KEYS = ("when", "then", "category", "description", "ground", "severity", "on_missing")
POLICY_KEYS = ("version", "default", "on_missing", "thresholds", "priority", "description")
_CMP = {ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=", ast.Eq: "==", ast.NotEq: "!=",
        ast.In: "in", ast.NotIn: "not in"}
_ARITH = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*"}


def _suggest(word: str, choices) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1)
    return f"did you mean {close[0]!r}?" if close else f"valid: {', '.join(choices)}"


class _Compiler:
    def __init__(self, source: str, file: str):
        self.source = source
        self.file = file
        self.lines = source.splitlines()
        self.conditions: dict[str, Node] = {}
        self.rules: list[Rule] = []
        self.settings: dict[str, Any] | None = None

    # --- errors -----------------------------------------------------------------------
    def error(self, node: ast.AST | None, message: str, hint: str = "") -> PolicyError:
        line = getattr(node, "lineno", 0) or 0
        col = (getattr(node, "col_offset", 0) or 0) + 1
        end = None
        if getattr(node, "end_lineno", None) == line and getattr(node, "end_col_offset", None):
            end = node.end_col_offset + 1  # type: ignore[union-attr]
        src = self.lines[line - 1] if 0 < line <= len(self.lines) else ""
        return PolicyError(message, file=self.file, line=line, col=col, end_col=end,
                           source_line=src, hint=hint)

    def text(self, node: ast.AST) -> str:
        return ast.get_source_segment(self.source, node) or ast.unparse(node)

    # --- top level --------------------------------------------------------------------
    def compile(self) -> Policy:
        try:
            tree = ast.parse(self.source, filename=self.file)
        except SyntaxError as exc:
            line = exc.lineno or 0
            raise PolicyError(f"syntax error: {exc.msg}", file=self.file, line=line,
                              col=exc.offset or 1,
                              source_line=self.lines[line - 1] if 0 < line <= len(self.lines) else "",
                              hint="a policy is `policy(...)`, `name = rule(...)` and "
                                   "`name = <condition>` lines") from None
        doc = ast.get_docstring(tree) or ""
        body = tree.body[1:] if doc else tree.body
        for stmt in body:
            self.statement(stmt)
        if self.settings is None:
            raise PolicyError("the policy has no `policy(...)` settings", file=self.file, line=1, col=1,
                              source_line=self.lines[0] if self.lines else "",
                              hint='add `policy(version="...", default=allow, '
                                   'on_missing=review(queue="missing-signals"))`')
        s = self.settings
        return Policy(version=s["version"], default=s["default"], on_missing=s["on_missing"],
                      rules=tuple(self.rules), conditions=dict(self.conditions),
                      thresholds=s.get("thresholds", {}),
                      priority={**DEFAULT_PRIORITY, **s.get("priority", {})},
                      source=self.source, file=self.file,
                      sha256=hashlib.sha256(self.source.encode()).hexdigest(),
                      description=s.get("description", doc.strip().splitlines()[0] if doc else ""))

    def statement(self, stmt: ast.stmt) -> None:
        if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call) \
                and isinstance(stmt.value.func, ast.Name) and stmt.value.func.id == "policy":
            if self.settings is not None:
                raise self.error(stmt, "`policy(...)` appears twice", "keep one settings call")
            if self.rules or self.conditions:
                raise self.error(stmt, "`policy(...)` must come before conditions and rules")
            self.settings = self.policy_settings(stmt.value)
            return
        if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant) \
                and isinstance(stmt.value.value, str):
            return  # a string on its own line is a comment block
        if not isinstance(stmt, ast.Assign):
            raise self.error(stmt, f"`{type(stmt).__name__.lower()}` statements are not part of the "
                             "policy language",
                             "write `name = rule(...)` or `name = <condition>`")
        if len(stmt.targets) != 1 or not isinstance(stmt.targets[0], ast.Name):
            raise self.error(stmt, "assign to one plain name", "e.g. `severe_hate = score(\"hate\") >= 0.9`")
        if self.settings is None:
            raise self.error(stmt, "conditions and rules must follow `policy(...)`")
        target = stmt.targets[0]
        name = target.id
        if name in self.conditions or any(r.name == name for r in self.rules):
            raise self.error(target, f"{name!r} is already defined", "names are assigned once")
        reserved = set(FUNCTIONS) | set(VARIABLES) | set(fx.PARAMS) | {"author", "rule", "policy"}
        if name in reserved:
            raise self.error(target, f"{name!r} is a built-in name", "choose another name")
        value = stmt.value
        if isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id == "rule":
            self.rules.append(self.rule(name, value))
        else:
            node = self.expr(value)
            if node.kind != "bool":
                raise self.error(value, f"condition {name!r} is a {node.kind}, not true/false",
                                 'compare it, e.g. `score("hate") >= threshold("hate")`')
            self.conditions[name] = node

    def kwargs(self, call: ast.Call, allowed: tuple[str, ...], what: str) -> dict[str, ast.expr]:
        if call.args:
            raise self.error(call.args[0], f"{what}(...) takes keyword arguments only",
                             f"valid: {', '.join(allowed)}")
        out: dict[str, ast.expr] = {}
        for kw in call.keywords:
            if kw.arg is None or kw.arg not in allowed:
                raise self.error(kw.value if kw.arg is None else kw, f"{what}() has no argument {kw.arg!r}",
                                 _suggest(kw.arg or "", allowed))
            out[kw.arg] = kw.value
        return out

    def string(self, node: ast.expr, what: str) -> str:
        if not (isinstance(node, ast.Constant) and isinstance(node.value, str)):
            raise self.error(node, f"{what} must be a quoted string")
        return node.value

    def number(self, node: ast.expr, what: str) -> float:
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            return -self.number(node.operand, what)
        if not (isinstance(node, ast.Constant) and isinstance(node.value, (int, float))
                and not isinstance(node.value, bool)):
            raise self.error(node, f"{what} must be a number")
        return float(node.value)

    def category(self, node: ast.expr) -> str:
        name = self.string(node, "a category")
        if name not in taxonomy.BY_NAME:
            raise self.error(node, f"unknown category {name!r}", _suggest(name, taxonomy.NAMES))
        return name

    def policy_settings(self, call: ast.Call) -> dict[str, Any]:
        kw = self.kwargs(call, POLICY_KEYS, "policy")
        for required in ("version", "default", "on_missing"):
            if required not in kw:
                hint = {"version": 'e.g. version="2025-11-01"',
                        "default": "state what happens when no rule fires, e.g. default=allow",
                        "on_missing": "state what a rule that reads a missing signal does, e.g. "
                                      'on_missing=review(queue="missing-signals"), or "ignore"'}[required]
                raise self.error(call, f"policy(...) needs {required}=", hint)
        out: dict[str, Any] = {"version": self.string(kw["version"], "version"),
                               "default": self.single_effect(kw["default"]),
                               "on_missing": self.missing_effect(kw["on_missing"])}
        if "description" in kw:
            out["description"] = self.string(kw["description"], "description")
        if "thresholds" in kw:
            out["thresholds"] = {k: v for k, v in self.number_dict(kw["thresholds"], categories=True).items()}
            for cat, value in out["thresholds"].items():
                if not 0.0 <= value <= 1.0:
                    raise self.error(kw["thresholds"], f"threshold for {cat!r} must be within 0..1")
        if "priority" in kw:
            out["priority"] = self.number_dict(kw["priority"], allowed=tuple(DEFAULT_PRIORITY))
        return out

    def number_dict(self, node: ast.expr, *, categories: bool = False,
                    allowed: tuple[str, ...] = ()) -> dict[str, float]:
        if not isinstance(node, ast.Dict):
            raise self.error(node, "expected a {\"name\": number} mapping")
        out: dict[str, float] = {}
        for k, v in zip(node.keys, node.values):
            if k is None:
                raise self.error(v, "`**` is not part of the policy language")
            key = self.category(k) if categories else self.string(k, "a key")
            if allowed and key not in allowed:
                raise self.error(k, f"unknown key {key!r}", _suggest(key, allowed))
            out[key] = self.number(v, f"the value for {key!r}")
        return out

    # --- rules and effects ------------------------------------------------------------
    def rule(self, name: str, call: ast.Call) -> Rule:
        kw = self.kwargs(call, RULE_KEYS, "rule")
        for required in ("when", "then"):
            if required not in kw:
                raise self.error(call, f"rule {name!r} needs {required}=",
                                 "a rule is `rule(when=<condition>, then=<effect>)`")
        when = self.expr(kw["when"])
        if when.kind != "bool":
            raise self.error(kw["when"], f"when= must be true/false, this is a {when.kind}",
                             'compare it, e.g. `score("hate") >= threshold("hate")`')
        ground = self.string(kw["ground"], "ground") if "ground" in kw else "incompatible"
        if ground not in ("incompatible", "illegal"):
            raise self.error(kw["ground"], f"unknown ground {ground!r}",
                             'valid: "incompatible" (terms of service), "illegal" (law)')
        severity = None
        if "severity" in kw:
            severity = int(self.number(kw["severity"], "severity"))
            if not 1 <= severity <= 5:
                raise self.error(kw["severity"], "severity must be 1..5")
        return Rule(
            name=name, when=when, effects=self.effects(kw["then"]), line=call.lineno,
            category=self.category(kw["category"]) if "category" in kw else None,
            description=self.string(kw["description"], "description") if "description" in kw else "",
            ground=ground, severity=severity,
            on_missing=self.missing_effect(kw["on_missing"]) if "on_missing" in kw else None,
        )

    def missing_effect(self, node: ast.expr) -> fx.Effect | str:
        if isinstance(node, ast.Constant) and node.value == "ignore":
            return "ignore"
        return self.single_effect(node)

    def effects(self, node: ast.expr) -> tuple[fx.Effect, ...]:
        items = node.elts if isinstance(node, (ast.List, ast.Tuple)) else [node]
        if not items:
            raise self.error(node, "then= lists no effect")
        return tuple(self.single_effect(item) for item in items)

    def single_effect(self, node: ast.expr) -> fx.Effect:
        if isinstance(node, ast.Name):
            name, args, kws = node.id, [], []
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            name, args, kws = node.func.id, node.args, node.keywords
        else:
            raise self.error(node, "expected an effect", f"valid: {', '.join(fx.LADDER)}")
        if name not in fx.PARAMS:
            raise self.error(node, f"unknown effect {name!r}", _suggest(name, fx.LADDER))
        params: dict[str, Any] = {}
        if len(args) > 1 or (args and name not in fx.POSITIONAL):
            raise self.error(node, f"{name}(...) takes keyword arguments",
                             f"valid: {', '.join(fx.PARAMS[name]) or 'none'}")
        pairs = [(fx.POSITIONAL[name], a) for a in args] + [(k.arg, k.value) for k in kws]
        for key, value in pairs:
            if key not in fx.PARAMS[name]:
                raise self.error(value, f"{name}() has no argument {key!r}",
                                 f"valid: {', '.join(fx.PARAMS[name]) or 'none'}")
            default = fx.PARAMS[name][key]
            params[key] = int(self.number(value, key)) if isinstance(default, int) \
                else self.string(value, key)
        return fx.make(name, **params)

    # --- conditions -------------------------------------------------------------------
    def expr(self, node: ast.expr) -> Node:
        src, line, col = self.text(node), node.lineno, node.col_offset + 1
        if isinstance(node, ast.BoolOp):
            operands = tuple(self.expr(v) for v in node.values)
            for v, o in zip(node.values, operands):
                if o.kind != "bool":
                    raise self.error(v, f"`{o.src}` is a {o.kind}, `and`/`or` need true/false",
                                     "compare it with a number")
            return BoolOp(src, line, col, "bool", "and" if isinstance(node.op, ast.And) else "or",
                          operands)
        if isinstance(node, ast.UnaryOp):
            operand = self.expr(node.operand)
            if isinstance(node.op, ast.Not):
                if operand.kind != "bool":
                    raise self.error(node, "`not` needs true/false")
                return Not(src, line, col, "bool", operand)
            if isinstance(node.op, ast.USub) and operand.kind == "number":
                return Neg(src, line, col, "number", operand)
            raise self.error(node, "this operator is not part of the policy language")
        if isinstance(node, ast.Compare):
            first = self.expr(node.left)
            rest = tuple(self.expr(c) for c in node.comparators)
            ops = []
            left = first
            for op, right, raw in zip(node.ops, rest, node.comparators):
                sym = _CMP.get(type(op))
                if sym is None:
                    raise self.error(node, "use ==, !=, <, <=, >, >=, in, not in")
                if sym in ("<", "<=", ">", ">=") and (left.kind, right.kind) != ("number", "number"):
                    raise self.error(raw, f"`{sym}` compares numbers; `{left.src}` and `{right.src}` "
                                     "are not both numbers")
                if sym in ("in", "not in") and right.kind != "strings":
                    raise self.error(raw, f"`{sym}` needs a list of strings on the right",
                                     'e.g. `lang in ("en", "de")`')
                ops.append(sym)
                left = right
            return Compare(src, line, col, "bool", first, tuple(ops), rest)
        if isinstance(node, ast.BinOp):
            sym = _ARITH.get(type(node.op))
            a, b = self.expr(node.left), self.expr(node.right)
            if sym is None or a.kind != "number" or b.kind != "number":
                raise self.error(node, "only +, - and * on numbers are allowed")
            return Arith(src, line, col, "number", sym, a, b)
        if isinstance(node, ast.Constant):
            v = node.value
            if isinstance(v, bool):
                return Const(src, line, col, "bool", v)
            if isinstance(v, (int, float)):
                return Const(src, line, col, "number", float(v))
            if isinstance(v, str):
                return Const(src, line, col, "string", v)
            if v is None:
                return Const(src, line, col, "any", None)
            raise self.error(node, "unsupported literal")
        if isinstance(node, (ast.Tuple, ast.List)):
            values = []
            for elt in node.elts:
                values.append(self.string(elt, "each item of the list"))
            return Const(src, line, col, "strings", tuple(values))
        if isinstance(node, ast.Name):
            return self.name(node)
        if isinstance(node, ast.Attribute):
            return self.attribute(node)
        if isinstance(node, ast.Call):
            return self.call(node)
        raise self.error(node, f"`{type(node).__name__}` is not part of the policy language",
                         "conditions use comparisons, and/or/not, and the functions "
                         + ", ".join(FUNCTIONS))

    def name(self, node: ast.Name) -> Node:
        n, src, line, col = node.id, node.id, node.lineno, node.col_offset + 1
        if n in self.conditions:
            return Ref(src, line, col, "bool", n)
        if any(r.name == n for r in self.rules):
            raise self.error(node, f"{n!r} is a rule, not a condition",
                             "name the condition and use it in both rules")
        if n in ("lang", "surface"):
            return Fact(src, line, col, "any", lambda env, n=n: getattr(env.facts, n))
        if n == "reach":
            return Fact(src, line, col, "number",
                        lambda env: env.facts.reach if env.facts.reach is not None else Unknown({"reach"}))
        if n == "author":
            raise self.error(node, "use a field of author", f"valid: {', '.join('author.' + f for f in AUTHOR_FIELDS)}")
        if n in fx.PARAMS:
            raise self.error(node, f"{n!r} is an effect; effects go in then=")
        if n in FUNCTIONS:
            raise self.error(node, f"{n} is a function; call it", f'e.g. {n}("...")')
        known = list(self.conditions) + list(VARIABLES) + ["author"]
        raise self.error(node, f"unknown name {n!r}",
                         (_suggest(n, known) if difflib.get_close_matches(n, known, n=1)
                          else "names must be defined above their first use"))

    def attribute(self, node: ast.Attribute) -> Node:
        if not (isinstance(node.value, ast.Name) and node.value.id == "author"):
            raise self.error(node, "only author.<field> may use a dot")
        field = node.attr
        if field not in AUTHOR_FIELDS:
            raise self.error(node, f"author has no field {field!r}", _suggest(field, AUTHOR_FIELDS))
        kind = "bool" if field == "verified" else "number"

        def read(env: Env, field=field):
            value = (env.facts.author or {}).get(field)
            if value is None:
                return Unknown({f"author.{field}"})
            return bool(value) if kind == "bool" else float(value)

        return Fact(self.text(node), node.lineno, node.col_offset + 1, kind, read)

    def call(self, node: ast.Call) -> Node:
        if not isinstance(node.func, ast.Name):
            raise self.error(node, "only the built-in functions may be called",
                             f"valid: {', '.join(FUNCTIONS)}")
        fn = node.func.id
        src, line, col = self.text(node), node.lineno, node.col_offset + 1
        if fn == "rule":
            raise self.error(node, "a rule must be assigned to a name", "e.g. `hate = rule(...)`")
        if fn not in FUNCTIONS:
            hint = f"{fn!r} is an effect; effects go in then=" if fn in fx.PARAMS \
                else _suggest(fn, FUNCTIONS)
            raise self.error(node.func, f"unknown function {fn!r}", hint)
        args = list(node.args)
        kws = {k.arg: k.value for k in node.keywords}
        if fn in ("score", "threshold", "flagged"):
            if len(args) != 1 or (set(kws) - ({"missing"} if fn == "score" else set())):
                raise self.error(node, f"{fn}() takes one category" +
                                 (" and optionally missing=<number>" if fn == "score" else ""),
                                 f'e.g. {fn}("hate")')
            cat = self.category(args[0])
            if fn == "threshold":
                return Fact(src, line, col, "number", lambda env, c=cat: env.thresholds[c])
            default = self.number(kws["missing"], "missing=") if "missing" in kws else None

            def read_score(env: Env, c=cat, default=default):
                known = env.facts.scores.get(c)
                if c in env.facts.missing:
                    # Part of the item may have scored it: the score is at least that much.
                    if default is not None:
                        return default if known is None else max(default, known)
                    return Unknown({c}, floor=known)
                return 0.0 if known is None else known

            if fn == "score":
                return Fact(src, line, col, "number", read_score)

            def read_flag(env: Env, c=cat):
                s = read_score(env, c)
                if isinstance(s, Unknown):
                    return True if s.floor is not None and s.floor >= env.thresholds[c] else Unknown(s.reasons)
                return s >= env.thresholds[c]

            return Fact(src, line, col, "bool", read_flag)
        if fn == "bank_match":
            if len(args) > 1 or kws:
                raise self.error(node, "bank_match() takes at most one bank name",
                                 'e.g. bank_match("confirmed-violence"); no name matches any bank')
            bank = self.string(args[0], "a bank name") if args else None
            return Fact(src, line, col, "bool",
                        lambda env, b=bank: bool(env.facts.banks) if b is None else b in env.facts.banks)
        if fn == "has":
            if len(args) != 1 or kws:
                raise self.error(node, "has() takes one modality", f"valid: {', '.join(MODALITIES)}")
            m = self.string(args[0], "a modality")
            if m not in MODALITIES:
                raise self.error(args[0], f"unknown modality {m!r}", _suggest(m, MODALITIES))
            return Fact(src, line, col, "bool", lambda env, m=m: m in env.facts.modalities)
        # rate(name, window): counts the edge supplies, e.g. rate("posts", "1h").
        if len(args) != 2 or kws:
            raise self.error(node, "rate() takes an event name and a window", 'e.g. rate("posts", "1h")')
        key = f"{self.string(args[0], 'an event name')}/{self.string(args[1], 'a window')}"
        return Fact(src, line, col, "number",
                    lambda env, k=key: env.facts.rates[k] if k in env.facts.rates
                    else Unknown({f"rate:{k}"}))


def compile_policy(source: str, *, file: str = "<policy>") -> Policy:
    """Compile policy source; raises PolicyError pointing at file, line and column."""
    return _Compiler(source, file).compile()
