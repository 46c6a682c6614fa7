"""Hash list files in and out: Seawall CSV, JSON Lines, and the formats HMA and ThreatExchange use.

- `csv`: a hash per row, optional metadata columns. With a header row, columns are named
  (hash, category, reason, source, external_id, added_by, added_at); without one they are
  positional in that order.
- `te`: python-threatexchange's file exchange, which HMA imports: one `SIGNAL_TYPE HASH`
  (e.g. `pdq f8f8...`) or bare `HASH` per line.
- `te-csv`: a ThreatExchange UI download (td_raw_indicator, td_owner_name, td_creation_time,
  td_subjective_tags, td_description...).
- `jsonl`: one JSON object per entry with the same fields as `csv` (our export's full form).

A file is read whole and checked before anything is stored: any bad row fails the import
with line numbers, so a bank never holds half a file.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import IO

from seawall import taxonomy
from seawall.errors import InvalidInput, TooLarge
from seawall.signals.hashers import Hasher, kind_from_te_name

FORMATS = ("csv", "te", "te-csv", "jsonl")
FIELDS = ("hash", "category", "reason", "source", "external_id", "added_by", "added_at")
_ALIASES = {"signal": "hash", "signal_value": "hash", "hash_value": "hash", "id": "external_id",
            "indicator_id": "external_id", "tags": "reason", "timestamp": "added_at",
            "td_raw_indicator": "hash", "td_owner_name": "source", "td_creation_time": "added_at",
            "td_subjective_tags": "reason", "td_description": "description", "td_id": "external_id"}
MAX_IMPORT_BYTES = 1 << 30
MAX_LINE_BYTES = 16 << 20


@dataclass
class ParsedFile:
    """Validated, de-duplicated rows of one file, in columns (cheap for millions)."""

    format: str
    hashes: list[str] = field(default_factory=list)      # canonical
    values: list[str | None] = field(default_factory=list)
    meta: dict[str, list] = field(default_factory=lambda: {k: [] for k in FIELDS[1:]})
    duplicates: int = 0
    lines: int = 0

    def __len__(self) -> int:
        return len(self.hashes)


def read_file(path: str | Path | IO[bytes], hasher: Hasher, fmt: str | None = None, *,
              defaults: dict | None = None, max_bytes: int = MAX_IMPORT_BYTES,
              max_errors: int = 10) -> ParsedFile:
    """Parse and check a whole hash list; raise InvalidInput listing the first bad lines."""
    data = _read_limited(path, max_bytes)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidInput(f"file is not UTF-8 text (byte {exc.start})") from None
    if not text.strip():
        raise InvalidInput("file holds no hashes (it is empty)")
    fmt = fmt or sniff(text)
    if fmt not in FORMATS:
        raise InvalidInput(f"unknown format {fmt!r}; valid: {', '.join(FORMATS)}")
    rows = {"csv": _csv_rows, "te-csv": _csv_rows, "te": _te_rows, "jsonl": _jsonl_rows}[fmt]
    return parse_rows(rows(text, hasher), hasher, fmt, defaults=defaults, max_errors=max_errors)


def parse_rows(rows: Iterable[tuple[int, dict | Exception]], hasher: Hasher, fmt: str = "rows", *,
               defaults: dict | None = None, max_errors: int = 10) -> ParsedFile:
    """Check and de-duplicate (line number, row) pairs; any bad row fails them all."""
    out = ParsedFile(fmt)
    errors: list[str] = []
    seen: set[str] = set()
    defaults = {k: v for k, v in (defaults or {}).items() if v is not None}
    for lineno, row in rows:
        out.lines += 1
        try:
            if isinstance(row, Exception):
                raise row
            row = {k: v for k, v in row.items() if v is not None and v != ""}
            _add_row(out, seen, {**defaults, **row} if defaults else row, hasher)
        except InvalidInput as exc:
            errors.append(f"line {lineno}: {exc}")
            if len(errors) >= max_errors:
                break
    if errors:
        more = " (stopped at the first %d)" % max_errors if len(errors) >= max_errors else ""
        raise InvalidInput(f"nothing imported; {len(errors)} bad line(s){more}:\n  "
                           + "\n  ".join(errors))
    if not out.hashes:
        raise InvalidInput("file holds no hashes (only a header or blank lines)")
    return out


def sniff(text: str) -> str:
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    if first.startswith("{"):
        return "jsonl"
    if "td_raw_indicator" in first:
        return "te-csv"
    parts = first.split()
    if len(parts) >= 2 and "," not in parts[0] and (kind_from_te_name(parts[0]) is not None
                                                   or parts[0] in ("raw_text", "TEXT_STRING")):
        return "te"
    return "csv"


def _read_limited(path, max_bytes: int) -> bytes:
    if isinstance(path, (str, Path)):
        p = Path(path)
        if not p.is_file():
            raise InvalidInput(f"no such file: {p}")
        size = p.stat().st_size
        if size > max_bytes:
            raise TooLarge(f"{p} is {size} bytes, over the import limit of {max_bytes}; "
                           "split it into several imports")
        return p.read_bytes()
    data = path.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise TooLarge(f"input is over the import limit of {max_bytes} bytes")
    return data


def _add_row(out: ParsedFile, seen: set[str], row: dict, hasher: Hasher) -> None:
    raw = row.get("hash")
    if not raw:
        raise InvalidInput("no hash")
    canon = hasher.canonical(raw)
    if hasher.metric == "frames" and not hasher.usable(hasher.parse_frames(canon)):
        raise InvalidInput(f"no frame reaches the quality floor of {hasher.quality_threshold}")
    key = _key(canon, hasher)
    if key in seen:
        out.duplicates += 1
        return
    category = row.get("category")
    if category is not None and category not in taxonomy.BY_NAME:
        raise InvalidInput(f"unknown category {category!r}; valid: {', '.join(taxonomy.NAMES)}")
    added_at = row.get("added_at")
    if added_at is not None and not isinstance(added_at, datetime):
        added_at = parse_time(str(added_at))
    seen.add(key)
    out.hashes.append(key)
    out.values.append(canon if hasher.metric == "frames" else None)
    reason = row.get("reason")
    if row.get("description"):
        reason = f"{reason}; {row['description']}" if reason else row["description"]
    m = out.meta
    m["category"].append(category)
    m["reason"].append(_clip(reason))
    m["source"].append(_clip(row.get("source")))
    m["external_id"].append(_clip(row.get("external_id")))
    m["added_by"].append(_clip(row.get("added_by")))
    m["added_at"].append(added_at)


def _key(canon: str, hasher: Hasher) -> str:
    if hasher.metric == "frames":
        import hashlib

        return hashlib.sha256(canon.encode()).hexdigest()
    return canon


def entry_key(hasher: Hasher, value: str) -> tuple[str, str | None]:
    """(stored hash, stored value) of one written hash: what banks deduplicate on."""
    canon = hasher.canonical(value)
    return _key(canon, hasher), (canon if hasher.metric == "frames" else None)


def parse_time(value: str) -> datetime:
    try:
        if value.isdigit():
            return datetime.fromtimestamp(int(value), timezone.utc)
        t = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except (ValueError, OverflowError, OSError):
        raise InvalidInput(f"bad time {value!r}: use ISO 8601 or Unix seconds") from None
    return t if t.tzinfo else t.replace(tzinfo=timezone.utc)


def _clip(value, n: int = 255):
    if value is None:
        return None
    value = str(value)
    return value if len(value) <= n else value[:n]


# -- readers: (line number, row dict or the error) --------------------------------------------
def _csv_rows(text: str, hasher: Hasher) -> Iterator[tuple[int, dict | Exception]]:
    csv.field_size_limit(MAX_LINE_BYTES)
    reader = csv.reader(io.StringIO(text))
    header: list[str] | None = None
    first = True
    try:
        for cells in reader:
            lineno = reader.line_num
            if not cells or not any(c.strip() for c in cells):
                continue
            if first and _is_header(cells, hasher):
                first = False
                header = [_ALIASES.get(c.strip().lower(), c.strip().lower()) for c in cells]
                if "hash" not in header:
                    yield lineno, InvalidInput("header names no hash column")
                    return
                continue
            first = False
            names = header or list(FIELDS)
            if len(cells) > len(names):
                yield lineno, InvalidInput(f"{len(cells)} columns, expected at most {len(names)}")
                continue
            yield lineno, {n: c.strip() for n, c in zip(names, cells)}
    except csv.Error as exc:
        yield reader.line_num, InvalidInput(f"malformed CSV: {exc}")


def _is_header(cells: list[str], hasher: Hasher) -> bool:
    first = cells[0].strip().lower()
    return _ALIASES.get(first, first) in FIELDS or first == hasher.name or first.startswith("td_")


def _te_rows(text: str, hasher: Hasher) -> Iterator[tuple[int, dict | Exception]]:
    for lineno, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        signal_type, _, signal = line.partition(" ")
        if not signal:
            yield lineno, {"hash": signal_type}
            continue
        if hasher.name == "text" and signal_type in ("raw_text", "TEXT_STRING"):
            # ThreatExchange shares campaign texts verbatim; we bank their near-duplicate hash.
            digest = hasher.hash_text(signal)
            yield lineno, {"hash": digest} if digest else InvalidInput(
                f"text is shorter than {hasher.min_chars} characters once normalized")
            continue
        kind = kind_from_te_name(signal_type)
        if kind != hasher.name:
            yield lineno, InvalidInput(f"signal type {signal_type!r} does not go in a "
                                       f"{hasher.name} bank")
            continue
        yield lineno, {"hash": signal.strip()}


def _jsonl_rows(text: str, hasher: Hasher) -> Iterator[tuple[int, dict | Exception]]:
    for lineno, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            yield lineno, InvalidInput(f"not JSON: {exc.msg}")
            continue
        if not isinstance(obj, dict):
            yield lineno, InvalidInput("each line must be a JSON object")
            continue
        value = obj.get("hash")
        if hasher.metric == "frames" and isinstance(obj.get("value"), (str, list)):
            value = obj["value"]
        if isinstance(value, list):
            value = json.dumps(value)
        yield lineno, {**{k: obj.get(k) for k in FIELDS[1:]}, "hash": value}


# -- writers ---------------------------------------------------------------------------------
def write_file(rows: Iterable[dict], out: IO[str], fmt: str, kind: str, *,
               header: bool = True) -> int:
    """Write entries (dicts with FIELDS, `value` for vPDQ); returns how many."""
    if fmt not in FORMATS or fmt == "te-csv":
        raise InvalidInput(f"cannot export as {fmt!r}; valid: csv, te, jsonl")
    n = 0
    writer = csv.writer(out, lineterminator="\n") if fmt == "csv" else None
    if writer and header:
        writer.writerow(FIELDS)
    for row in rows:
        value = row.get("value") or row["hash"]
        if fmt == "csv":
            writer.writerow([value] + [_cell(row.get(k)) for k in FIELDS[1:]])
        elif fmt == "te":
            out.write(f"{_te_name(kind)} {value}\n")
        else:
            obj = {k: _cell(row.get(k)) or None for k in FIELDS}
            obj["hash"] = value
            obj["status"] = row.get("status")
            obj["entry_id"] = row.get("id")
            out.write(json.dumps(obj) + "\n")
        n += 1
    return n


def _te_name(kind: str) -> str:
    return {"md5": "video_md5", "sha256": "video_sha256"}.get(kind, kind)


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        v = value if value.tzinfo else value.replace(tzinfo=timezone.utc)
        return v.isoformat()
    return str(value)
