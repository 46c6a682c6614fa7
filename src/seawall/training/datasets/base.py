"""Labeled examples and the loader protocol every dataset implements.

A dataset labels only some categories. `labels` holds 1/0 for the categories a set
actually judged; a category absent from `labels` is unknown for that example and is
left out of that category's training and evaluation (never guessed as 0).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator, Protocol


@dataclass(frozen=True)
class Example:
    text: str
    labels: dict[str, int]          # category → 1 / 0, only categories this set judged
    dataset: str                    # loader name, e.g. "olid"
    split: str                      # "train", "dev" or "test"
    lang: str                       # ISO 639-1
    native: str = ""                # the set's own label, for slices and debugging
    meta: dict = field(default_factory=dict)


class Loader(Protocol):
    name: str
    # May the default models that Seawall ships be trained on it (its license)?
    default_model: bool
    # One line per native label → taxonomy mapping, shown in model cards.
    mapping: str

    def load(self, data_dir: Path) -> Iterator[Example]: ...


def data_dir() -> Path:
    """SEAWALL_DATA_DIR, else ../shared/data beside the working directory or the repo."""
    env = os.environ.get("SEAWALL_DATA_DIR")
    if env:
        return Path(env)
    for base in (Path.cwd(), Path(__file__).resolve().parents[4]):
        cand = base.parent / "shared" / "data"
        if cand.is_dir():
            return cand
    return Path.cwd().parent / "shared" / "data"
