"""ToxiGen seed sentences: human-written hateful and neutral statements about 13 groups."""

from __future__ import annotations

import gzip
import re
from collections import Counter
from pathlib import Path
from typing import Iterator

from seawall.training.datasets._common import DatasetLoader
from seawall.training.datasets.base import Example
from seawall.training.datasets.split import hash_split

_LABEL = {"hate": {"hate": 1, "offensive": 1}, "neutral": {"hate": 0, "offensive": 0}}
# prompts/hate_asian_1k.txt.gz, demonstrations/race/neutral_black_sentences.txt
_NAME = re.compile(r"^(hate|neutral)_(.+?)(?:_1k)?(?:_sentences)?\.txt(?:\.gz)?$")


class ToxiGen(DatasetLoader):
    name = "toxigen"
    folder = "toxigen-prompts"
    default_model = False
    mapping = "\n".join((
        "hate_<group> file -> hate=1, offensive=1",
        "neutral_<group> file -> hate=0, offensive=0",
        "sentences from prompts/ (each line joins several with '\\n-') and demonstrations/, "
        "deduplicated; meta groups lists every group file a sentence appears in",
        "split: none official; hash of the text, 80/10/10",
    ))

    def _examples(self, path: Path, skipped: Counter) -> Iterator[Example]:
        found: dict[str, tuple[str, list[str], str]] = {}   # sentence → (kind, groups, source)
        files = sorted(path.glob("prompts/*.txt.gz")) + sorted(path.glob("demonstrations/*/*.txt"))
        for file in files:
            m = _NAME.match(file.name)
            if not m:
                skipped[f"unrecognised file {file.name}"] += 1
                continue
            kind, group = m.groups()
            source = file.parent.name if file.parent.name == "prompts" else "demonstrations"
            for sentence in _sentences(file):
                prev = found.setdefault(sentence, (kind, [], source))
                if prev[0] != kind:
                    skipped["sentence in both hate and neutral files"] += 1
                    continue
                if group not in prev[1]:
                    prev[1].append(group)
        for sentence, (kind, groups, source) in found.items():
            yield Example(text=sentence, labels=dict(_LABEL[kind]), dataset=self.name,
                          split=hash_split(sentence), lang="en", native=kind,
                          meta={"group": groups[0], "groups": sorted(groups), "source": source})


def _sentences(file: Path) -> Iterator[str]:
    opener = gzip.open if file.suffix == ".gz" else open
    with opener(file, "rt", encoding="utf-8", errors="replace") as fh:
        for line in fh:
            # A prompt line is "- s1\n- s2\n-" with the newlines written as a literal backslash-n.
            for part in line.rstrip("\n").split("\\n"):
                part = part.strip()
                if part.startswith("-"):
                    part = part[1:].strip()
                if part:
                    yield part
