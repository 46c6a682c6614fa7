"""Evaluation: per-category quality, calibration, slices, and the published benchmarks."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Sequence

import numpy as np
from sklearn.metrics import average_precision_score, f1_score, roc_auc_score

from seawall.signals.text.cascade import TextCascade
from seawall.training import calibrate
from seawall.training.datasets.base import Example

# Published results to beat, on the official test splits (../shared/data/README.md).
BENCHMARKS = {
    # name: (dataset, languages or None, head, metric, published figure, source)
    "OLID A macro-F1": ("olid", None, "offensive", "macro_f1", 0.829, "best OffensEval 2019 team"),
    "HASOC 2019 en macro-F1": ("hasoc2019", ("en",), "offensive", "macro_f1", 0.78, "HASOC 2019 best"),
    "HASOC 2019 hi macro-F1": ("hasoc2019", ("hi",), "offensive", "macro_f1", 0.81, "HASOC 2019 best"),
    "HASOC 2019 de macro-F1": ("hasoc2019", ("de",), "offensive", "macro_f1", 0.61, "HASOC 2019 best"),
    "Davidson hate F1": ("davidson", None, "hate", "pos_f1", 0.51, "Davidson et al. 2017"),
}


@dataclass
class Scores:
    """Every example's scores from one model run, so metrics never rescore."""

    examples: list[Example]
    probs: dict[str, np.ndarray]          # head/category → [n]
    tiers: list[str]
    thresholds: dict[str, float]

    def labelled(self, name: str, rows: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        idx = np.arange(len(self.examples)) if rows is None else rows
        y = np.array([self.examples[i].labels.get(name, -1) for i in idx])
        keep = y >= 0
        return self.probs[name][idx][keep], y[keep]


def score(cascade: TextCascade, examples: Sequence[Example], tier: str = "cascade",
          batch: int = 512, progress=None) -> Scores:
    examples = list(examples)
    names = list(dict.fromkeys([*cascade.model.heads, "sexual/minors"]))
    probs = {n: np.zeros(len(examples)) for n in names}
    tiers: list[str] = []
    for start in range(0, len(examples), batch):
        part = examples[start:start + batch]
        # Languages are detected, as in production, not taken from the dataset.
        out = cascade.score([e.text for e in part], tier=tier)
        for k, s in enumerate(out):
            merged = {**s.scores, **s.aux}
            for n in names:
                probs[n][start + k] = merged.get(n, 0.0)
            tiers.append(s.tier)
        if progress:
            progress(len(part))
    th = dict(cascade.model.thresholds)
    th.setdefault("sexual/minors", 0.5)
    return Scores(examples, probs, tiers, th)


@dataclass
class Metrics:
    n: int
    positives: int
    pr_auc: float | None
    roc_auc: float | None
    precision: float | None
    recall: float | None
    f1: float | None
    macro_f1: float | None
    ece: float | None
    threshold: float
    reliability: list = field(default_factory=list)

    def row(self) -> dict:
        return {k: (round(v, 4) if isinstance(v, float) else v) for k, v in self.__dict__.items()
                if k != "reliability"}


def metrics(p: np.ndarray, y: np.ndarray, threshold: float) -> Metrics:
    n, pos = len(y), int(y.sum())
    both = 0 < pos < n
    pred = p >= threshold
    tp = int((pred & (y == 1)).sum())
    prec = tp / pred.sum() if pred.sum() else (None if pos == 0 else 0.0)
    rec = tp / pos if pos else None
    f1 = (2 * prec * rec / (prec + rec) if prec and rec else 0.0) if (prec is not None and rec is not None) else None
    return Metrics(
        n=n, positives=pos,
        pr_auc=float(average_precision_score(y, p)) if both else None,
        roc_auc=float(roc_auc_score(y, p)) if both else None,
        precision=prec, recall=rec, f1=f1,
        macro_f1=float(f1_score(y, pred, average="macro")) if both else None,
        ece=calibrate.expected_calibration_error(p, y) if n else None,
        threshold=threshold,
        reliability=calibrate.reliability(p, y) if n else [],
    )


def per_category(s: Scores, rows: np.ndarray | None = None) -> dict[str, Metrics]:
    out = {}
    for name in s.probs:
        p, y = s.labelled(name, rows)
        if len(y):
            out[name] = metrics(p, y, s.thresholds.get(name, 0.5))
    return out


def slices(s: Scores, key: str) -> dict[str, dict[str, Metrics]]:
    """Per-category metrics for each value of `key` ("dataset" or "lang")."""
    groups: dict[str, list[int]] = defaultdict(list)
    for i, e in enumerate(s.examples):
        groups[getattr(e, key)].append(i)
    return {g: per_category(s, np.array(rows)) for g, rows in sorted(groups.items())}


def _bench_rows(s: Scores, ds: str, langs) -> np.ndarray:
    return np.array([i for i, e in enumerate(s.examples)
                     if e.dataset == ds and (langs is None or e.lang in langs)], dtype=int)


def benchmarks(s: Scores, dev: Scores | None = None) -> list[dict]:
    """The published comparisons, for the sets present in the scored examples.

    `ours` uses the model's shipped threshold. With `dev` (the same model's scores on the
    sets' dev splits), `ours_dev_threshold` uses the threshold that maximizes the metric
    on the set's own dev split: how a deployment tunes its operating point from data.
    """
    rows = []
    for name, (ds, langs, head, metric, published, source) in BENCHMARKS.items():
        idx = _bench_rows(s, ds, langs)
        if len(idx) == 0 or head not in s.probs:
            continue
        p, y = s.labelled(head, idx)
        if len(y) == 0:
            continue
        value = _metric(p, y, s.thresholds.get(head, 0.5), metric)
        row = {"benchmark": name, "ours": round(value, 4) if value is not None else None,
               "published": published, "source": source, "n": len(y),
               "beats": bool(value is not None and value > published)}
        if dev is not None:
            didx = _bench_rows(dev, ds, langs)
            if len(didx):
                dp, dy = dev.labelled(head, didx)
                if 0 < dy.sum() < len(dy):
                    grid = np.unique(np.quantile(dp, np.linspace(0.01, 0.99, 99)))
                    t = max(grid, key=lambda th: _metric(dp, dy, th, metric) or 0.0)
                    v2 = _metric(p, y, float(t), metric)
                    row.update({"ours_dev_threshold": round(v2, 4), "dev_threshold": round(float(t), 4),
                                "beats_dev_threshold": bool(v2 > published)})
        rows.append(row)
    return rows


def _metric(p: np.ndarray, y: np.ndarray, threshold: float, metric: str) -> float | None:
    m = metrics(p, y, threshold)
    v = m.macro_f1 if metric == "macro_f1" else m.f1
    return None if v is None else float(v)


def operating_points(s: Scores, target_precision: float, max_flag_rate: float | None = None,
                     min_positives: int = 20) -> dict:
    """Per category, the threshold an operator can set on their own labelled traffic
    (`policy(thresholds=...)`): the most recall whose precision is at least the target
    with 95% confidence, flagging at most `max_flag_rate` of the texts. Categories with
    fewer than `min_positives` labelled positives, or where no threshold qualifies, are
    listed as unmet, never guessed."""
    chosen, detail, unmet = {}, {}, {}
    for name in s.probs:
        p, y = s.labelled(name)
        if len(y) == 0:
            continue
        if y.sum() < min_positives:
            unmet[name] = f"{int(y.sum())} labelled positives (need {min_positives})"
            continue
        point = calibrate.precision_threshold(p, y, target_precision, max_flag_rate)
        if point is None:
            unmet[name] = "no threshold reaches the target on this data"
            continue
        point["model_threshold"] = s.thresholds.get(name, 0.5)
        # A threshold judged on the rows it was chosen on flatters itself: choose again on a
        # random half and report what it does on the other half.
        half = np.random.default_rng(0).permutation(len(y)) % 2 == 0
        again = calibrate.precision_threshold(p[half], y[half], target_precision, max_flag_rate)
        if again is not None:
            f, yo = p[~half] >= again["threshold"], y[~half]
            point["held_out"] = {"threshold": again["threshold"], "precision": float(yo[f].mean()) if f.any() else None,
                                 "recall": float(yo[f].sum() / max(yo.sum(), 1)), "n": int(len(yo))}
        chosen[name] = round(point["threshold"], 6)
        detail[name] = _rounded(point)
    return {"target_precision": target_precision, "max_flag_rate": max_flag_rate,
            "thresholds": chosen, "detail": detail, "unmet": unmet}


def _rounded(d: dict) -> dict:
    return {k: _rounded(v) if isinstance(v, dict) else round(v, 6) if isinstance(v, float) else v
            for k, v in d.items()}


def tier_share(s: Scores) -> dict[str, float]:
    c = defaultdict(int)
    for t in s.tiers:
        c[t] += 1
    return {k: round(v / max(len(s.tiers), 1), 4) for k, v in sorted(c.items())}
