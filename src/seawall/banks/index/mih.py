"""The index for large banks of 256-bit hashes (PDQ, text MinHash): multi-index hashing.

Hashes live in immutable segments (each with its 16 key tables, see _kernels) plus a
small append-only delta that is scanned linearly. Adding a hash appends to the delta, so
it matches at once; when the delta is full it is sealed into a segment, and when there
are too many segments the small ones are merged. Removing a hash sets a tombstone.
Nothing ever rebuilds the whole index unless asked to (`compact`).

We measured faiss's binary indexes first (bench/hashing/RESULTS.md): IndexBinaryMultiHash
(what python-threatexchange and HMA use) probes hash maps and verifies every candidate
by a random read; IndexBinaryIVF needs to scan an eighth of a 1M bank for 99% recall at
distance 31 on uniform hashes; IndexBinaryHNSW took two minutes to build 1M and found a
third of the planted copies. Sorted key tables with sketches, read in order, win.
"""

from __future__ import annotations

import math
import threading
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from seawall.banks.index import _kernels as K
from seawall.banks.index import store
from seawall.banks.index.base import HashIndex, Hits, check_codes, check_ids, sort_hits
from seawall.errors import InvalidInput

_EMPTY: Hits = (np.empty(0, np.int64), np.empty(0, np.int32))
# Up to this many queries at once are searched one after another, not by the parallel kernel.
SERIAL_QUERIES = 4


@dataclass
class _Segment:
    name: str
    codes: np.ndarray            # (n, 4) uint64
    ids: np.ndarray              # (n,) int64
    dead: np.ndarray             # (n,) uint8, writable
    tables: np.ndarray | None    # (16, n) uint64, or None: scanned linearly
    offsets: np.ndarray | None   # (16, 65537) int32
    saved: bool = False
    _order: np.ndarray | None = field(default=None, repr=False)

    @property
    def n(self) -> int:
        return len(self.ids)

    def rows_of(self, ids: np.ndarray) -> np.ndarray:
        if self._order is None:
            self._order = np.argsort(self.ids, kind="stable")
        sorted_ids = self.ids[self._order]
        lo = np.searchsorted(sorted_ids, ids, "left")
        hi = np.searchsorted(sorted_ids, ids, "right")
        return np.concatenate([self._order[a:b] for a, b in zip(lo, hi) if b > a] or
                              [np.empty(0, np.int64)])

    def nbytes(self) -> int:
        extra = 0 if self.tables is None else self.tables.nbytes + self.offsets.nbytes
        return self.codes.nbytes + self.ids.nbytes + self.dead.nbytes + extra


def sketch_threshold(max_distance: int, radius: int, miss_rate: float) -> int:
    """Smallest sketch distance that keeps a true match with probability >= 1 - miss_rate.

    A hash at distance d whose key differs in k <= radius bits has d - k differing bits
    among the 240 outside the key; how many fall in the 40-bit sketch is hypergeometric.
    """
    rest, draws = 256 - 16, K.SKETCH_BITS
    flips = max(0, max_distance)
    total = math.comb(rest, draws)
    tail = 0.0
    for t in range(min(draws, flips), -1, -1):
        p = math.comb(flips, t) * math.comb(rest - flips, draws - t) / total if flips <= rest else 0
        if tail + p > miss_rate:
            return t
        tail += p
    return 0


class MIHIndex(HashIndex):
    """Configured with the delta size, merge policy and the sketch's allowed miss rate.

    `exact=True` turns the sketch filter off (every candidate is verified on its full
    hash): slower, never misses. The default miss rate, 1e-4 per table for a hash at the
    full search distance, measured 100% recall on planted copies (bench/hashing).
    """

    name = "mih"
    nbytes = 32

    def __init__(self, *, delta_limit: int = 32_768, max_segments: int = 8,
                 mih_min: int = 16_384, miss_rate: float = 1e-4, exact: bool = False,
                 batch_threads: int | None = None):
        self.delta_limit = delta_limit
        self.max_segments = max_segments
        self.mih_min = mih_min
        self.miss_rate = miss_rate
        self.exact = exact
        self.batch_threads = batch_threads
        self._segments: list[_Segment] = []
        self._dcodes = np.empty((0, 4), np.uint64)
        self._dids = np.empty(0, np.int64)
        self._ddead = np.empty(0, np.uint8)
        self._dn = 0
        self._lock = threading.RLock()
        self._generation = 0

    # -- writes ----------------------------------------------------------------------------
    def add(self, ids, codes) -> None:
        codes = check_codes(codes, self.nbytes).view(np.uint64)
        ids = check_ids(ids, len(codes))
        with self._lock:
            start = 0
            while start < len(ids):
                room = self.delta_limit - self._dn
                take = min(room, len(ids) - start)
                self._append_delta(ids[start:start + take], codes[start:start + take])
                start += take
                if self._dn >= self.delta_limit:
                    self._seal_delta()

    def add_bulk(self, ids, codes) -> None:
        """Add many hashes as segments directly (an import), skipping the delta."""
        codes = check_codes(codes, self.nbytes).view(np.uint64)
        ids = check_ids(ids, len(codes))
        if len(ids) < self.delta_limit:
            return self.add(ids, codes.view(np.uint8))
        with self._lock:
            for start in range(0, len(ids), K.MAX_ROWS):
                self._segments.append(self._build(ids[start:start + K.MAX_ROWS],
                                                  codes[start:start + K.MAX_ROWS]))
            self._maybe_merge()

    def remove(self, ids) -> int:
        ids = np.unique(check_ids(ids))
        removed = 0
        with self._lock:
            for seg in self._segments:
                rows = seg.rows_of(ids)
                rows = rows[seg.dead[rows] == 0]
                seg.dead[rows] = 1
                removed += len(rows)
            hit = np.isin(self._dids[:self._dn], ids) & (self._ddead[:self._dn] == 0)
            self._ddead[:self._dn][hit] = 1
            removed += int(hit.sum())
        return removed

    def compact(self) -> None:
        """Merge everything, live rows only, into as few segments as fit (a full rebuild)."""
        with self._lock:
            self._seal_delta()
            if self._segments:
                self._segments = [self._merge(self._segments)]

    def _append_delta(self, ids, codes) -> None:
        need = self._dn + len(ids)
        if need > len(self._dids):
            cap = max(need, min(2 * len(self._dids), self.delta_limit), 1024)
            # New arrays, not resized ones: a search running now keeps reading the old.
            dc = np.empty((cap, 4), np.uint64)
            di = np.empty(cap, np.int64)
            dd = np.zeros(cap, np.uint8)
            dc[:self._dn], di[:self._dn], dd[:self._dn] = (self._dcodes[:self._dn],
                                                           self._dids[:self._dn],
                                                           self._ddead[:self._dn])
            self._dcodes, self._dids, self._ddead = dc, di, dd
        self._dcodes[self._dn:need] = codes
        self._dids[self._dn:need] = ids
        self._ddead[self._dn:need] = 0
        self._dn = need

    def _seal_delta(self) -> None:
        if self._dn == 0:
            return
        live = self._ddead[:self._dn] == 0
        ids, codes = self._dids[:self._dn][live], self._dcodes[:self._dn][live]
        if len(ids):
            self._segments.append(self._build(ids.copy(), codes.copy()))
        self._dcodes = np.empty((0, 4), np.uint64)
        self._dids = np.empty(0, np.int64)
        self._ddead = np.empty(0, np.uint8)
        self._dn = 0
        self._maybe_merge()

    def _maybe_merge(self) -> None:
        if len(self._segments) <= self.max_segments:
            return
        by_size = sorted(self._segments, key=lambda s: s.n)
        small, big = by_size[:-1], by_size[-1]
        # Merging all but the largest bounds the work by the small ones' size, so a big
        # bank is not rebuilt for every few thousand additions.
        merged = self._merge(small)
        self._segments = [big, merged] if merged.n else [big]

    def _merge(self, segs: list[_Segment]) -> _Segment:
        ids = np.concatenate([s.ids[s.dead == 0] for s in segs])
        codes = np.concatenate([s.codes[s.dead == 0] for s in segs])
        if len(ids) > K.MAX_ROWS:  # keep the largest as is rather than overflow row numbers
            segs = sorted(segs, key=lambda s: s.n)
            return self._merge(segs[:-1]) if len(segs) > 1 else segs[0]
        return self._build(ids, codes)

    def _build(self, ids: np.ndarray, codes: np.ndarray) -> _Segment:
        codes = np.ascontiguousarray(codes, np.uint64)
        tables = offsets = None
        if len(ids) >= self.mih_min:
            tables, offsets = K.build_tables(codes)
        return _Segment(f"seg-{uuid.uuid4().hex[:12]}", codes, np.ascontiguousarray(ids),
                        np.zeros(len(ids), np.uint8), tables, offsets)

    # -- reads -----------------------------------------------------------------------------
    def search(self, queries, max_distance: int) -> list[Hits]:
        queries = check_codes(queries, self.nbytes).view(np.uint64)
        if max_distance < 0:
            return [_EMPTY] * len(queries)
        radius = max_distance // 16
        skt = K.SKETCH_BITS if self.exact else sketch_threshold(max_distance, 0, self.miss_rate)
        with self._lock:
            segments = list(self._segments)
            delta = (self._dcodes, self._ddead, self._dn, self._dids)
        parts: list[list[tuple[np.ndarray, np.ndarray]]] = [[] for _ in range(len(queries))]
        for seg in segments:
            mih = seg.tables is not None and radius <= 2
            self._run(queries, parts, seg.ids, max_distance,
                      lambda q, r, d: K.search_mih(q, seg.codes, seg.dead, seg.tables, seg.offsets,
                                                   max_distance, radius, skt, r, d) if mih else
                      K.search_linear(q, seg.codes, seg.dead, seg.n, max_distance, r, d),
                      lambda qs, r, d, c: K.search_mih_batch(
                          qs, seg.codes, seg.dead, seg.tables, seg.offsets, max_distance, radius,
                          skt, r, d, c) if mih else
                      K.search_linear_batch(qs, seg.codes, seg.dead, seg.n, max_distance, r, d, c))
        dcodes, ddead, dn, dids = delta
        if dn:
            self._run(queries, parts, dids, max_distance,
                      lambda q, r, d: K.search_linear(q, dcodes, ddead, dn, max_distance, r, d),
                      lambda qs, r, d, c: K.search_linear_batch(qs, dcodes, ddead, dn,
                                                                max_distance, r, d, c))
        out = []
        for p in parts:
            if not p:
                out.append(_EMPTY)
            elif len(p) == 1:
                out.append(sort_hits(*p[0]))
            else:
                out.append(sort_hits(np.concatenate([a for a, _ in p]),
                                     np.concatenate([b for _, b in p])))
        return out

    def _run(self, queries, parts, ids, maxd, one, batch, cap: int = 64) -> None:
        if len(queries) <= SERIAL_QUERIES:
            # Waking the parallel kernel's threads costs more than a few searches, and far
            # more on a busy machine (a picture and its edits are 3 queries).
            for i, q in enumerate(queries):
                rows, dist = np.empty(cap, np.int64), np.empty(cap, np.int64)
                n = one(q, rows, dist)
                if n > cap:
                    rows, dist = np.empty(n, np.int64), np.empty(n, np.int64)
                    one(q, rows, dist)
                if n:
                    parts[i].append((ids[rows[:n]], dist[:n].astype(np.int32)))
            return
        rows = np.empty((len(queries), cap), np.int64)
        dist = np.empty((len(queries), cap), np.int64)
        counts = np.zeros(len(queries), np.int64)
        batch(queries, rows, dist, counts)
        for i in np.flatnonzero(counts):
            n = int(counts[i])
            if n > cap:  # a query with many neighbours: run it alone with room for all
                r, d = np.empty(n, np.int64), np.empty(n, np.int64)
                one(queries[i], r, d)
            else:
                r, d = rows[i, :n], dist[i, :n]
            parts[i].append((ids[r], d.astype(np.int32)))

    def __len__(self) -> int:
        with self._lock:
            seg = sum(s.n - int(np.count_nonzero(s.dead)) for s in self._segments)
            return seg + self._dn - int(np.count_nonzero(self._ddead[:self._dn]))

    def memory_bytes(self) -> int:
        with self._lock:
            return (sum(s.nbytes() for s in self._segments) + self._dcodes.nbytes
                    + self._dids.nbytes + self._ddead.nbytes)

    @property
    def segment_sizes(self) -> list[int]:
        return [s.n for s in self._segments] + [self._dn]

    # -- disk ------------------------------------------------------------------------------
    def save(self, directory: Path) -> None:
        directory = Path(directory)
        with self._lock:
            self._generation += 1
            gen = self._generation
            keep: set[str] = set()
            segs = []
            for s in self._segments:
                names = {"codes": f"{s.name}.codes.npy", "ids": f"{s.name}.ids.npy"}
                if s.tables is not None:
                    names |= {"tables": f"{s.name}.tables.npy", "offsets": f"{s.name}.offsets.npy"}
                if not s.saved:
                    store.write_array(directory, f"{s.name}.codes", s.codes)
                    store.write_array(directory, f"{s.name}.ids", s.ids)
                    if s.tables is not None:
                        store.write_array(directory, f"{s.name}.tables", s.tables)
                        store.write_array(directory, f"{s.name}.offsets", s.offsets)
                    s.saved = True
                dead_rows = np.flatnonzero(s.dead)
                if len(dead_rows):
                    names["dead"] = store.write_array(directory, f"{s.name}.dead-{gen}", dead_rows)
                keep |= set(names.values())
                segs.append({"name": s.name, "n": s.n, "files": names})
            live = self._ddead[:self._dn] == 0
            delta = {"codes": store.write_array(directory, f"delta-{gen}.codes",
                                                self._dcodes[:self._dn][live]),
                     "ids": store.write_array(directory, f"delta-{gen}.ids",
                                              self._dids[:self._dn][live])}
            keep |= set(delta.values())
            store.write_manifest(directory, {
                "index": self.name, "nbytes": self.nbytes, "count": len(self),
                "generation": gen, "segments": segs, "delta": delta})
            store.remove_unlisted(directory, keep)

    @classmethod
    def load(cls, directory: Path, manifest: dict, **options) -> "MIHIndex":
        directory = Path(directory)
        index = cls(**options)
        for s in manifest["segments"]:
            f = s["files"]
            ids = store.read_array(directory, f["ids"], mmap=True)
            codes = store.read_array(directory, f["codes"], mmap=True)
            if codes.shape != (len(ids), 4) or codes.dtype != np.uint64:
                raise InvalidInput(f"index segment {s['name']} is damaged")
            dead = np.zeros(len(ids), np.uint8)
            if "dead" in f:
                dead[store.read_array(directory, f["dead"])] = 1
            tables = offsets = None
            if "tables" in f:
                tables = store.read_array(directory, f["tables"], mmap=True)
                offsets = store.read_array(directory, f["offsets"], mmap=True)
            index._segments.append(_Segment(s["name"], codes, ids, dead, tables, offsets,
                                            saved=True))
        d = manifest["delta"]
        dcodes = store.read_array(directory, d["codes"])
        if len(dcodes):
            index.add(store.read_array(directory, d["ids"]), dcodes.view(np.uint8))
        index._generation = int(manifest.get("generation", 0))
        return index
