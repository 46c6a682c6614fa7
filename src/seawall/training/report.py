"""The evaluation report: one self-contained HTML page (inline SVG curves, no scripts) and JSON."""

from __future__ import annotations

import html
import json
from pathlib import Path

import numpy as np
from sklearn.metrics import precision_recall_curve

from seawall.training.evaluate import Metrics, Scores


def _fmt(v) -> str:
    if v is None:
        return "–"
    if isinstance(v, float):
        return f"{v:.3f}"
    return html.escape(str(v))


def _table(rows: list[dict], cols: list[str]) -> str:
    head = "".join(f"<th>{html.escape(c)}</th>" for c in cols)
    body = "".join("<tr>" + "".join(f"<td>{_fmt(r.get(c))}</td>" for c in cols) + "</tr>" for r in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _svg_curve(points: list[tuple[float, float]], title: str, xlabel: str, ylabel: str,
               diagonal: bool = False, size: int = 220) -> str:
    pad = 30
    inner = size - 2 * pad

    def xy(x, y):
        return pad + x * inner, size - pad - y * inner

    path = " ".join(f"{'M' if i == 0 else 'L'}{xy(x, y)[0]:.1f},{xy(x, y)[1]:.1f}"
                    for i, (x, y) in enumerate(points))
    diag = (f'<line x1="{pad}" y1="{size - pad}" x2="{size - pad}" y2="{pad}" stroke="#bbb" '
            f'stroke-dasharray="3,3"/>' if diagonal else "")
    return (f'<svg width="{size}" height="{size}" viewBox="0 0 {size} {size}" role="img" '
            f'aria-label="{html.escape(title)}"><rect x="{pad}" y="{pad}" width="{inner}" height="{inner}" '
            f'fill="none" stroke="#888"/>{diag}<path d="{path}" fill="none" stroke="#1f6feb" stroke-width="2"/>'
            f'<text x="{size / 2}" y="14" text-anchor="middle" font-size="11">{html.escape(title)}</text>'
            f'<text x="{size / 2}" y="{size - 6}" text-anchor="middle" font-size="10">{xlabel}</text>'
            f'<text x="10" y="{size / 2}" font-size="10" transform="rotate(-90 10 {size / 2})" '
            f'text-anchor="middle">{ylabel}</text></svg>')


def pr_points(p: np.ndarray, y: np.ndarray, max_points: int = 80) -> list[tuple[float, float]]:
    prec, rec, _ = precision_recall_curve(y, p)
    step = max(1, len(rec) // max_points)
    return [(float(r), float(q)) for r, q in zip(rec[::step], prec[::step])]


def write(out_dir: Path, *, title: str, scores: Scores, overall: dict[str, Metrics],
          by_dataset: dict, by_lang: dict, benchmarks: list[dict], lodo: list[dict],
          extra: dict | None = None, operating: dict | None = None) -> Path:
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    cols = ["category", "n", "positives", "pr_auc", "roc_auc", "threshold", "precision", "recall",
            "f1", "macro_f1", "ece"]
    overall_rows = [{"category": c, **m.row()} for c, m in overall.items()]
    parts = [f"<h1>{html.escape(title)}</h1>"]
    if extra:
        parts.append("<pre>" + html.escape(json.dumps(extra, indent=1)) + "</pre>")
    parts.append("<h2>Published benchmarks</h2>")
    parts.append(_table(benchmarks, ["benchmark", "ours", "published", "beats", "n", "source"]))
    parts.append("<h2>Per category</h2>" + _table(overall_rows, cols))
    if operating is not None:
        parts.append(f"<h2>Operating points for a precision of {operating['target_precision']:.2f}"
                     + (f", at most {operating['max_flag_rate']:.1%} flagged" if operating["max_flag_rate"] else "")
                     + "</h2><p>Chosen on these rows; the held-out columns choose again on a random half "
                     "and measure on the other half.</p>")
        rows = [{"category": c, **{k: v for k, v in d.items() if k != "held_out"},
                 **{f"held_out_{k}": v for k, v in (d.get("held_out") or {}).items()}}
                for c, d in operating["detail"].items()]
        parts.append(_table(rows, ["category", "threshold", "model_threshold", "precision", "precision_lower",
                                   "recall", "flag_rate", "positives", "held_out_precision", "held_out_recall"]))
        if operating["unmet"]:
            parts.append(_table([{"category": c, "why": w} for c, w in operating["unmet"].items()],
                                ["category", "why"]))
    parts.append("<h2>Precision–recall and reliability</h2><div class='curves'>")
    for c in overall:
        p, y = scores.labelled(c)
        if 0 < y.sum() < len(y):
            parts.append(_svg_curve(pr_points(p, y), f"{c} PR", "recall", "precision"))
            rel = [(a, b) for a, b, _ in overall[c].reliability]
            if len(rel) > 1:
                parts.append(_svg_curve(rel, f"{c} reliability", "predicted", "observed", diagonal=True))
    parts.append("</div>")
    if lodo:
        parts.append("<h2>Leave one dataset out (fast tier)</h2>"
                     "<p>Each row: trained without the dataset, tested on its test split.</p>")
        parts.append(_table(lodo, ["held_out", "category", "n", "pr_auc", "roc_auc", "f1",
                                   "in_domain_pr_auc"]))
    for name, groups in (("dataset", by_dataset), ("language", by_lang)):
        parts.append(f"<h2>Slices by {name}</h2>")
        rows = [{"slice": g, "category": c, **m.row()} for g, ms in groups.items() for c, m in ms.items()]
        parts.append(_table(rows, ["slice", *cols]))
    page = ("<!doctype html><html><head><meta charset='utf-8'><title>" + html.escape(title) +
            "</title><style>body{font:14px system-ui,sans-serif;margin:2em;max-width:1200px}"
            "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ddd;padding:3px 8px;"
            "text-align:right}th{background:#f4f4f4}.curves{display:flex;flex-wrap:wrap;gap:8px}"
            "</style></head><body>" + "".join(parts) + "</body></html>")
    path = out_dir / "report.html"
    path.write_text(page, encoding="utf-8")
    data = {"benchmarks": benchmarks, "overall": {c: m.row() for c, m in overall.items()},
            "by_dataset": {g: {c: m.row() for c, m in ms.items()} for g, ms in by_dataset.items()},
            "by_lang": {g: {c: m.row() for c, m in ms.items()} for g, ms in by_lang.items()},
            "lodo": lodo, **(extra or {}), **({"operating_points": operating} if operating is not None else {})}
    (out_dir / "report.json").write_text(json.dumps(data, indent=1))
    return path
