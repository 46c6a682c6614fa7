"""What every loader shares: finding its folder, dropping empty and duplicate texts, counting skips."""

from __future__ import annotations

import logging
from collections import Counter
from pathlib import Path
from typing import Iterable, Iterator

from seawall.training.datasets.base import Example, data_dir as default_data_dir
from seawall.training.datasets.split import text_key

log = logging.getLogger(__name__)

# When one text sits in several splits, the copy in the most precious split survives:
# an evaluation set must never share a text with the data a model was trained on.
_PRIORITY = {"test": 0, "dev": 1, "train": 2}


class DatasetLoader:
    """Base for the built-in loaders; subclasses set the class attributes and `_examples`.

    `skipped` holds, after a load, how many raw rows were passed over and why.
    """

    name: str = ""
    folder: str = ""
    default_model: bool = False
    mapping: str = ""
    # True where the test split is the authors' own; see `tidy`.
    official_test: bool = False
    # Why the set's labels cannot be trusted, when an audit found so: such a set is read
    # only when named, never by "all sets" (evaluation, LODO, training).
    unreliable: str = ""

    def __init__(self, name: str | None = None, folder: str | None = None) -> None:
        if name is not None:
            self.name = name
        if folder is not None:
            self.folder = folder
        self.skipped: Counter = Counter()

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r}, folder={self.folder!r})"

    def load(self, data_dir: Path | str | None = None) -> Iterator[Example]:
        root = Path(data_dir) if data_dir is not None else default_data_dir()
        path = root / self.folder
        if not path.is_dir():
            raise FileNotFoundError(f"{self.name}: data folder not found: {path}")
        skipped: Counter = Counter()
        kept = tidy(self._examples(path, skipped), skipped, self.official_test)
        self.skipped = skipped
        log.info("%s: %d examples; skipped %s", self.name, len(kept), dict(skipped) or "none")
        return iter(kept)

    def _examples(self, path: Path, skipped: Counter) -> Iterable[Example]:
        raise NotImplementedError


def tidy(examples: Iterable[Example], skipped: Counter, official_test: bool = False) -> list[Example]:
    """Drop empty texts and repeated texts (case and spacing ignored), keeping first order.

    With `official_test`, repeats inside the test split stay, so that the test set is the
    one published results were measured on; train and dev copies of a test text still go.
    """
    out: list[Example] = []
    where: dict[str, int] = {}
    for ex in examples:
        if not ex.text.strip():
            skipped["empty text"] += 1
            continue
        key = text_key(ex.text)
        i = where.get(key)
        if i is None:
            where[key] = len(out)
            out.append(ex)
            continue
        prev = out[i]
        if official_test and prev.split == ex.split == "test":
            skipped["kept: repeated text inside the official test split"] += 1
            out.append(ex)
            continue
        if prev.labels != ex.labels:
            skipped["duplicate text with other labels"] += 1
        if prev.split != ex.split:
            skipped[f"duplicate text across splits, kept the {_first(prev, ex).split} copy"] += 1
        else:
            skipped["duplicate text"] += 1
        out[i] = _first(prev, ex)
    return out


def _first(prev: Example, new: Example) -> Example:
    return new if _PRIORITY[new.split] < _PRIORITY[prev.split] else prev


def labels_of(*groups: dict[str, int]) -> dict[str, int]:
    """Merge label dicts; a later 1 wins over an earlier 0 for the same category."""
    out: dict[str, int] = {}
    for g in groups:
        for k, v in g.items():
            out[k] = max(out.get(k, 0), v)
    return out
