"""Call Me Sexist But (Samory et al. 2021, via MBIB): English tweets and scale items, sexist or not."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Iterator

from seawall.training.datasets._common import DatasetLoader
from seawall.training.datasets._read import read_rows
from seawall.training.datasets.base import Example
from seawall.training.datasets.split import hash_split

_SEXIST = {"true": {"hate": 1}, "false": {"hate": 0}}


class CMSB(DatasetLoader):
    name = "cmsb"
    folder = "cmsb-call-me-sexist-but"
    default_model = False
    mapping = "\n".join((
        "sexist True -> hate=1 (sexism is hate on gender)",
        "sexist False -> hate=0",
        "split: none official; hash of the text, 80/10/10. An adversarial rewrite (of_id) is "
        "split with its original so minimal pairs never straddle train and test",
    ))

    def _examples(self, path: Path, skipped: Counter) -> Iterator[Example]:
        rows = list(read_rows(path / "sexism_data.csv", skipped))
        text_of = {r.get("id", "").strip(): r.get("text", "") for r in rows}
        for row in rows:
            text = row.get("text", "").strip()
            sexist = row.get("sexist", "").strip().lower()
            if sexist not in _SEXIST:
                skipped[f"unknown label {sexist!r}"] += 1
                continue
            meta = {"id": row.get("id", "").strip(), "source": row.get("dataset", "").strip()}
            split_key = text
            of_id = row.get("of_id", "").strip()
            if of_id in text_of:  # "-1" for originals, which match no id
                meta["of_id"] = of_id
                split_key = text_of[of_id]
            yield Example(text=text, labels=dict(_SEXIST[sexist]), dataset=self.name,
                          split=hash_split(split_key), lang="en", native=sexist.capitalize(), meta=meta)
