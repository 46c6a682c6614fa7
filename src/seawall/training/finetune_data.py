"""Prepare the fine-tuning file: English examples, normalized text, masked labels, weights."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Sequence

import numpy as np

from seawall.training.datasets.base import Example
from seawall.training.train import dataset_weights, heads_for, label_matrix, normalized


def write(examples: Sequence[Example], path: Path, langs: tuple[str, ...] = ("en",),
          min_class: int = 15) -> list[str]:
    """One header line ({"heads", "datasets"}: what the encoder will have trained on), then {"t", "y", "w", "s", "d"} per example."""
    exs = [e for e in examples if e.lang in langs]
    heads = heads_for(exs, min_class)
    Y = label_matrix(exs, heads)
    split = np.array([e.split for e in exs])
    keep = [j for j in range(len(heads))
            if min((Y[split == "train", j] == 1).sum(), (Y[split == "train", j] == 0).sum()) >= min_class]
    heads, Y = [heads[j] for j in keep], Y[:, keep]
    w = dataset_weights(exs, np.arange(len(exs)))
    texts = normalized([e.text for e in exs])
    path.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(path, "wt", encoding="utf-8") as f:
        trained_on = sorted({e.dataset for e in exs if e.split == "train"})
        f.write(json.dumps({"heads": heads, "datasets": trained_on}) + "\n")
        for e, t, y, wi in zip(exs, texts, Y, w):
            f.write(json.dumps({"t": t, "y": y.tolist(), "w": round(float(wi), 4), "s": e.split,
                                "d": e.dataset}, ensure_ascii=False) + "\n")
    return heads


def main(argv: Sequence[str] | None = None) -> None:
    """python -m seawall.training.finetune_data OUT [--dataset NAME | --data FILE] [--lang L]

    With no --dataset/--data: the default model's data (every default-licensed set and
    the seed corpus). With them: your data, as `seawall train` reads it, for fine-tuning
    an English (or --lang) encoder on your own labels."""
    import argparse

    from seawall.training.corpus import training_examples

    ap = argparse.ArgumentParser(prog="python -m seawall.training.finetune_data")
    ap.add_argument("out", type=Path)
    ap.add_argument("--dataset", action="append", default=None, metavar="NAME")
    ap.add_argument("--data", action="append", default=[], type=Path, metavar="FILE")
    ap.add_argument("--lang", action="append", default=None, metavar="CODE",
                    help="languages to keep (default: en)")
    ap.add_argument("--no-seed", action="store_true", help="leave out the project's seed corpus")
    args = ap.parse_args(argv)
    examples = training_examples(not (args.dataset or args.data), args.dataset, args.data, no_seed=args.no_seed)
    print(write(examples, args.out, langs=tuple(args.lang or ("en",))))


if __name__ == "__main__":
    main()
