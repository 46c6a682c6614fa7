"""Text moderation speed: each tier, the cascade, and alt-profanity-check on the same texts.

    python bench/text/speed.py [--n 2000] [--single 300] [--compare OLD_MODEL_DIR] [--write]

Prints a markdown table (and appends it to bench/text/RESULTS.md with --write). The
baseline (alt-profanity-check, a peer doing the same job) runs in the same process on
the same texts, so the comparison holds on a noisy machine.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import time
from pathlib import Path

import numpy as np

from seawall.signals.text import default_cascade
from seawall.training.datasets import load


def sample_examples(n: int, seed: int = 7):
    exs = [e for e in load(splits=["test"]) if len(e.text) < 2000]
    random.Random(seed).shuffle(exs)
    return exs[:n]


def harmful(e) -> bool:
    """Labelled with any harm (profanity and the auxiliary heads aside)."""
    return any(v == 1 for k, v in e.labels.items() if k not in ("offensive", "minor", "profanity"))


def throughput(fn, texts: list[str], batch: int = 256) -> float:
    start = time.perf_counter()
    for i in range(0, len(texts), batch):
        fn(texts[i:i + batch])
    return len(texts) / (time.perf_counter() - start)


def latency(fn, texts: list[str]) -> tuple[float, float]:
    times = []
    for t in texts:
        s = time.perf_counter()
        fn([t])
        times.append((time.perf_counter() - s) * 1000)
    return float(np.percentile(times, 50)), float(np.percentile(times, 99))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--single", type=int, default=300)
    ap.add_argument("--write", action="store_true")
    ap.add_argument("--compare", type=Path, metavar="DIR",
                    help="also time the cascade of another model folder (e.g. a previous version) in this run")
    args = ap.parse_args()
    exs = sample_examples(args.n)
    texts = [e.text for e in exs]
    cascade = default_cascade()
    cascade.spans = False
    cascade.encoder.encode(["warm up"])

    from profanity_check import predict_prob

    predict_prob(["warm up"])
    runs = {
        "alt-profanity-check 1.9.1 (baseline)": lambda b: predict_prob(b),
        "seawall fast tier": lambda b: cascade.score(b, tier="fast"),
        "seawall encoder tier": lambda b: cascade.score(b, tier="encoder"),
        "seawall cascade": lambda b: cascade.score(b, tier="cascade"),
    }
    if args.compare:
        from seawall.signals.text.cascade import TextCascade
        from seawall.signals.text.model import TextModel

        other = TextCascade(TextModel.load(args.compare), cascade.encoder, spans=False)
        runs[f"cascade of {other.version}"] = lambda b: other.score(b, tier="cascade")
    rows = []
    for name, fn in runs.items():
        n = len(texts) if "encoder" not in name else min(len(texts), 600)  # the slow one
        tps = throughput(fn, texts[:n])
        p50, p99 = latency(fn, texts[:args.single])
        rows.append((name, tps, p50, p99))
    tiers = np.array([s.tier for s in cascade.score(texts, tier="cascade")])
    settled = tiers == "fast"
    english = tiers == "english"
    bad = np.array([harmful(e) for e in exs])
    fast_share = settled.mean()

    lines = [f"### Text speed ({time.strftime('%Y-%m-%d')}, {platform.machine()}, {os.cpu_count()} cores, "
             f"{len(texts)} test texts, model {cascade.version})", "",
             "| scorer | texts/s (batches of 256) | single-text p50 ms | p99 ms | vs baseline |",
             "|---|---|---|---|---|"]
    base = rows[0][1]
    for name, tps, p50, p99 in rows:
        lines.append(f"| {name} | {tps:,.0f} | {p50:.2f} | {p99:.2f} | {tps / base:.2g}× |")
    lines += ["", f"Cascade: {fast_share:.1%} of texts settled in the fast tier ({bad.mean():.0%} of them "
              f"labelled harmful: {settled[bad].mean():.1%} of those settled, {settled[~bad].mean():.1%} of the "
              f"rest); {english.mean():.1%} settled in the English tier (the fast tier and the English "
              f"encoder, without the multilingual encoder); {1 - fast_share - english.mean():.1%} encoded "
              f"by the multilingual encoder.", ""]
    table = "\n".join(lines)
    print(table)
    if args.write:
        with open(Path(__file__).with_name("RESULTS.md"), "a", encoding="utf-8") as f:
            f.write(table + "\n")


if __name__ == "__main__":
    main()
