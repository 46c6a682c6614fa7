"""Davidson et al. 2017: English tweets labelled hate speech, offensive language or neither."""

from __future__ import annotations

import html
from collections import Counter
from pathlib import Path
from typing import Iterator

from seawall.training.datasets._common import DatasetLoader
from seawall.training.datasets._read import read_rows
from seawall.training.datasets.base import Example
from seawall.training.datasets.split import hash_split

_LABELS = {
    "0": ("hate", {"hate": 1, "offensive": 1}),
    "1": ("offensive", {"offensive": 1, "hate": 0}),
    "2": ("neither", {"offensive": 0, "hate": 0, "harassment": 0, "profanity": 0}),
}


class Davidson(DatasetLoader):
    name = "davidson"
    folder = "davidson-hate-offensive"
    default_model = True
    mapping = "\n".join((
        "class 0 hate speech -> hate=1, offensive=1",
        "class 1 offensive language -> offensive=1, hate=0",
        "class 2 neither -> offensive=0, hate=0, harassment=0, profanity=0",
        "split: none official; hash of the text, 80/10/10",
    ))

    def _examples(self, path: Path, skipped: Counter) -> Iterator[Example]:
        for row in read_rows(path / "labeled_data.csv", skipped):
            cls = row.get("class", "").strip()
            if cls not in _LABELS:
                skipped[f"unknown class {cls!r}"] += 1
                continue
            native, labels = _LABELS[cls]
            # The CSV keeps Twitter's HTML escaping (&amp; &#128514;); users type the characters.
            text = html.unescape(row.get("tweet", "")).strip()
            votes = {k: int(v) for k in ("count", "hate_speech", "offensive_language", "neither")
                     if (v := row.get(k, "").strip()).isdigit()}
            yield Example(text=text, labels=dict(labels), dataset=self.name, split=hash_split(text),
                          lang="en", native=native, meta={"votes": votes})
