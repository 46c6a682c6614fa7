"""MLMA (Ousidhoum et al. 2019): hostile tweets in English, French and Arabic, multi-label type."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Iterator

from seawall.training.datasets._common import DatasetLoader
from seawall.training.datasets._read import read_rows
from seawall.training.datasets.base import Example
from seawall.training.datasets.split import hash_split

# The English file without "_with_stop_words" has function words stripped: not real text.
_FILES = {"en": "en_dataset_with_stop_words.csv", "fr": "fr_dataset.csv", "ar": "ar_dataset.csv"}
_HOSTILE = {"offensive", "abusive", "disrespectful", "fearful", "hateful"}


class MLMA(DatasetLoader):
    name = "mlma"
    folder = "mlma-hate-speech"
    default_model = True
    mapping = "\n".join((
        "exactly 'normal' -> offensive=0, hate=0",
        "any type including 'hateful' -> hate=1, offensive=1",
        "offensive / abusive / disrespectful / fearful (without hateful) -> offensive=1",
        "'normal' combined with a hostile type -> as the hostile type (the authors count it toxic)",
        "split: none official; hash of the text, 80/10/10",
    ))

    def __init__(self, langs: tuple[str, ...] = ("en", "fr", "ar"), **kw) -> None:
        super().__init__(**kw)
        unknown = set(langs) - set(_FILES)
        if unknown:
            raise ValueError(f"unknown MLMA languages {sorted(unknown)}; valid: {sorted(_FILES)}")
        self.langs = tuple(langs)

    def _examples(self, path: Path, skipped: Counter) -> Iterator[Example]:
        for lang in self.langs:
            for row in read_rows(path / "hate_speech_mlma" / _FILES[lang], skipped):
                text = row.get("tweet", "").strip()
                native = row.get("sentiment", "").strip().lower()
                types = {t.strip() for t in native.split("_") if t.strip()}
                if not types or not types <= _HOSTILE | {"normal"}:
                    skipped[f"unknown hostility {native!r}"] += 1
                    continue
                if types == {"normal"}:
                    labels = {"offensive": 0, "hate": 0}
                elif "hateful" in types:
                    labels = {"hate": 1, "offensive": 1}
                else:
                    labels = {"offensive": 1}
                meta = {k: row.get(k, "").strip() for k in ("directness", "target", "group")}
                yield Example(text=text, labels=labels, dataset=self.name, split=hash_split(text),
                              lang=lang, native=native, meta=meta)
