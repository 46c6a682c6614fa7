"""The bank service: banks and entries in SQL, their indexes on disk, matching with flood guard.

SQL is the record (who added what, when and why); each bank's index under
SEAWALL_HOME/banks/<id>/ is derived from it and rebuilt from it whenever the two
disagree (a crash between the two writes, an index deleted by hand). Writers in other
processes (the CLI while the server runs) are picked up by checking the index manifest's
modification time at most once a second.
"""

from __future__ import annotations

import itertools
import json
import logging
import re
import shutil
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import IO

import numpy as np
from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.engine import Engine

from seawall import taxonomy
from seawall.banks import formats, robust
from seawall.banks.flood import FloodGuard, FloodSettings
from seawall.banks.index import HashIndex, LinearIndex, load_index, store
from seawall.banks.model import Bank, Entry, ImportReport, Match, utc
from seawall.banks.tables import BankRow, EntryRow, FloodEventRow
from seawall.errors import Conflict, InvalidInput, NotFound
from seawall.signals.hashers import KINDS, Hasher, get_hasher

log = logging.getLogger(__name__)

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
# vPDQ frames are indexed under entry_id << FRAME_BITS | frame number.
FRAME_BITS = 20
_TABLES = [BankRow.__table__, EntryRow.__table__, FloodEventRow.__table__]


def _now() -> datetime:
    return datetime.now(timezone.utc)


class BankService:
    """Everything a bank does. Configured with an engine and a state directory."""

    def __init__(self, engine: Engine, home: Path, *, hashers: dict[str, Hasher] | None = None,
                 flood: FloodGuard | None = None, reload_check_s: float = 1.0,
                 index_options: dict | None = None, create_tables: bool = True,
                 sqlite_bulk: bool = True):
        self.engine = engine
        self.home = Path(home)
        self.hashers = {k: get_hasher(k) for k in KINDS} | (hashers or {})
        self.flood = flood or FloodGuard()
        self.reload_check_s = reload_check_s
        self.index_options = index_options or {}
        self.sqlite_bulk = sqlite_bulk
        # bank id → (index, manifest mtime, when last checked)
        self._indexes: dict[int, tuple[HashIndex, float, float]] = {}
        self._banks: tuple[float, list[Bank]] | None = None
        self._locks: dict[int, threading.RLock] = {}
        self._lock = threading.RLock()
        if create_tables:
            # Alembic owns the schema in production; this keeps a fresh laptop working.
            from seawall.storage.base import Base

            Base.metadata.create_all(engine, tables=_TABLES)

    @classmethod
    def from_settings(cls, settings=None, **options) -> "BankService":
        from seawall.settings import get_settings
        from seawall.storage.base import make_engine

        settings = settings or get_settings()
        settings.ensure_home()
        return cls(make_engine(settings.database_url), settings.home, **options)

    def hasher(self, kind: str) -> Hasher:
        if kind not in self.hashers:
            raise InvalidInput(f"unknown hash kind {kind!r}; valid: {', '.join(KINDS)}")
        return self.hashers[kind]

    # -- banks -----------------------------------------------------------------------------
    def create_bank(self, name: str, kind: str, *, distance: int | None = None,
                    negative: bool = False, category: str | None = None,
                    description: str = "", options: dict | None = None,
                    enabled: bool = True) -> Bank:
        if not isinstance(name, str) or not _NAME.fullmatch(name):
            raise InvalidInput(f"bank name {name!r} must be 1-64 letters, digits, '_', '.' or "
                               "'-', starting with a letter or digit")
        hasher = self.hasher(kind)
        distance = hasher.check_distance(hasher.default_distance if distance is None else distance)
        _check_category(category)
        now = _now()
        with self.engine.begin() as conn:
            if conn.execute(select(BankRow.id).where(BankRow.name == name)).first():
                raise Conflict(f"bank {name!r} already exists")
            conn.execute(insert(BankRow).values(
                name=name, kind=kind, distance=distance, enabled=enabled, negative=negative,
                category=category, description=description, options=_check_options(options or {}),
                created_at=now, updated_at=now))
        self._banks = None
        return self.get_bank(name)

    def list_banks(self, *, fresh: bool = False) -> list[Bank]:
        cached = self._banks
        if cached and not fresh and time.monotonic() - cached[0] < self.reload_check_s:
            return cached[1]
        with self.engine.connect() as conn:
            banks = [Bank.from_row(r) for r in
                     conn.execute(select(BankRow).order_by(BankRow.name))]
        self._banks = (time.monotonic(), banks)
        return banks

    def get_bank(self, name: str) -> Bank:
        with self.engine.connect() as conn:
            row = conn.execute(select(BankRow).where(BankRow.name == name)).first()
        if row is None:
            raise NotFound(f"no bank named {name!r}")
        return Bank.from_row(row)

    def update_bank(self, name: str, *, enabled: bool | None = None, distance: int | None = None,
                    negative: bool | None = None, category: str | None = None,
                    description: str | None = None, options: dict | None = None,
                    new_name: str | None = None) -> Bank:
        bank = self.get_bank(name)
        changes: dict = {}
        if enabled is not None:
            changes["enabled"] = bool(enabled)
        if distance is not None:
            changes["distance"] = self.hasher(bank.kind).check_distance(distance)
        if negative is not None:
            changes["negative"] = bool(negative)
        if category is not None:
            changes["category"] = _check_category(category or None)
        if description is not None:
            changes["description"] = description
        if options is not None:
            changes["options"] = _check_options({**bank.options, **options})
        if new_name is not None and new_name != name:
            if not _NAME.fullmatch(new_name):
                raise InvalidInput(f"bank name {new_name!r} is not valid")
            changes["name"] = new_name
        if changes:
            changes["updated_at"] = _now()
            with self.engine.begin() as conn:
                if "name" in changes and conn.execute(
                        select(BankRow.id).where(BankRow.name == new_name)).first():
                    raise Conflict(f"bank {new_name!r} already exists")
                conn.execute(update(BankRow).where(BankRow.id == bank.id).values(**changes))
            self._banks = None
        updated = self.get_bank(changes.get("name", name))
        if robust.is_robust(updated) != robust.is_robust(bank):
            self._reindex_edits(updated)
        return updated

    def _reindex_edits(self, bank: Bank) -> None:
        """Add or drop the edited copies' rows after `robust` was switched: only entries
        banked from pictures have any, so this is no rebuild."""
        with self._bank_lock(bank.id), self._forget_on_error(bank.id):
            index = self._index(bank)
            with self.engine.connect() as conn:
                rows = conn.execute(select(EntryRow.id, EntryRow.value).where(
                    EntryRow.bank_id == bank.id, EntryRow.value.is_not(None))).all()
                ids, hexes = robust.index_rows((r.id, r.value) for r in rows)
                if len(ids) and robust.is_robust(bank):
                    index.add(ids, _codes(hexes, index.nbytes))
                elif len(ids):
                    index.remove(ids)
                self._save(bank, index, conn)

    def delete_bank(self, name: str) -> None:
        bank = self.get_bank(name)
        with self._bank_lock(bank.id), self.engine.begin() as conn:
            conn.execute(delete(EntryRow).where(EntryRow.bank_id == bank.id))
            conn.execute(delete(FloodEventRow).where(FloodEventRow.bank_id == bank.id))
            conn.execute(delete(BankRow).where(BankRow.id == bank.id))
        self._indexes.pop(bank.id, None)
        self.flood.forget(bank.id)
        shutil.rmtree(self._dir(bank.id), ignore_errors=True)
        self._banks = None

    # -- entries ---------------------------------------------------------------------------
    def add_entries(self, name: str, hashes: Iterable[str], *, category: str | None = None,
                    reason: str | None = None, source: str | None = None,
                    added_by: str | None = None, external_id: str | None = None) -> ImportReport:
        """Add hashes given as strings (one metadata set for all); all or nothing."""
        bank = self.get_bank(name)
        rows = ((i, {"hash": h}) for i, h in enumerate(hashes, 1))
        defaults = {"category": category, "reason": reason, "source": source,
                    "added_by": added_by, "external_id": external_id}
        parsed = formats.parse_rows(rows, self.hasher(bank.kind), "api", defaults=defaults)
        return self._store(bank, parsed, time.perf_counter())

    def add_images(self, name: str, images: Iterable, *, category: str | None = None,
                   reason: str | None = None, source: str | None = None,
                   added_by: str | None = None, external_id: str | None = None) -> ImportReport:
        """Bank pictures (paths, encoded bytes, PIL images or RGB arrays) in a PDQ bank.

        Each entry's hash is the picture's reference PDQ; the hashes of its edited copies
        (seawall.banks.robust) are kept with it, so a robust bank also finds cropped,
        turned, mirrored or captioned copies. A picture already banked from a hash list
        gains them. A picture too flat to hash fails the call; nothing is stored.
        """
        bank = self.get_bank(name)
        if bank.kind != "pdq":
            raise InvalidInput(f"bank {name!r} holds {bank.kind} hashes; pictures go to pdq banks")
        hasher = self.hasher("pdq")
        values: dict[str, str | None] = {}
        for n, image in enumerate(images, 1):
            try:
                h = hasher.hash_image(image)
                edited = hasher.bank_hashes(image)
            except (OSError, ValueError) as exc:  # PIL's unreadable-file errors are OSErrors
                raise InvalidInput(f"picture {n} cannot be read: {exc}") from None
            if h.quality < hasher.quality_threshold:
                raise InvalidInput(f"picture {n} is too flat to bank (PDQ quality {h.quality}, "
                                   f"under {hasher.quality_threshold})")
            values.setdefault(h.hex, robust.encode(edited))
        if not values:
            raise InvalidInput("no pictures given")
        defaults = {"category": category, "reason": reason, "source": source,
                    "added_by": added_by, "external_id": external_id}
        parsed = formats.parse_rows(((i, {"hash": h}) for i, h in enumerate(values, 1)), hasher,
                                    "images", defaults=defaults)
        parsed.values = [values[h] for h in parsed.hashes]
        return self._store(bank, parsed, time.perf_counter())

    def import_file(self, name: str, path: str | Path | IO[bytes], *, fmt: str | None = None,
                    defaults: dict | None = None,
                    max_bytes: int = formats.MAX_IMPORT_BYTES) -> ImportReport:
        """Import a hash list file (see banks.formats); nothing is stored if any row is bad."""
        t0 = time.perf_counter()
        bank = self.get_bank(name)
        parsed = formats.read_file(path, self.hasher(bank.kind), fmt, defaults=defaults,
                                   max_bytes=max_bytes)
        return self._store(bank, parsed, t0)

    def remove_entries(self, name: str, *, entry_ids: Iterable[int] = (),
                       hashes: Iterable[str] = ()) -> int:
        bank = self.get_bank(name)
        hasher = self.hasher(bank.kind)
        ids = {int(i) for i in entry_ids}
        keys = [formats.entry_key(hasher, h)[0] for h in hashes]
        with self._bank_lock(bank.id), self._forget_on_error(bank.id):
            index = self._index(bank)
            with self.engine.begin() as conn:
                rows = []
                for chunk in _chunks(sorted(ids), 500):
                    rows += conn.execute(select(EntryRow.id, EntryRow.value).where(
                        EntryRow.bank_id == bank.id, EntryRow.id.in_(chunk))).all()
                for chunk in _chunks(keys, 500):
                    rows += conn.execute(select(EntryRow.id, EntryRow.value).where(
                        EntryRow.bank_id == bank.id, EntryRow.hash.in_(chunk))).all()
                found = {r.id: r.value for r in rows}
                for chunk in _chunks(sorted(found), 500):
                    conn.execute(delete(EntryRow).where(EntryRow.id.in_(chunk)))
                if found:
                    index.remove(self._index_ids(bank, found))
                    self._save(bank, index, conn)
        return len(found)

    def get_entries(self, ids: Iterable[int]) -> dict[int, Entry]:
        out: dict[int, Entry] = {}
        with self.engine.connect() as conn:
            for chunk in _chunks(sorted(set(ids)), 500):
                for row in conn.execute(select(EntryRow).where(EntryRow.id.in_(chunk))):
                    out[row.id] = Entry.from_row(row)
        return out

    def iter_entries(self, name: str, *, include_quarantined: bool = True) -> Iterator[Entry]:
        bank = self.get_bank(name)
        q = select(EntryRow).where(EntryRow.bank_id == bank.id).order_by(EntryRow.id)
        if not include_quarantined:
            q = q.where(EntryRow.status == "active")
        with self.engine.connect() as conn:
            for row in conn.execution_options(yield_per=10_000).execute(q):
                yield Entry.from_row(row)

    def export(self, name: str, out: IO[str], fmt: str = "csv", *,
               include_quarantined: bool = False) -> int:
        return sum(self.export_chunks(name, out, fmt, include_quarantined=include_quarantined))

    def export_chunks(self, name: str, out: IO[str], fmt: str = "csv", *,
                      include_quarantined: bool = False, chunk: int = 10_000) -> Iterator[int]:
        """Write a bank's entries to `out` `chunk` at a time, yielding how many after each
        chunk, so an HTTP response can stream a large bank instead of holding it."""
        bank = self.get_bank(name)
        frames = self.hasher(bank.kind).metric == "frames"
        # Outside vPDQ, `value` holds the edited copies' hashes: ours, never exported.
        rows = (e.to_json() | {"added_at": e.added_at} | ({} if frames else {"value": None})
                for e in self.iter_entries(name, include_quarantined=include_quarantined))
        first = True
        while True:
            part = list(itertools.islice(rows, chunk))
            if part or first:
                formats.write_file(part, out, fmt, bank.kind, header=first)
                yield len(part)
            if len(part) < chunk:
                return
            first = False

    def release_entry(self, name: str, entry_id: int, *, by: str | None = None) -> None:
        """Take an entry out of quarantine (a person checked the flood and the hash is right)."""
        bank = self.get_bank(name)
        with self.engine.begin() as conn:
            n = conn.execute(update(EntryRow).where(
                EntryRow.id == entry_id, EntryRow.bank_id == bank.id
            ).values(status="active")).rowcount
            if not n:
                raise NotFound(f"bank {name!r} has no entry {entry_id}")
            conn.execute(update(FloodEventRow).where(
                FloodEventRow.entry_id == entry_id, FloodEventRow.released_at.is_(None)).values(
                released_at=_now(), released_by=by))

    def stats(self, name: str) -> dict:
        bank = self.get_bank(name)
        with self.engine.connect() as conn:
            by_status = dict(conn.execute(select(EntryRow.status, func.count()).where(
                EntryRow.bank_id == bank.id).group_by(EntryRow.status)).all())
            floods = conn.execute(select(FloodEventRow).where(
                FloodEventRow.bank_id == bank.id).order_by(FloodEventRow.id.desc()).limit(20))
            flood_list = [{"entry_id": f.entry_id, "at": utc(f.at).isoformat(),
                           "matches": f.matches, "window_s": f.window_s,
                           "peer_baseline": round(f.peer_baseline, 2),
                           "released_at": utc(f.released_at).isoformat() if f.released_at else None}
                          for f in floods]
        index = self._index(bank)
        return {"bank": bank.to_json(), "entries": sum(by_status.values()), "by_status": by_status,
                "index": {"type": index.name, "hashes": len(index),
                          "memory_bytes": index.memory_bytes(),
                          "segments": getattr(index, "segment_sizes", None)},
                "floods": flood_list}

    def compact(self, name: str) -> None:
        bank = self.get_bank(name)
        with self._bank_lock(bank.id):
            index = self._index(bank)
            index.compact()
            with self.engine.connect() as conn:
                self._save(bank, index, conn)

    # -- matching --------------------------------------------------------------------------
    def has_banks(self, kind: str | None = None) -> bool:
        return any(b.enabled and (kind is None or b.kind == kind) for b in self.list_banks())

    def match(self, kind: str, values: list[str], *, banks: Iterable[str] | None = None,
              record: bool = True, include_disabled: bool = False,
              edits: list[dict[str, str]] | None = None) -> list[list[Match]]:
        """Matches of each query hash in the banks of its kind (enabled ones unless asked).

        Negative-bank matches suppress the others for the same query; entries that flood
        are quarantined. `record=False` (an operator's look-up) counts nothing for floods.
        `edits`, one dict per query, are the PDQ of the query picture's edited copies
        (`PdqHasher.query_hashes`); robust banks match them too (seawall.banks.robust).
        """
        hasher = self.hasher(kind)
        wanted = set(banks) if banks is not None else None
        chosen = [b for b in self.list_banks() if b.kind == kind
                  and (b.enabled or include_disabled) and (wanted is None or b.name in wanted)]
        if wanted is not None:
            missing = wanted - {b.name for b in self.list_banks()}
            if missing:
                raise NotFound(f"no bank named {', '.join(sorted(missing))}")
        results: list[list[Match]] = [[] for _ in values]
        # Parsed before anything else: a malformed hash is an error even with no bank to match.
        codes = [hasher.parse(v) for v in values]
        extra = _query_edits(hasher, edits, len(values))
        if not chosen or not values:
            return results
        if hasher.metric == "frames":
            for bank in chosen:
                self._match_frames(bank, hasher, values, results)
        else:
            queries = [(i, "", c) for i, c in enumerate(codes)]
            for bank in chosen:
                self._match_hamming(bank, queries + extra if robust.is_robust(bank) else queries,
                                    values, results)
        self._annotate(results, {b.id: b for b in chosen}, record)
        return results

    def match_image(self, image, *, banks: Iterable[str] | None = None,
                    record: bool = True) -> list[Match]:
        """Matches of one picture in the PDQ banks: its reference PDQ in every bank, and in
        robust banks its edited copies too. A picture too flat to hash matches nothing."""
        hasher = self.hasher("pdq")
        h = hasher.hash_image(image)
        if h.quality < hasher.quality_threshold:
            return []
        # The edited copies cost a PDQ each: only hash them when a robust bank will look.
        edits = [hasher.query_hashes(image)] if self.wants_query_edits(banks) else None
        return self.match("pdq", [h.hex], banks=banks, record=record, edits=edits)[0]

    def wants_query_edits(self, banks: Iterable[str] | None = None) -> bool:
        """Whether a picture's edited copies are worth hashing: an enabled robust PDQ bank
        (among `banks`, if named) would match them."""
        wanted = set(banks) if banks is not None else None
        return any(b.kind == "pdq" and b.enabled and robust.is_robust(b)
                   and (wanted is None or b.name in wanted) for b in self.list_banks())

    def _match_hamming(self, bank: Bank, queries, values: list[str], results) -> None:
        """Search (query number, query edit, code) rows; keep each entry's nearest row per query."""
        rob = robust.is_robust(bank)
        codes = np.frombuffer(b"".join(c for _, _, c in queries), np.uint8).reshape(
            len(queries), -1)
        best: dict[tuple[int, int], tuple[int, bool, int, str, int]] = {}
        for (i, edit, _), (ids, dist) in zip(queries, self._index(bank).search(codes,
                                                                             bank.distance)):
            entries, numbers = robust.split(ids)
            ok = robust.accepted(edit, numbers, rob)
            for e, n, d in zip(entries[ok].tolist(), numbers[ok].tolist(), dist[ok].tolist()):
                # Ties go to the plain hash: a match needing no edit is the one to report.
                key = (d, bool(edit or n), n, edit, e)
                if (i, e) not in best or key < best[i, e]:
                    best[i, e] = key
        for (i, e), (d, _, n, edit, _) in best.items():
            detail = {k: v for k, v in (("query_edit", edit), ("bank_edit", robust.edit_name(n)))
                      if v}
            results[i].append(Match(bank.name, bank.id, bank.kind, e, d, values[i],
                                    negative=bank.negative, detail=detail))

    def _match_frames(self, bank: Bank, hasher, values: list[str], results) -> None:
        opts = bank.options
        need_q = float(opts.get("query_match_percent", hasher.query_match_percent))
        need_c = float(opts.get("compared_match_percent", hasher.compared_match_percent))
        index = self._index(bank)
        for i, value in enumerate(values):
            frames = hasher.usable(hasher.parse_frames(value))
            if not frames:
                continue
            codes = np.stack([np.frombuffer(bytes.fromhex(f.pdq_hex), np.uint8) for f in frames])
            q_hits: dict[int, set[int]] = {}
            t_hits: dict[int, set[int]] = {}
            best: dict[int, int] = {}
            for qi, (ids, dist) in enumerate(index.search(codes, bank.distance)):
                for fid, d in zip(ids.tolist(), dist.tolist()):
                    entry = fid >> FRAME_BITS
                    q_hits.setdefault(entry, set()).add(qi)
                    t_hits.setdefault(entry, set()).add(fid)
                    best[entry] = min(best.get(entry, 256), d)
            if not q_hits:
                continue
            values_by_id = self._entry_values(q_hits)
            for entry, qs in q_hits.items():
                if entry not in values_by_id:
                    continue
                target = len(hasher.usable(hasher.parse_frames(values_by_id[entry])))
                q_pct = 100.0 * len(qs) / len(frames)
                c_pct = 100.0 * len(t_hits[entry]) / max(target, 1)
                if q_pct >= need_q and c_pct >= need_c:
                    results[i].append(Match(
                        bank.name, bank.id, bank.kind, entry, best[entry], value,
                        negative=bank.negative,
                        detail={"query_match_percent": round(q_pct, 2),
                                "compared_match_percent": round(c_pct, 2)}))

    def _annotate(self, results: list[list[Match]], banks: dict[int, Bank], record: bool) -> None:
        entries = self.get_entries(m.entry_id for ms in results for m in ms)
        floods = []
        for ms in results:
            # An entry removed since the index was read is not a match.
            ms[:] = [m for m in ms if m.entry_id in entries]
            benign = next((m.bank for m in ms if m.negative), None)
            for m in ms:
                e = entries[m.entry_id]
                bank = banks[m.bank_id]
                m.category = e.category or bank.category
                m.source, m.external_id = e.source, e.external_id
                m.quarantined = e.status == "quarantined"
                if benign and not m.negative:
                    m.suppressed_by = benign
                if record and m.actionable:
                    flood = self.flood.record(bank.id, m.entry_id,
                                              FloodSettings.from_options(bank.options))
                    if flood:
                        floods.append((bank, flood))
                        m.quarantined = True
            ms.sort(key=lambda m: (m.distance, m.bank, m.entry_id))
        for bank, flood in floods:
            self._quarantine(bank, flood)

    def _quarantine(self, bank: Bank, flood) -> None:
        log.warning("bank %s: entry %d matched %d times in %.0fs (peers: %.1f); quarantined, "
                    "not acted on, until someone releases it", bank.name, flood.entry_id,
                    flood.matches, flood.window_s, flood.peer_baseline)
        with self.engine.begin() as conn:
            conn.execute(update(EntryRow).where(EntryRow.id == flood.entry_id).values(
                status="quarantined"))
            conn.execute(insert(FloodEventRow).values(
                bank_id=bank.id, entry_id=flood.entry_id, at=_now(), matches=flood.matches,
                window_s=flood.window_s, peer_baseline=flood.peer_baseline))

    def _entry_values(self, ids) -> dict[int, str]:
        with self.engine.connect() as conn:
            out = {}
            for chunk in _chunks(sorted(ids), 500):
                out |= dict(conn.execute(select(EntryRow.id, EntryRow.value).where(
                    EntryRow.id.in_(chunk))).all())
            return out

    # -- storing ---------------------------------------------------------------------------
    def _store(self, bank: Bank, parsed: formats.ParsedFile, t0: float) -> ImportReport:
        hasher = self.hasher(bank.kind)
        with self._bank_lock(bank.id), self._forget_on_error(bank.id):
            index = self._index(bank)
            with self.engine.begin() as conn:
                # Touching the bank row first takes SQLite's write lock before ids are read.
                conn.execute(update(BankRow).where(BankRow.id == bank.id).values(updated_at=_now()))
                existing = self._existing(conn, bank.id, parsed.hashes)
                keep = [i for i, h in enumerate(parsed.hashes) if h not in existing]
                ids = self._insert(conn, bank.id, parsed, keep)
                gained = (self._attach_edits(conn, parsed, existing, bank.id)
                          if hasher.metric == "hamming" else [])
                if ids or gained:
                    new_ids, codes = self._index_rows(bank, hasher, parsed, keep, ids)
                    if gained and robust.is_robust(bank):
                        more, hexes = robust.index_rows(gained)
                        new_ids = np.concatenate([new_ids, more])
                        codes = np.concatenate([codes, _codes(hexes, hasher.nbytes)])
                    if hasattr(index, "add_bulk"):
                        index.add_bulk(new_ids, codes)
                    else:
                        index.add(new_ids, codes)
                    self._save(bank, index, conn)
        return ImportReport(bank.name, len(keep), parsed.duplicates, len(parsed) - len(keep),
                            parsed.lines, round(time.perf_counter() - t0, 3))

    def _attach_edits(self, conn, parsed: formats.ParsedFile, existing: set[str],
                      bank_id: int) -> list[tuple[int, str]]:
        """Give entries banked from a hash list the edited copies' hashes of their picture,
        now that it was banked too; returns the (entry id, value) pairs that gained them."""
        wanted = {h: v for h, v in zip(parsed.hashes, parsed.values)
                  if v is not None and h in existing}
        if not wanted:
            return []
        gained = []
        for chunk in _chunks(wanted, 500):
            for row in conn.execute(select(EntryRow.id, EntryRow.hash).where(
                    EntryRow.bank_id == bank_id, EntryRow.hash.in_(chunk),
                    EntryRow.value.is_(None))):
                gained.append((row.id, wanted[row.hash]))
        for entry_id, value in gained:
            conn.execute(update(EntryRow).where(EntryRow.id == entry_id).values(value=value))
        return gained

    def _existing(self, conn, bank_id: int, hashes: list[str]) -> set[str]:
        any_row = select(EntryRow.id).where(EntryRow.bank_id == bank_id).limit(1)
        if not conn.execute(any_row).first():
            return set()
        found: set[str] = set()
        for chunk in _chunks(hashes, 900):
            found.update(conn.execute(select(EntryRow.hash).where(
                EntryRow.bank_id == bank_id, EntryRow.hash.in_(chunk))).scalars())
        return found

    def _insert(self, conn, bank_id: int, parsed: formats.ParsedFile, keep: list[int]) -> list[int]:
        if not keep:
            return []
        now = _now()
        m = parsed.meta
        cols = ("hash", "value", "status", "category", "reason", "source", "added_by",
                "external_id", "added_at")

        def row(i):
            return (parsed.hashes[i], parsed.values[i], "active", m["category"][i], m["reason"][i],
                    m["source"][i], m["added_by"][i], m["external_id"][i],
                    m["added_at"][i] or now)

        if conn.dialect.name == "sqlite" and self.sqlite_bulk:
            # The ORM path inserts ~30k rows/s; the driver's executemany several times that.
            # Ids are assigned here, under the write lock this transaction already holds.
            start = (conn.execute(select(func.max(EntryRow.id))).scalar() or 0) + 1
            conn.exec_driver_sql("PRAGMA cache_size=-262144")
            sql = (f"INSERT INTO bank_entries (id, bank_id, {', '.join(cols)}) "
                   f"VALUES ({', '.join('?' * (len(cols) + 2))})")
            fmt = "%Y-%m-%d %H:%M:%S.%f"
            for lo in range(0, len(keep), 100_000):
                part = keep[lo:lo + 100_000]
                conn.exec_driver_sql(sql, [
                    (start + lo + k, bank_id, *r[:-1],
                     r[-1].astimezone(timezone.utc).strftime(fmt))
                    for k, r in enumerate(map(row, part))])
            return list(range(start, start + len(keep)))
        ids: list[int] = []
        for part in _chunks(keep, 10_000):
            stmt = insert(EntryRow).returning(EntryRow.id, sort_by_parameter_order=True)
            res = conn.execute(stmt, [dict(zip(cols, row(i)), bank_id=bank_id) for i in part])
            ids.extend(r[0] for r in res)
        return ids

    def _index_rows(self, bank: Bank, hasher, parsed, keep: list[int], ids: list[int]):
        if hasher.metric != "frames":
            values = [parsed.values[i] for i in keep]
            return self._plain_rows(bank, hasher, ids, [parsed.hashes[i] for i in keep], values)
        return self._frame_rows(hasher, zip(ids, (parsed.values[i] for i in keep)))

    def _plain_rows(self, bank: Bank, hasher, ids: list[int], hexes: list[str],
                    values: list[str | None]) -> tuple[np.ndarray, np.ndarray]:
        """Index rows of entries: each one's hash, then its edited copies' (robust banks)."""
        pictures = robust.is_robust(bank) and any(values)  # a hash list has none: skip it fast
        more, more_hex = robust.index_rows(zip(ids, values) if pictures else ())
        return (np.concatenate([np.asarray(ids, np.int64), more]),
                _codes(list(hexes) + more_hex, hasher.nbytes))

    def _frame_rows(self, hasher, id_values) -> tuple[np.ndarray, np.ndarray]:
        fids, hexes = [], []
        for entry_id, value in id_values:
            for n, f in enumerate(hasher.usable(hasher.parse_frames(value))):
                fids.append((entry_id << FRAME_BITS) | n)
                hexes.append(f.pdq_hex)
        codes = np.frombuffer(bytes.fromhex("".join(hexes)), np.uint8).reshape(-1, 32)
        return np.asarray(fids, np.int64), codes

    def _index_ids(self, bank: Bank, found: dict[int, str | None]) -> np.ndarray:
        hasher = self.hasher(bank.kind)
        if hasher.metric != "frames":
            return np.concatenate([np.asarray(sorted(found), np.int64),
                                   robust.index_rows(found.items())[0]])
        return self._frame_rows(hasher, found.items())[0]

    # -- indexes on disk -------------------------------------------------------------------
    def _dir(self, bank_id: int) -> Path:
        return self.home / "banks" / str(bank_id)

    @contextmanager
    def _forget_on_error(self, bank_id: int):
        """A write that failed half-way leaves the cached index ahead of the database:
        drop it, so the next use reloads (or rebuilds) it from what was committed."""
        try:
            yield
        except BaseException:
            self._indexes.pop(bank_id, None)
            raise

    def _bank_lock(self, bank_id: int) -> threading.RLock:
        with self._lock:
            return self._locks.setdefault(bank_id, threading.RLock())

    def _new_index(self, bank: Bank) -> HashIndex:
        hasher = self.hasher(bank.kind)
        if hasher.metric == "exact":
            from seawall.banks.index.exact import ExactIndex

            return ExactIndex(hasher.nbytes)
        if bank.options.get("index") == "linear":
            return LinearIndex(32)
        from seawall.banks.index.mih import MIHIndex

        return MIHIndex(**self.index_options)

    def _index(self, bank: Bank) -> HashIndex:
        cached = self._indexes.get(bank.id)
        now = time.monotonic()
        if cached and now - cached[2] < self.reload_check_s:
            return cached[0]
        with self._bank_lock(bank.id):
            mtime = _mtime(self._dir(bank.id) / "index" / store.MANIFEST)
            cached = self._indexes.get(bank.id)
            if cached and cached[1] == mtime:
                self._indexes[bank.id] = (cached[0], mtime, now)
                return cached[0]
            index = self._load_or_rebuild(bank)
            self._indexes[bank.id] = (index, _mtime(self._dir(bank.id) / "index" / store.MANIFEST),
                                      now)
            return index

    def _load_or_rebuild(self, bank: Bank) -> HashIndex:
        directory = self._dir(bank.id)
        with self.engine.connect() as conn:
            count, max_id = conn.execute(select(func.count(), func.max(EntryRow.id)).where(
                EntryRow.bank_id == bank.id)).one()
        try:
            state = json.loads((directory / "state.json").read_text())
            if state.get("entries") == count and state.get("max_entry_id") == max_id:
                opts = self.index_options if state.get("index") == "mih" else {}
                return load_index(directory / "index", **opts)
            log.warning("bank %s: index is out of step with the database; rebuilding", bank.name)
        except FileNotFoundError:
            pass
        except (InvalidInput, ValueError, KeyError) as exc:
            log.warning("bank %s: index unreadable (%s); rebuilding", bank.name, exc)
        return self._rebuild(bank)

    def _rebuild(self, bank: Bank) -> HashIndex:
        hasher = self.hasher(bank.kind)
        index = self._new_index(bank)
        with self.engine.connect() as conn:
            q = select(EntryRow.id, EntryRow.hash, EntryRow.value).where(
                EntryRow.bank_id == bank.id).order_by(EntryRow.id)
            rows = conn.execution_options(yield_per=200_000).execute(q)
            for part in rows.partitions():
                if hasher.metric == "frames":
                    ids, codes = self._frame_rows(hasher, ((r.id, r.value) for r in part))
                else:
                    ids, codes = self._plain_rows(bank, hasher, [r.id for r in part],
                                                  [r.hash for r in part], [r.value for r in part])
                if len(ids):
                    (index.add_bulk if hasattr(index, "add_bulk") else index.add)(ids, codes)
            self._save(bank, index, conn)
        return index

    def _save(self, bank: Bank, index: HashIndex, conn) -> None:
        count, max_id = conn.execute(select(func.count(), func.max(EntryRow.id)).where(
            EntryRow.bank_id == bank.id)).one()
        directory = self._dir(bank.id)
        index.save(directory / "index")
        tmp = directory / ".state.json.tmp"
        tmp.write_text(json.dumps({"entries": count, "max_entry_id": max_id, "kind": bank.kind,
                                   "index": index.name}))
        tmp.replace(directory / "state.json")
        self._indexes[bank.id] = (index, _mtime(directory / "index" / store.MANIFEST),
                                  time.monotonic())


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime_ns
    except FileNotFoundError:
        return -1.0


def _codes(hexes: list[str], nbytes: int) -> np.ndarray:
    return np.frombuffer(bytes.fromhex("".join(hexes)), np.uint8).reshape(-1, nbytes)


def _query_edits(hasher: Hasher, edits, n: int) -> list[tuple[int, str, bytes]]:
    """(query number, edit name, code) of each query's edited copies, checked like queries."""
    if edits is None:
        return []
    if hasher.name != "pdq":
        raise InvalidInput(f"query edits are PDQ hashes of a picture; not for {hasher.name}")
    if len(edits) != n:
        raise InvalidInput(f"{len(edits)} sets of query edits for {n} hashes")
    out = []
    for i, per_query in enumerate(edits):
        for name, value in (per_query or {}).items():
            if name not in robust.QUERY_EDITS:
                raise InvalidInput(f"unknown query edit {name!r}; valid: "
                                   f"{', '.join(robust.QUERY_EDITS)}")
            out.append((i, name, hasher.parse(value)))
    return out


def _chunks(items, n: int):
    items = list(items)
    for i in range(0, len(items), n):
        yield items[i:i + n]


def _check_category(category: str | None) -> str | None:
    if category is not None and category not in taxonomy.BY_NAME:
        raise InvalidInput(f"unknown category {category!r}; valid: {', '.join(taxonomy.NAMES)}")
    return category


def _check_options(options: dict) -> dict:
    known = {"index", "flood", "query_match_percent", "compared_match_percent",
             "matching_enabled_ratio", "robust"}
    unknown = set(options) - known
    if unknown:
        raise InvalidInput(f"unknown bank option(s) {', '.join(sorted(unknown))}; "
                           f"valid: {', '.join(sorted(known))}")
    if options.get("index") not in (None, "mih", "linear"):
        raise InvalidInput("option index must be 'mih' or 'linear'")
    for k in ("query_match_percent", "compared_match_percent"):
        if k in options and not 0 <= float(options[k]) <= 100:
            raise InvalidInput(f"option {k} must be between 0 and 100")
    # HMA's share of lookups a bank acts on (a gradual rollout), 0..1.
    ratio = options.get("matching_enabled_ratio")
    if ratio is not None and not 0 <= float(ratio) <= 1:
        raise InvalidInput("option matching_enabled_ratio must be between 0 and 1")
    FloodSettings.from_options(options)
    robust.check_option(options)
    return json.loads(json.dumps(options))


_SERVICES: dict[tuple[str, str], BankService] = {}
_SERVICES_LOCK = threading.Lock()


def get_service(settings=None) -> BankService:
    """The process's bank service for these settings (one per state directory and database)."""
    from seawall.settings import get_settings

    settings = settings or get_settings()
    key = (str(Path(settings.home).resolve()), settings.database_url)
    with _SERVICES_LOCK:
        if key not in _SERVICES:
            _SERVICES[key] = BankService.from_settings(settings)
        return _SERVICES[key]
