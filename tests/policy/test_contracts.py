"""Contracts: the public surface, the layering, and the docs' example policy."""

import ast
import re
from pathlib import Path

import seawall.policy
from seawall.policy import compile_policy

SRC = Path(seawall.policy.__file__).parent
DOCS = Path(__file__).resolve().parents[2] / "docs" / "policy.md"


def test_public_surface_is_exactly_what_is_meant():
    assert sorted(seawall.policy.__all__) == sorted([
        "LADDER", "Effect", "Facts", "Outcome", "Policy", "PolicyError", "Rule", "active_policy",
        "compile_policy", "decide", "default_policy", "evaluate", "explain_json", "gather", "load_policy",
        "outcome_for", "render", "set_active_policy"])


def test_policy_imports_no_edge_or_storage_code():
    forbidden = ("seawall.api", "seawall.cli", "seawall.storage", "seawall.jobs", "seawall.actions",
                 "sqlalchemy", "fastapi")
    for path in SRC.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            for name in names:
                assert not name.startswith(forbidden), f"{path.name} imports {name}"


def test_the_example_in_the_docs_compiles():
    [example] = re.findall(r"```python\n(.*?)```", DOCS.read_text(), re.S)
    policy = compile_policy(example, file="docs/policy.md")
    assert [r.name for r in policy.rules] == ["hate_remove"]
