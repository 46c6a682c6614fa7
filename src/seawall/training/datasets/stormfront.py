"""Stormfront (de Gibert et al. 2018): sentences from a white-supremacist forum, hate or not."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Iterator

from seawall.training.datasets._common import DatasetLoader
from seawall.training.datasets._read import read_rows
from seawall.training.datasets.base import Example
from seawall.training.datasets.split import hash_split

_LABEL = {"hate": {"hate": 1}, "nohate": {"hate": 0}}
_SKIP = {"relation", "idk/skip"}


class Stormfront(DatasetLoader):
    name = "stormfront"
    folder = "stormfront-vicomtech"
    default_model = True
    official_test = True
    mapping = "\n".join((
        "hate -> hate=1",
        "noHate -> hate=0",
        "relation (hate only with neighbouring sentences), idk/skip -> skipped",
        "split: sampled_split train/test (the authors' balanced sets) as given; the other "
        "sentences -> train or dev (10%) by text hash, never test, so test stays the authors'",
    ))

    def __init__(self, dev: float = 0.1, **kw) -> None:
        super().__init__(**kw)
        self.dev = dev

    def _examples(self, path: Path, skipped: Counter) -> Iterator[Example]:
        for row in read_rows(path / "stormfront_sentences.csv", skipped):
            text = row.get("text", "").strip()
            label = row.get("label", "").strip()
            if label.lower() in _SKIP:
                skipped[f"label {label}"] += 1
                continue
            if label.lower() not in _LABEL:
                skipped[f"unknown label {label!r}"] += 1
                continue
            sampled = row.get("sampled_split", "").strip().lower()
            split = sampled if sampled in ("train", "test") else hash_split(text, test=0.0, dev=self.dev)
            meta = {"id": row.get("file_id", "").strip(), "sampled": bool(sampled),
                    "subforum_id": row.get("subforum_id", "").strip()}
            yield Example(text=text, labels=dict(_LABEL[label.lower()]), dataset=self.name,
                          split=split, lang="en", native=label, meta=meta)
