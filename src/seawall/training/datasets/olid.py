"""OLID v1.0 (OffensEval 2019): English tweets, offensive or not, targeted or not, and at whom."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Iterator

from seawall.training.datasets._common import DatasetLoader, labels_of
from seawall.training.datasets._read import read_rows
from seawall.training.datasets.base import Example
from seawall.training.datasets.split import hash_split

# NOT is a judgment that none of the toxic categories applies. Violence is left out on
# purpose: a calm news tweet about a shooting is NOT in OLID but is violence to us.
_NOT = {"offensive": 0, "harassment": 0, "hate": 0, "profanity": 0,
        "harassment/threatening": 0, "hate/threatening": 0}


class OLID(DatasetLoader):
    name = "olid"
    folder = "olid"
    default_model = True
    official_test = True
    mapping = "\n".join((
        "A NOT -> offensive=0, harassment=0, hate=0, profanity=0, harassment/threatening=0, "
        "hate/threatening=0",
        "A OFF -> offensive=1",
        "A OFF + B UNT (untargeted) -> profanity=1",
        "A OFF + B TIN + C IND (targets an individual) -> harassment=1",
        "A OFF + B TIN + C GRP/OTH -> offensive=1 only (a group target is not always a protected one)",
    ))

    def __init__(self, dev: float = 0.1, **kw) -> None:
        super().__init__(**kw)
        self.dev = dev

    def _examples(self, path: Path, skipped: Counter) -> Iterator[Example]:
        for row in read_rows(path / "olid-training-v1.0.tsv", skipped, delimiter="\t", quoted=False):
            ex = self._example(row.get("id", ""), row.get("tweet", ""), row.get("subtask_a", ""),
                               row.get("subtask_b", ""), row.get("subtask_c", ""),
                               hash_split(row.get("tweet", ""), test=0.0, dev=self.dev), skipped)
            if ex:
                yield ex
        gold = {level: self._gold(path / f"labels-level{level}.csv", skipped) for level in "abc"}
        for row in read_rows(path / "testset-levela.tsv", skipped, delimiter="\t", quoted=False):
            pid = row.get("id", "").strip()
            if pid not in gold["a"]:
                skipped["test tweet without a level-A label"] += 1
                continue
            ex = self._example(pid, row.get("tweet", ""), gold["a"][pid], gold["b"].get(pid, ""),
                               gold["c"].get(pid, ""), "test", skipped)
            if ex:
                yield ex

    @staticmethod
    def _gold(path: Path, skipped: Counter) -> dict[str, str]:
        return {r.get("id", "").strip(): r.get("label", "") for r in read_rows(path, skipped)}

    def _example(self, pid: str, text: str, a: str, b: str, c: str, split: str,
                 skipped: Counter) -> Example | None:
        a, b, c = (x.strip().upper() for x in (a, b, c))
        if a == "NOT":
            labels = dict(_NOT)
        elif a == "OFF":
            extra = {}
            if b == "UNT":
                extra = {"profanity": 1}
            elif b == "TIN" and c == "IND":
                extra = {"harassment": 1}
            labels = labels_of({"offensive": 1}, extra)
        else:
            skipped[f"unknown label {a!r}"] += 1
            return None
        meta = {"id": pid.strip()}
        meta.update({k: v for k, v in (("subtask_b", b), ("subtask_c", c)) if v and v != "NULL"})
        return Example(text=text.strip(), labels=labels, dataset=self.name, split=split,
                       lang="en", native=a, meta=meta)
