"""Korean HateSpeech (kocohub): entertainment-news comments, hate, offensive or none."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Iterator

from seawall.training.datasets._common import DatasetLoader
from seawall.training.datasets._read import read_rows
from seawall.training.datasets.base import Example
from seawall.training.datasets.split import hash_split

_HATE = {"hate": {"hate": 1, "offensive": 1},
         "offensive": {"offensive": 1, "hate": 0},
         "none": {"offensive": 0, "hate": 0}}


class KoreanHate(DatasetLoader):
    name = "korean-hate"
    folder = "korean-hate-speech"
    default_model = True
    official_test = True
    mapping = "\n".join((
        "hate -> hate=1, offensive=1",
        "offensive -> offensive=1, hate=0",
        "none -> offensive=0, hate=0",
        "bias (gender/others/none) kept in meta, not mapped",
        "split: train.tsv -> train (10% dev by text hash); dev.tsv -> test "
        "(the official test labels are not public)",
    ))

    def __init__(self, dev: float = 0.1, **kw) -> None:
        super().__init__(**kw)
        self.dev = dev

    def _examples(self, path: Path, skipped: Counter) -> Iterator[Example]:
        for name, is_test in (("train.tsv", False), ("dev.tsv", True)):
            for row in read_rows(path / name, skipped, delimiter="\t", quoted=False):
                text = row.get("comments", "").strip()
                hate = row.get("hate", "").strip().lower()
                if hate not in _HATE:
                    skipped[f"unknown label {hate!r}"] += 1
                    continue
                split = "test" if is_test else hash_split(text, test=0.0, dev=self.dev)
                meta = {"bias": row.get("bias", "").strip().lower(),
                        "gender_bias": row.get("contain_gender_bias", "").strip().lower() == "true"}
                yield Example(text=text, labels=dict(_HATE[hate]), dataset=self.name, split=split,
                              lang="ko", native=hate, meta=meta)
