"""L-HSAB: Levantine Arabic political tweets, normal, abusive or hate."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Iterator

from seawall.training.datasets._common import DatasetLoader
from seawall.training.datasets._read import read_rows
from seawall.training.datasets.base import Example
from seawall.training.datasets.split import hash_split

# Normal is defined as free of offensive, aggressive, insulting and profane content.
_CLASS = {"hate": {"hate": 1, "offensive": 1},
          "abusive": {"offensive": 1, "harassment": 1, "hate": 0},
          "normal": {"offensive": 0, "harassment": 0, "hate": 0, "profanity": 0}}


class LHSAB(DatasetLoader):
    name = "l-hsab"
    folder = "l-hsab-arabic"
    default_model = False
    mapping = "\n".join((
        "hate -> hate=1, offensive=1",
        "abusive -> offensive=1, harassment=1, hate=0",
        "normal -> offensive=0, harassment=0, hate=0, profanity=0",
        "split: none official; hash of the text, 80/10/10",
    ))

    def _examples(self, path: Path, skipped: Counter) -> Iterator[Example]:
        # Quoting stays on: a few tweets are quoted and run over several lines.
        for row in read_rows(path / "L-HSAB", skipped, delimiter="\t"):
            text = row.get("tweet", "").strip()
            cls = row.get("class", "").strip().lower()
            if cls not in _CLASS:
                skipped[f"unknown class {cls!r}"] += 1
                continue
            yield Example(text=text, labels=dict(_CLASS[cls]), dataset=self.name,
                          split=hash_split(text), lang="ar", native=cls)
