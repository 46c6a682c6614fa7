"""`seawall policy check|test|explain`: compile a policy, run its example tests, say why an item was decided."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("policy", help="check, test and explain policies")
    psub = p.add_subparsers(dest="policy_command", metavar="ACTION")

    check = psub.add_parser("check", help="compile policy files; errors show file:line:column")
    check.add_argument("files", nargs="*", help="policy files (default: the shipped default policy)")
    check.set_defaults(func=cmd_check)

    test = psub.add_parser("test", help="run a policy's example items against their expected decisions")
    test.add_argument("policy", nargs="?", help="policy file (default: the shipped default policy)")
    test.add_argument("--tests", help="YAML test file (default: POLICY's sibling NAME.tests.yaml)")
    test.add_argument("-v", "--verbose", action="store_true", help="explain failing cases")
    test.set_defaults(func=cmd_test)

    explain = psub.add_parser("explain", help="why an item got its decision: rules, facts, thresholds")
    explain.add_argument("--policy", help="policy file (default: the one that made the decision, or the live one)")
    src = explain.add_mutually_exclusive_group(required=True)
    src.add_argument("--decision", help="a stored decision id")
    src.add_argument("--input", help="JSON Lines items (scan's fields; may carry scores/signals/banks as in tests)")
    src.add_argument("--text", help="one text item, run through the classifiers")
    explain.add_argument("--json", action="store_true", help="print JSON instead of text")
    explain.add_argument("-a", "--all", action="store_true", help="also list rules that did not hold")
    explain.set_defaults(func=cmd_explain)
    p.set_defaults(func=lambda args: p.print_help() or 2)


def _load(path: str | None):
    from seawall.policy import default_policy, load_policy

    return load_policy(path) if path else default_policy()


def cmd_check(args: argparse.Namespace) -> int:
    from seawall.policy import PolicyError

    failed = 0
    for path in args.files or [None]:
        try:
            policy = _load(path)
        except PolicyError as exc:
            print(exc.render(), file=sys.stderr)
            failed += 1
            continue
        print(f"ok: {policy.file}: version {policy.version}, {len(policy.rules)} rules, "
              f"{len(policy.conditions)} named conditions")
    return 1 if failed else 0


def _tests_for(policy_path: str | None, tests: str | None) -> Path:
    from seawall.policy.loader import default_tests_path

    if tests:
        return Path(tests)
    if not policy_path:
        return default_tests_path()
    p = Path(policy_path)
    for candidate in (p.with_suffix(".tests.yaml"), p.with_name(p.stem + "_tests.yaml")):
        if candidate.exists():
            return candidate
    from seawall.errors import InvalidInput

    raise InvalidInput(f"no tests found next to {p} (looked for {p.stem}.tests.yaml); pass --tests")


def cmd_test(args: argparse.Namespace) -> int:
    from seawall.policy import PolicyError, render
    from seawall.policy.testing import run_tests

    try:
        policy = _load(args.policy)
        tests = _tests_for(args.policy, args.tests)
        results = run_tests(policy, tests)
    except PolicyError as exc:
        print(exc.render(), file=sys.stderr)
        return 1
    failed = [r for r in results if not r.ok]
    for r in results:
        mark = "ok  " if r.ok else "FAIL"
        print(f"{mark} {r.case.name}  ({tests}:{r.case.line})")
        for f in r.failures:
            print(f"       {f}")
        if not r.ok and args.verbose:
            print("\n".join("       " + line for line in render(r.outcome, item_id=r.case.content.id).splitlines()))
    print(f"{len(results) - len(failed)} passed, {len(failed)} failed")
    return 1 if failed else 0


def _stored(decision_id: str, policy_path: str | None):
    from seawall.errors import NotFound
    from seawall.policy import compile_policy
    from seawall.policy.shadow import signals_of
    from seawall.storage import decisions as store
    from seawall.storage import policies as policy_store
    from seawall.storage.db import open_database

    db = open_database()
    with db.session() as session:
        row = store.get(session, decision_id)
        content, signals = store.content_of(row), signals_of(store.to_decision(row))
        if policy_path:
            return content, signals, _load(policy_path)
        try:
            source = policy_store.get(session, row.policy_version).source
            return content, signals, compile_policy(source, file=f"policy:{row.policy_version}")
        except NotFound:
            policy = _load(None)
            if policy.version != row.policy_version:
                raise NotFound(f"policy {row.policy_version!r} is not stored; pass --policy FILE") from None
            return content, signals, policy


def _items(args: argparse.Namespace):
    """(content, signals) pairs from --input or --text; test-style scores skip the classifiers."""
    from seawall.policy.testing import ITEM_KEYS, _signals
    from seawall.types import Content

    if args.text is not None:
        rows = [{"id": "text", "text": args.text}]
    else:
        handle = sys.stdin if args.input == "-" else open(args.input, encoding="utf-8")
        with handle:
            rows = [json.loads(line) for line in handle if line.strip()]
    for n, row in enumerate(rows):
        item = {k: v for k, v in row.items() if k in ITEM_KEYS}
        meta = {k: item.pop(k) for k in ("author", "rates", "reach") if k in item}
        content = Content(id=str(item.pop("id", n)), meta=meta, **item)
        if any(k in row for k in ("scores", "signals", "banks", "missing")):
            yield content, _signals(args.input or "<text>", row, content)
        else:
            from seawall.flow import signals_for

            yield content, signals_for(content)


def cmd_explain(args: argparse.Namespace) -> int:
    from seawall.policy import explain_json, outcome_for, render

    if args.decision:
        content, signals, policy = _stored(args.decision, args.policy)
        pairs = [(content, signals)]
    else:
        policy = _load(args.policy)
        pairs = list(_items(args))
    for content, signals in pairs:
        outcome = outcome_for(content, signals, policy)
        if args.json:
            print(json.dumps({"id": content.id, **explain_json(outcome)}))
        else:
            print(render(outcome, item_id=content.id, verbose=args.all))
            print()
    return 0
