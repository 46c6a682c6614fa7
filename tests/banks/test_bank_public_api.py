"""The public surfaces of banks and hashers are exactly what is meant; domain code stays off edges."""

from __future__ import annotations

import ast
from pathlib import Path

import seawall.banks as banks
import seawall.signals.hashers as hashers

SRC = Path(banks.__file__).resolve().parents[1]


def test_banks_public_names():
    assert sorted(banks.__all__) == ["Bank", "BankService", "Entry", "ImportReport", "Match",
                                     "get_service"]
    assert all(hasattr(banks, n) for n in banks.__all__)


def test_hashers_public_names():
    assert sorted(hashers.__all__) == sorted([
        "Hasher", "DigestHasher", "PdqHash", "PdqHasher", "TextMinHasher", "VpdqFrame",
        "VpdqHasher", "KINDS", "get_hasher", "kind_from_te_name"])
    assert all(hasattr(hashers, n) for n in hashers.__all__)


def test_bank_and_hasher_domain_code_imports_no_edge():
    edges = ("seawall.api", "seawall.cli", "seawall.console", "fastapi", "starlette")
    files = [p for p in (SRC / "banks").rglob("*.py") if p.name != "http.py"]
    files += list((SRC / "signals" / "hashers").rglob("*.py"))
    for path in files:
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import) else
                     [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            for name in names:
                assert not name.startswith(edges), f"{path.name} imports {name}"


def test_every_bank_module_says_what_belongs_there():
    for path in list((SRC / "banks").rglob("*.py")) + list((SRC / "signals" / "hashers").rglob("*.py")):
        doc = ast.get_docstring(ast.parse(path.read_text()))
        assert doc and doc.strip(), f"{path} has no module docstring"
