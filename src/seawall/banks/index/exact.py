"""The index for exact digests (MD5, SHA-256): a sorted table plus a small dict of additions."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np

from seawall.banks.index import store
from seawall.banks.index.base import HashIndex, Hits, check_codes, check_ids

_EMPTY: Hits = (np.empty(0, np.int64), np.empty(0, np.int32))


class ExactIndex(HashIndex):
    """Binary search in a sorted array (8 + nbytes bytes a hash); additions go to a dict
    that is merged into the array when it holds `delta_limit` hashes or on save."""

    name = "exact"

    def __init__(self, nbytes: int, *, delta_limit: int = 100_000):
        self.nbytes = nbytes
        self.delta_limit = delta_limit
        self._keys = np.empty(0, f"S{nbytes}")
        self._ids = np.empty(0, np.int64)
        self._dead = np.empty(0, bool)
        self._delta: dict[bytes, list[int]] = {}
        self._dcount = 0
        self._lock = threading.RLock()

    def add(self, ids, codes) -> None:
        codes = check_codes(codes, self.nbytes)
        ids = check_ids(ids, len(codes))
        with self._lock:
            for key, i in zip(codes.view(f"S{self.nbytes}").reshape(-1).tolist(), ids.tolist()):
                self._delta.setdefault(key, []).append(i)
            self._dcount += len(ids)
            if self._dcount >= self.delta_limit:
                self._merge()

    def remove(self, ids) -> int:
        ids = np.unique(check_ids(ids))
        wanted = set(ids.tolist())
        with self._lock:
            hit = np.isin(self._ids, ids) & ~self._dead
            self._dead |= hit
            removed = int(hit.sum())
            for key in list(self._delta):
                keep = [i for i in self._delta[key] if i not in wanted]
                removed += len(self._delta[key]) - len(keep)
                self._dcount -= len(self._delta[key]) - len(keep)
                if keep:
                    self._delta[key] = keep
                else:
                    del self._delta[key]
        return removed

    def search(self, queries, max_distance: int) -> list[Hits]:
        queries = check_codes(queries, self.nbytes)
        if max_distance < 0:
            return [_EMPTY] * len(queries)
        keys = queries.view(f"S{self.nbytes}").reshape(-1)
        with self._lock:
            lo = np.searchsorted(self._keys, keys, "left")
            hi = np.searchsorted(self._keys, keys, "right")
            out = []
            for k, a, b in zip(keys.tolist(), lo, hi):
                found = [int(i) for i, dead in zip(self._ids[a:b], self._dead[a:b]) if not dead]
                found += self._delta.get(k, [])
                out.append((np.array(sorted(found), np.int64), np.zeros(len(found), np.int32))
                           if found else _EMPTY)
        return out

    def _merge(self) -> None:
        if not self._delta:
            return
        dk = np.array([k for k, v in self._delta.items() for _ in v], f"S{self.nbytes}")
        di = np.array([i for v in self._delta.values() for i in v], np.int64)
        live = ~self._dead
        keys = np.concatenate([self._keys[live], dk])
        ids = np.concatenate([self._ids[live], di])
        order = np.lexsort((ids, keys))
        self._keys, self._ids = keys[order], ids[order]
        self._dead = np.zeros(len(ids), bool)
        self._delta, self._dcount = {}, 0

    def __len__(self) -> int:
        return int(len(self._ids) - self._dead.sum()) + self._dcount

    def memory_bytes(self) -> int:
        # A dict entry costs roughly a hash's bytes object plus a one-item list.
        return self._keys.nbytes + self._ids.nbytes + self._dead.nbytes + 150 * self._dcount

    def save(self, directory: Path) -> None:
        with self._lock:
            self._merge()
            live = ~self._dead
            files = {store.write_array(directory, "exact.keys",
                                       self._keys[live].view(np.uint8).reshape(-1, self.nbytes)),
                     store.write_array(directory, "exact.ids", self._ids[live])}
            store.write_manifest(directory, {"index": self.name, "nbytes": self.nbytes,
                                             "count": len(self)})
            store.remove_unlisted(directory, files)

    @classmethod
    def load(cls, directory: Path, manifest: dict) -> "ExactIndex":
        index = cls(int(manifest["nbytes"]))
        keys = store.read_array(directory, "exact.keys.npy", mmap=True)
        index._keys = keys.view(f"S{index.nbytes}").reshape(-1)
        index._ids = store.read_array(directory, "exact.ids.npy", mmap=True)
        index._dead = np.zeros(len(index._ids), bool)
        return index
