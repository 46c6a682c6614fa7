"""Edges depend on the core, never the reverse: domain code imports no edge module."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "seawall"
EDGES = ("seawall.api", "seawall.console", "seawall.cli")
DOMAIN = ("signals", "content", "banks", "policy", "training", "types.py", "taxonomy.py", "flow.py")


def imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            out.add(node.module)
    return out


def test_domain_modules_import_no_edges():
    offenders = []
    for part in DOMAIN:
        target = SRC / part
        files = [target] if target.is_file() else sorted(target.rglob("*.py"))
        for f in files:
            if f.name == "http.py":  # a bank's HTTP router is itself an edge, kept beside its bank
                continue
            bad = [m for m in imports(f) if m.startswith(EDGES)]
            if bad:
                offenders.append(f"{f.relative_to(SRC)} imports {bad}")
    assert not offenders, offenders
