"""Leave-one-dataset-out: how a model does on a source it never saw (generalization)."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Sequence

import numpy as np

from seawall.errors import InvalidInput
from seawall.signals.text.cascade import TextCascade
from seawall.training import evaluate
from seawall.training.datasets.base import Example
from seawall.training.train import Recipe, train


def lodo_table(examples: Sequence[Example], in_domain: evaluate.Scores | None = None,
               datasets: Sequence[str] | None = None, bits: int = 17) -> list[dict]:
    """For each dataset with a test split: train the fast tier on every other dataset's
    train/dev data, score the held-out dataset's test split, per category it labels."""
    examples = list(examples)
    names = datasets or sorted({e.dataset for e in examples if e.split == "test"})
    rows = []
    for held in names:
        test = [e for e in examples if e.dataset == held and e.split == "test"]
        rest = [e for e in examples if e.dataset != held and e.split != "test"]
        cats = sorted({k for e in test for k in e.labels})
        if not test or not cats:
            continue
        with tempfile.TemporaryDirectory() as tmp:
            try:
                model = train(rest, Path(tmp), recipe=Recipe(bits=bits, encoder=False), only_heads=cats)
            except InvalidInput:
                continue  # no other dataset labels these categories: nothing to generalize from
            s = evaluate.score(TextCascade(model, spans=False), test, tier="fast")
        ind = {}
        if in_domain is not None:
            idx = np.array([i for i, e in enumerate(in_domain.examples) if e.dataset == held])
            if len(idx):
                ind = evaluate.per_category(in_domain, idx)
        for cat, m in evaluate.per_category(s).items():
            if cat not in model.heads:
                continue
            rows.append({"held_out": held, "category": cat, "n": m.n, "pr_auc": m.pr_auc,
                         "roc_auc": m.roc_auc, "f1": m.f1,
                         "in_domain_pr_auc": ind[cat].pr_auc if cat in ind else None})
    return rows
