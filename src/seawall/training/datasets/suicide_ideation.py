"""Suicidal ideation tweets (greatwhite9/Suicidal_Text_Detection): potential suicide post or not."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Iterator

from seawall.training.datasets._common import DatasetLoader
from seawall.training.datasets._read import fix_mojibake, read_rows
from seawall.training.datasets.base import Example
from seawall.training.datasets.split import hash_split

_LABEL = {"potential suicide post": {"self-harm": 1, "self-harm/intent": 1},
          "not suicide post": {"self-harm": 0, "self-harm/intent": 0}}


class SuicideIdeation(DatasetLoader):
    name = "suicide-ideation"
    folder = "suicide-ideation-twitter"
    default_model = False
    mapping = "\n".join((
        "Potential Suicide post -> self-harm=1, self-harm/intent=1",
        "Not Suicide post -> self-harm=0, self-harm/intent=0",
        "split: none official; hash of the text, 80/10/10",
    ))

    def _examples(self, path: Path, skipped: Counter) -> Iterator[Example]:
        for row in read_rows(path / "Suicide_Ideation_Dataset(Twitter-based).csv", skipped):
            # About a fifth of the tweets were stored as UTF-8 read as Latin-1 ("iâ\x80\x99m").
            text = fix_mojibake(row.get("text", "")).strip()
            native = " ".join(row.get("semantic", "").split())
            if native.lower() not in _LABEL:
                skipped[f"unknown label {native!r}"] += 1
                continue
            yield Example(text=text, labels=dict(_LABEL[native.lower()]), dataset=self.name,
                          split=hash_split(text), lang="en", native=native)
