"""Toxic Spans (SemEval-2021 Task 5 and its ACL 2022 release): toxic Civil Comments with span offsets."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from seawall.training.datasets._common import DatasetLoader
from seawall.training.datasets._read import read_rows
from seawall.training.datasets.base import Example
from seawall.training.datasets.split import hash_split

_SEMEVAL = (("tsd_train.csv", "train"), ("tsd_trial.csv", "dev"), ("tsd_test.csv", "test"))
# Raw type names are sometimes cut short ("Insu", "Identity based "): match on a prefix.
_TYPES = (("insu", "Insult"), ("profan", "Profane/Obscene"), ("identity", "Identity-based Attack"),
          ("threat", "Threat"), ("other", "Other Toxicity"))
_TYPE_LABEL = {"Insult": "harassment", "Profane/Obscene": "profanity",
               "Identity-based Attack": "hate", "Threat": "harassment/threatening"}


@dataclass
class _Typed:
    spans: list[tuple[int, int]]                 # characters a majority of raters marked
    typed_spans: list[tuple[int, int, str]]      # the same, split by each character's commonest type
    labels: dict[str, int]
    votes: dict[str, float]                      # type → share of raters who used it


class ToxicSpans(DatasetLoader):
    name = "toxic-spans"
    folder = "toxic-spans"
    default_model = True
    official_test = True
    mapping = "\n".join((
        "every post (all were rated toxic in Civil Comments) -> offensive=1; no clean negatives",
        "span type Insult -> harassment=1",
        "span type Identity-based Attack -> hate=1",
        "span type Profane/Obscene -> profanity=1",
        "span type Threat -> harassment/threatening=1, violence=1",
        "span type Other Toxicity -> nothing beyond offensive",
        "a type counts when more than `type_share` (default half) of a post's raters used it; "
        "a type no rater used "
        "-> its category =0 when more than half of the raters marked spans (violence: never 0)",
        "meta spans: [start, end) character ranges (SemEval ground truth, else the raters' "
        "majority); typed_spans from the ACL 2022 raters",
        "split: tsd_train/tsd_trial/tsd_test -> train/dev/test; ACL 2022 posts not in SemEval "
        "-> train or dev (10%) by text hash",
    ))

    def __init__(self, dev: float = 0.1, type_share: float = 0.5, **kw) -> None:
        """`type_share`: raters agree little on span types (a Threat is most often marked by
        one rater in three), so the share needed to call a post threatening is a knob."""
        super().__init__(**kw)
        if not 0.0 <= type_share < 1.0:
            raise ValueError(f"type_share must be in [0, 1), got {type_share}")
        self.dev = dev
        self.type_share = type_share

    def _examples(self, path: Path, skipped: Counter) -> Iterator[Example]:
        acl = path / "acl2022_v2"
        typed = _typed(acl, skipped, self.type_share) if acl.is_dir() else {}
        for name, split in _SEMEVAL:
            for row in read_rows(path / name, skipped):
                text = row.get("text", "")  # not stripped: the offsets index this exact string
                try:
                    offsets = [int(i) for i in json.loads(row.get("spans", ""))]
                except (ValueError, TypeError):
                    skipped["unreadable spans"] += 1
                    continue
                if any(not 0 <= i < len(text) for i in offsets):
                    skipped["span offset outside the text"] += 1
                    continue
                extra = typed.pop(text, None)
                yield self._example(text, _ranges(offsets), extra, split, "semeval2021")
        for text, extra in typed.items():
            yield self._example(text, extra.spans, extra, hash_split(text, test=0.0, dev=self.dev),
                                "acl2022")

    def _example(self, text: str, spans: list[tuple[int, int]], extra: _Typed | None,
                 split: str, source: str) -> Example:
        labels = {"offensive": 1}
        meta: dict = {"spans": spans, "source": source}
        if extra is not None:
            labels.update(extra.labels)
            meta["typed_spans"] = extra.typed_spans
            meta["type_votes"] = extra.votes
        return Example(text=text, labels=labels, dataset=self.name, split=split, lang="en",
                       native="toxic", meta=meta)


def _typed(folder: Path, skipped: Counter, share: float) -> dict[str, _Typed]:
    """Aggregate the ACL 2022 raters per post text (duplicate posts pool their raters)."""
    text_of = {r.get("comment_id", "").strip(): r.get("comment_text", "")
               for r in read_rows(folder / "comments.csv", skipped)}
    raters: dict[str, list[str]] = defaultdict(list)
    for r in read_rows(folder / "annotations.csv", skipped):
        text = text_of.get(r.get("comment_id", "").strip())
        if text is None:
            skipped["annotation of an unknown comment"] += 1
            continue
        raters[text].append(r.get("annotation", "").strip())
    marks: dict[str, list[tuple[int, int, str]]] = defaultdict(list)
    for r in read_rows(folder / "spans.csv", skipped):
        try:
            start, end = int(r.get("start", "")), int(r.get("end", ""))
        except ValueError:
            skipped["unreadable span"] += 1
            continue
        marks[r.get("annotation", "").strip()].append((start, end, _type(r.get("type", ""))))
    return {text: _aggregate(text, [marks.get(a, []) for a in anns], share)
            for text, anns in raters.items()}


def _aggregate(text: str, per_rater: list[list[tuple[int, int, str]]], share: float) -> _Typed:
    n = len(per_rater)
    chars: Counter = Counter()
    char_types: dict[int, Counter] = defaultdict(Counter)
    type_raters: Counter = Counter()
    for marks in per_rater:
        mine: dict[int, str] = {}
        for start, end, kind in marks:
            for i in range(max(start, 0), min(end, len(text))):
                mine[i] = kind
        chars.update(mine.keys())
        for i, kind in mine.items():
            char_types[i][kind] += 1
        type_raters.update({kind for _, _, kind in marks})
    majority = sorted(i for i, k in chars.items() if k * 2 > n)
    spans = _ranges(majority)
    marked = sum(1 for marks in per_rater if marks)
    labels: dict[str, int] = {}
    for kind, category in _TYPE_LABEL.items():
        if type_raters[kind] > share * n:
            labels[category] = 1
        elif type_raters[kind] == 0 and marked * 2 > n:
            labels[category] = 0
    if labels.get("harassment/threatening") == 1:
        labels["violence"] = 1
    votes = {kind: round(k / n, 3) for kind, k in sorted(type_raters.items())}
    return _Typed(spans=spans, typed_spans=_by_type(spans, char_types), labels=labels, votes=votes)


def _by_type(spans: list[tuple[int, int]], char_types: dict[int, Counter]) -> list[tuple[int, int, str]]:
    """Cut each range where the commonest type among its raters changes."""
    out: list[tuple[int, int, str]] = []
    for start, end in spans:
        cur_start, cur = start, char_types[start].most_common(1)[0][0]
        for i in range(start + 1, end):
            kind = char_types[i].most_common(1)[0][0]
            if kind != cur:
                out.append((cur_start, i, cur))
                cur_start, cur = i, kind
        out.append((cur_start, end, cur))
    return out


def _type(raw: str) -> str:
    low = raw.strip().lower()
    for prefix, name in _TYPES:
        if low.startswith(prefix):
            return name
    return "Untyped"


def _ranges(offsets: list[int]) -> list[tuple[int, int]]:
    """Sorted character offsets → [start, end) ranges."""
    out: list[tuple[int, int]] = []
    for i in sorted(set(offsets)):
        if out and out[-1][1] == i:
            out[-1] = (out[-1][0], i + 1)
        else:
            out.append((i, i + 1))
    return out
