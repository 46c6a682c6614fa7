"""The brute-force reference index: every query compared with every stored hash (numpy)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from seawall.banks.index import store
from seawall.banks.index.base import HashIndex, Hits, check_codes, check_ids, sort_hits


class LinearIndex(HashIndex):
    """Exact by construction; the truth other indexes are tested against. Fine up to ~100k."""

    name = "linear"

    def __init__(self, nbytes: int = 32):
        self.nbytes = nbytes
        self._codes = np.empty((0, nbytes), np.uint8)
        self._ids = np.empty(0, np.int64)
        self._dead = np.empty(0, bool)
        self._n = 0

    def add(self, ids, codes) -> None:
        codes = check_codes(codes, self.nbytes)
        ids = check_ids(ids, len(codes))
        need = self._n + len(codes)
        if need > len(self._codes):
            cap = max(need, 2 * len(self._codes), 1024)
            self._codes = _grow(self._codes, cap)
            self._ids = _grow(self._ids, cap)
            self._dead = _grow(self._dead, cap)
        self._codes[self._n:need] = codes
        self._ids[self._n:need] = ids
        self._dead[self._n:need] = False
        self._n = need

    def remove(self, ids) -> int:
        hit = np.isin(self._ids[:self._n], check_ids(ids)) & ~self._dead[:self._n]
        self._dead[:self._n] |= hit
        return int(hit.sum())

    def search(self, queries, max_distance: int) -> list[Hits]:
        queries = check_codes(queries, self.nbytes)
        codes, ids, live = self._codes[:self._n], self._ids[:self._n], ~self._dead[:self._n]
        out = []
        for q in queries:
            dist = np.bitwise_count(codes ^ q).sum(axis=1, dtype=np.int32)
            hit = (dist <= max_distance) & live
            out.append(sort_hits(ids[hit], dist[hit]))
        return out

    def __len__(self) -> int:
        return int(self._n - self._dead[:self._n].sum())

    def memory_bytes(self) -> int:
        return self._codes.nbytes + self._ids.nbytes + self._dead.nbytes

    def save(self, directory: Path) -> None:
        live = ~self._dead[:self._n]
        files = [store.write_array(directory, "linear.codes", self._codes[:self._n][live]),
                 store.write_array(directory, "linear.ids", self._ids[:self._n][live])]
        store.write_manifest(directory, {"index": self.name, "nbytes": self.nbytes,
                                         "count": len(self)})
        store.remove_unlisted(directory, set(files))

    @classmethod
    def load(cls, directory: Path, manifest: dict) -> "LinearIndex":
        index = cls(int(manifest["nbytes"]))
        index.add(store.read_array(directory, "linear.ids.npy"),
                  store.read_array(directory, "linear.codes.npy"))
        return index


def _grow(a: np.ndarray, cap: int) -> np.ndarray:
    out = np.empty((cap, *a.shape[1:]), a.dtype)
    out[:len(a)] = a
    return out
