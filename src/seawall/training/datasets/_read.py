"""Tolerant readers for the raw files: encodings, CSV/TSV quoting, header case, mojibake."""

from __future__ import annotations

import csv
import io
from collections import Counter
from pathlib import Path
from typing import Iterator

# Some tweets and comments run long; the csv module's 128 KiB default is not a data limit.
csv.field_size_limit(2**31 - 1)


def read_text(path: Path) -> str:
    """Decode a file as UTF-8 (BOM or not), falling back to cp1252 then Latin-1."""
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return raw.decode("latin-1")


def read_rows(path: Path, skipped: Counter, *, delimiter: str = ",", quoted: bool = True,
              columns: tuple[str, ...] | None = None) -> Iterator[dict[str, str]]:
    """Rows as dicts keyed by lower-cased, stripped header names (or `columns` if headerless).

    `quoted=False` is for TSVs whose texts hold stray double quotes (GermEval, OLID):
    with quoting on, one stray quote swallows the lines after it. A row with the wrong
    number of fields or a parse error is counted in `skipped` and passed over.
    """
    text = read_text(path)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter,
                        quoting=csv.QUOTE_MINIMAL if quoted else csv.QUOTE_NONE)
    header = list(columns) if columns else None
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error:
            skipped["unparseable row"] += 1
            continue
        if header is None:
            header = [h.strip().lower() for h in row]
            continue
        if not any(cell.strip() for cell in row):
            continue  # blank line, e.g. at the end of the file
        if len(row) != len(header):
            skipped["wrong number of fields"] += 1
            continue
        yield dict(zip(header, row))


def fix_mojibake(text: str) -> str:
    """Undo UTF-8 that was decoded as Latin-1 once ('iâ\\x80\\x99m' → 'i’m'); else unchanged."""
    if not any(ch in text for ch in "ÃÂâð"):
        return text
    try:
        return text.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return text
