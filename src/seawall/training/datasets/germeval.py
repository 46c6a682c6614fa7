"""GermEval 2018: German tweets, OFFENSE/OTHER and the fine classes ABUSE, INSULT, PROFANITY."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Iterator

from seawall.training.datasets._common import DatasetLoader, labels_of
from seawall.training.datasets._read import read_rows
from seawall.training.datasets.base import Example
from seawall.training.datasets.split import hash_split

_COARSE = {"OFFENSE": {"offensive": 1},
           "OTHER": {"offensive": 0, "harassment": 0, "hate": 0, "profanity": 0}}
# ABUSE covers identity-based abuse and plain degradation alike, so hate stays unknown.
# PROFANITY is by the guidelines swearing without insult or abuse: hence its zeros.
_FINE = {"ABUSE": {"harassment": 1}, "INSULT": {"harassment": 1},
         "PROFANITY": {"profanity": 1, "harassment": 0, "hate": 0}, "OTHER": {}}


class GermEval2018(DatasetLoader):
    name = "germeval2018"
    folder = "germeval2018"
    default_model = True
    official_test = True
    mapping = "\n".join((
        "OFFENSE -> offensive=1",
        "OTHER -> offensive=0, harassment=0, hate=0, profanity=0",
        "fine INSULT -> harassment=1",
        "fine ABUSE -> harassment=1 (includes identity abuse; hate left unknown)",
        "fine PROFANITY -> profanity=1, harassment=0, hate=0",
        "split: training file -> train (10% dev by text hash), test file -> test",
    ))

    def __init__(self, dev: float = 0.1, **kw) -> None:
        super().__init__(**kw)
        self.dev = dev

    def _examples(self, path: Path, skipped: Counter) -> Iterator[Example]:
        for name, is_test in (("germeval2018.training.txt", False), ("germeval2018.test.txt", True)):
            rows = read_rows(path / name, skipped, delimiter="\t", quoted=False,
                             columns=("text", "coarse", "fine"))
            for row in rows:
                text = row["text"].strip()
                coarse, fine = row["coarse"].strip().upper(), row["fine"].strip().upper()
                if coarse not in _COARSE or fine not in _FINE or (coarse == "OTHER") != (fine == "OTHER"):
                    skipped[f"unknown or inconsistent label {coarse!r}/{fine!r}"] += 1
                    continue
                split = "test" if is_test else hash_split(text, test=0.0, dev=self.dev)
                yield Example(text=text, labels=labels_of(_COARSE[coarse], _FINE[fine]),
                              dataset=self.name, split=split, lang="de", native=coarse,
                              meta={"fine": fine})
