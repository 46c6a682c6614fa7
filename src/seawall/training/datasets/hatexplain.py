"""HateXplain (via MBIB): English Twitter and Gab posts, hate speech, offensive or normal."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Iterator

from seawall.training.datasets._common import DatasetLoader
from seawall.training.datasets._read import read_rows, read_text
from seawall.training.datasets.base import Example

# MBIB's `category` column; 3 is "undecided" (no annotator majority) and is skipped.
_CATEGORY = {
    "0": ("normal", {"offensive": 0, "hate": 0, "harassment": 0}),
    "1": ("hatespeech", {"hate": 1, "offensive": 1}),
    "2": ("offensive", {"offensive": 1, "hate": 0}),
}
_SPLITS = {"train": "train", "val": "dev", "test": "test"}


class HateXplain(DatasetLoader):
    name = "hatexplain"
    folder = "hatexplain-mbib-derived"
    default_model = True
    official_test = True
    mapping = "\n".join((
        "hatespeech (category 1) -> hate=1, offensive=1",
        "offensive (category 2) -> offensive=1, hate=0",
        "normal (category 0) -> offensive=0, hate=0, harassment=0",
        "undecided (category 3) -> skipped",
        "split: the official post_id_divisions.json (train/val/test -> train/dev/test)",
    ))

    def _examples(self, path: Path, skipped: Counter) -> Iterator[Example]:
        divisions = json.loads(read_text(path / "post_id_divisions.json"))
        split_of = {pid: _SPLITS[part] for part, ids in divisions.items() if part in _SPLITS for pid in ids}
        for row in read_rows(path / "092-HateXplain.csv", skipped):
            pid = row.get("", "").strip()
            cat = row.get("category", "").strip()
            if cat == "3":
                skipped["undecided"] += 1
                continue
            if cat not in _CATEGORY:
                skipped[f"unknown category {cat!r}"] += 1
                continue
            if pid not in split_of:
                skipped["post id not in the official split"] += 1
                continue
            native, labels = _CATEGORY[cat]
            source = pid.rsplit("_", 1)[-1] if "_" in pid else ""
            yield Example(text=row.get("text", "").strip(), labels=dict(labels), dataset=self.name,
                          split=split_of[pid], lang="en", native=native,
                          meta={"id": pid, "source": source})
