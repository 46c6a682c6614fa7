"""Gather training examples: built-in sets, the project's seed corpus, a user's own files."""

from __future__ import annotations

import csv
import hashlib
import json
from collections import defaultdict
from pathlib import Path
from typing import Iterable, Sequence

from seawall import taxonomy
from seawall.errors import InvalidInput
from seawall.training.datasets import LOADERS, trusted
from seawall.training.datasets.base import Example, data_dir as default_data_dir
from seawall.training.datasets.split import hash_split

AUX_LABELS = ("offensive", "minor")
VALID_LABELS = frozenset(taxonomy.NAMES) | frozenset(AUX_LABELS)
# The seed corpus written for the project ships inside the package (package data).
SEED_DIR = Path(__file__).resolve().parent / "seed"


def load_seed(folder: Path | None = None) -> list[Example]:
    """The seed corpus written for the project (src/seawall/training/seed/*.jsonl), split by text hash."""
    folder = folder or SEED_DIR
    out = []
    for path in sorted(Path(folder).glob("*.jsonl")):
        for ex in read_jsonl(path, dataset=f"seed-{path.stem}"):
            out.append(ex)
    return out


def read_jsonl(path: Path, dataset: str) -> Iterable[Example]:
    """JSON Lines with `text` and `labels` ({category: 0/1}); optional `lang`, `split`."""
    with open(path, encoding="utf-8", errors="strict") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise InvalidInput(f"{path}:{n}: not JSON ({exc.msg})") from None
            yield _example(row, path, n, dataset)


def read_csv(path: Path, dataset: str) -> Iterable[Example]:
    """CSV with a `text` column and one 0/1 column per category it labels."""
    with open(path, encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        if not reader.fieldnames or "text" not in reader.fieldnames:
            raise InvalidInput(f"{path}: needs a header with a `text` column")
        cats = [c for c in reader.fieldnames if c in VALID_LABELS]
        unknown = [c for c in reader.fieldnames if c not in VALID_LABELS and c not in ("text", "lang", "split", "id")]
        if unknown:
            raise InvalidInput(f"{path}: unknown columns {unknown}; label columns must be one of "
                               f"{sorted(VALID_LABELS)}")
        for n, row in enumerate(reader, 2):
            labels = {c: row[c] for c in cats if row.get(c, "").strip() != ""}
            yield _example({"text": row["text"], "labels": labels, "lang": row.get("lang"),
                            "split": row.get("split")}, path, n, dataset)


def _example(row: dict, path: Path, n: int, dataset: str) -> Example:
    text = row.get("text")
    if not isinstance(text, str) or not text.strip():
        raise InvalidInput(f"{path}:{n}: `text` must be a non-empty string")
    labels = row.get("labels") or {}
    if not isinstance(labels, dict):
        raise InvalidInput(f"{path}:{n}: `labels` must be an object of category → 0/1")
    clean = {}
    for k, v in labels.items():
        if k not in VALID_LABELS:
            raise InvalidInput(f"{path}:{n}: unknown label {k!r}; valid: {', '.join(sorted(VALID_LABELS))}")
        try:
            iv = int(float(v))
        except (TypeError, ValueError):
            raise InvalidInput(f"{path}:{n}: label {k!r} must be 0 or 1, got {v!r}") from None
        if iv not in (0, 1):
            raise InvalidInput(f"{path}:{n}: label {k!r} must be 0 or 1, got {v!r}")
        clean[k] = iv
    split = row.get("split") or hash_split(text)
    if split not in ("train", "dev", "test"):
        raise InvalidInput(f"{path}:{n}: split must be train, dev or test")
    return Example(text=text, labels=clean, dataset=dataset, split=split,
                   lang=row.get("lang") or _detect_lang(text), native=str(row.get("kind", "")))


def _detect_lang(text: str) -> str:
    """A row without `lang` gets the language the cascade would detect at run time, so
    `--lang` and the per-language slices work on files that do not say."""
    from seawall.signals.text import langid
    from seawall.signals.text.model import model_view

    return langid.detect(model_view(text).text)[0]


def load_user_file(path: Path) -> list[Example]:
    path = Path(path)
    if not path.exists():
        raise InvalidInput(f"{path}: no such file")
    name = path.stem
    if path.suffix.lower() in (".jsonl", ".json", ".ndjson"):
        return list(read_jsonl(path, name))
    if path.suffix.lower() in (".csv", ".tsv"):
        return list(read_csv(path, name))
    raise InvalidInput(f"{path}: training data must be .jsonl or .csv")


def gather(datasets: Sequence[str] | None = None, files: Sequence[Path] = (), *, seed: bool = True,
           default_only: bool = False, data_dir: Path | None = None) -> list[Example]:
    """Examples from the named built-in sets (all default-licensed ones when None and
    `default_only`), the seed corpus and user files."""
    root = Path(data_dir) if data_dir else default_data_dir()
    names = list(datasets) if datasets is not None else trusted(default_only)
    unknown = [n for n in names if n not in LOADERS]
    if unknown:
        raise InvalidInput(f"unknown dataset(s) {unknown}; valid: {', '.join(LOADERS)}")
    if names and not root.is_dir():
        raise InvalidInput(f"data directory {root} not found (set SEAWALL_DATA_DIR)")
    out: list[Example] = []
    for n in names:
        out.extend(LOADERS[n].load(root))
    if seed:
        out.extend(load_seed())
    for f in files:
        out.extend(load_user_file(Path(f)))
    return dedupe(out)


def training_examples(default: bool, datasets: Sequence[str] | None = None, files: Sequence[Path] = (), *,
                      no_seed: bool = False, data_dir: Path | None = None) -> list[Example]:
    """What `seawall train` and the fine-tuning file learn from: with `default`, every
    default-licensed set (plus any named ones); else the named sets and files. The seed
    corpus joins built-in sets, never a user's files alone."""
    return gather(None if default and not datasets else list(datasets or []), files,
                  seed=not no_seed and (default or bool(datasets)), default_only=default, data_dir=data_dir)


def dedupe(examples: list[Example]) -> list[Example]:
    """One training example per (dataset, text): conflicting duplicate labels are
    dropped, and a text in any test split is removed from every train/dev split (no
    leakage). Test splits stay whole, repeats included, so published figures compare."""
    test_texts = {e.text.strip().lower() for e in examples if e.split == "test"}
    tests = [e for e in examples if e.split == "test"]
    seen: dict[tuple[str, str], Example] = {}
    conflict: set[tuple[str, str]] = set()
    for e in examples:
        key = (e.dataset, e.text.strip().lower())
        if e.split == "test" or key[1] in test_texts:
            continue
        prev = seen.get(key)
        if prev is None:
            seen[key] = e
        elif prev.labels != e.labels:
            conflict.add(key)
    return [e for k, e in seen.items() if k not in conflict] + tests


def data_hashes(examples: Sequence[Example]) -> dict[str, dict]:
    """Per dataset: a SHA-256 over its (split, labels, text) stream and its size, so a
    model card records exactly which data trained it."""
    groups: dict[str, list[Example]] = defaultdict(list)
    for e in examples:
        groups[e.dataset].append(e)
    out = {}
    for name, exs in sorted(groups.items()):
        h = hashlib.sha256()
        for e in sorted(exs, key=lambda e: (e.split, e.text)):
            h.update(json.dumps([e.split, sorted(e.labels.items()), e.text], ensure_ascii=False).encode())
        out[name] = {"sha256": h.hexdigest(), "examples": len(exs)}
    return out
