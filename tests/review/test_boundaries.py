"""Review and feedback are domain code: they never import the edges (console, api, cli)."""

import ast
from pathlib import Path

import seawall

SRC = Path(seawall.__file__).resolve().parent
EDGES = ("seawall.console", "seawall.api", "seawall.cli")


def _imports(path: Path):
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            yield node.module
        elif isinstance(node, ast.Import):
            yield from (a.name for a in node.names)


def test_review_and_feedback_import_no_edge():
    offenders = []
    for package in ("review", "feedback"):
        for path in (SRC / package).glob("*.py"):
            if path.name == "testing.py":   # test helpers build the real app on purpose
                continue
            offenders += [f"{path.name}: {m}" for m in _imports(path) if m.startswith(EDGES)]
    assert offenders == []


def test_public_surfaces_are_what_is_meant():
    import seawall.console
    import seawall.feedback

    assert sorted(seawall.console.__all__) == ["mount", "router"]
    assert sorted(seawall.feedback.__all__) == ["BankSink", "LabelRecorder", "MediaBanker", "ReferenceBanks",
                                                "default_subscribers", "export_jsonl", "sample_uncertain"]
