"""UCI YouTube Spam Collection: comments on five music videos, spam or not."""

from __future__ import annotations

import html
import re
from collections import Counter
from pathlib import Path
from typing import Iterator

from seawall.training.datasets._common import DatasetLoader
from seawall.training.datasets._read import read_rows
from seawall.training.datasets.base import Example
from seawall.training.datasets.split import hash_split

_TAG = re.compile(r"<[^>]+>")
_CLASS = {"1": ("spam", {"spam": 1}), "0": ("ham", {"spam": 0, "scam": 0})}


class YouTubeSpam(DatasetLoader):
    name = "youtube-spam"
    folder = "youtube-spam-collection"
    default_model = True
    mapping = "\n".join((
        "CLASS 1 (spam) -> spam=1",
        "CLASS 0 (ham) -> spam=0, scam=0",
        "split: none official; hash of the text, 80/10/10",
    ))

    def _examples(self, path: Path, skipped: Counter) -> Iterator[Example]:
        for csv_path in sorted(path.glob("Youtube*.csv")):
            video = csv_path.stem.split("-", 1)[-1]
            for row in read_rows(csv_path, skipped):
                cls = row.get("class", "").strip()
                if cls not in _CLASS:
                    skipped[f"unknown class {cls!r}"] += 1
                    continue
                native, labels = _CLASS[cls]
                # Comments carry YouTube's rendered HTML (<br />, <a>, &#39;): keep what a
                # reader saw, which is also what a user would type.
                raw = row.get("content", "").replace("<br />", "\n").replace("\ufeff", "")
                text = html.unescape(_TAG.sub("", raw)).strip()
                yield Example(text=text, labels=dict(labels), dataset=self.name,
                              split=hash_split(text), lang="en", native=native,
                              meta={"id": row.get("comment_id", "").strip(), "video": video})
