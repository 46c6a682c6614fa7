"""HASOC 2019 (FIRE): hate and offensive posts in English, German and Hindi."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Iterator

from seawall.training.datasets._common import DatasetLoader, labels_of
from seawall.training.datasets._read import read_rows
from seawall.training.datasets.base import Example
from seawall.training.datasets.split import hash_split

_FILES = {"en": ("english_dataset.tsv", "english_data.tsv"),
          "de": ("german_dataset.tsv", "german_data.tsv"),
          "hi": ("hindi_dataset.tsv", "hindi_data.tsv")}

_TASK1 = {"HOF": {"offensive": 1},
          "NOT": {"offensive": 0, "hate": 0, "harassment": 0, "profanity": 0}}
# HASOC's PRFN is profanity "without hate or offense" by its definition, hence the zeros.
_TASK2 = {"HATE": {"hate": 1}, "OFFN": {"harassment": 1},
          "PRFN": {"profanity": 1, "hate": 0, "harassment": 0}, "NONE": {}}


class HASOC2019(DatasetLoader):
    name = "hasoc2019"
    folder = "hasoc2019"
    default_model = False
    official_test = True
    mapping = "\n".join((
        "task_1 HOF -> offensive=1",
        "task_1 NOT -> offensive=0, hate=0, harassment=0, profanity=0",
        "task_2 HATE -> hate=1",
        "task_2 OFFN -> harassment=1",
        "task_2 PRFN -> profanity=1, hate=0, harassment=0",
        "task_2 NONE (with HOF) -> nothing beyond task_1",
        "split: training_data -> train (10% dev by text hash), test_data_gold -> test",
    ))

    def __init__(self, langs: tuple[str, ...] = ("en", "de", "hi"), dev: float = 0.1, **kw) -> None:
        super().__init__(**kw)
        unknown = set(langs) - set(_FILES)
        if unknown:
            raise ValueError(f"unknown HASOC languages {sorted(unknown)}; valid: {sorted(_FILES)}")
        self.langs = tuple(langs)
        self.dev = dev

    def _examples(self, path: Path, skipped: Counter) -> Iterator[Example]:
        for lang in self.langs:
            train, test = _FILES[lang]
            for folder, name, is_test in (("training_data", train, False), ("test_data_gold", test, True)):
                for row in read_rows(path / folder / name, skipped, delimiter="\t", quoted=False):
                    text = row.get("text", "").strip()
                    t1 = row.get("task_1", "").strip().upper()
                    t2 = row.get("task_2", "").strip().upper() or "NONE"
                    if t1 not in _TASK1 or t2 not in _TASK2:
                        skipped[f"unknown label {t1!r}/{t2!r}"] += 1
                        continue
                    if t1 == "NOT" and t2 != "NONE":
                        skipped["task_1 NOT with a task_2 class"] += 1
                        continue
                    split = "test" if is_test else hash_split(text, test=0.0, dev=self.dev)
                    meta = {"id": row.get("text_id", "").strip(), "task_2": t2}
                    if row.get("task_3", "").strip():
                        meta["task_3"] = row["task_3"].strip().upper()
                    yield Example(text=text, labels=labels_of(_TASK1[t1], _TASK2[t2]),
                                  dataset=self.name, split=split, lang=lang, native=t1, meta=meta)
