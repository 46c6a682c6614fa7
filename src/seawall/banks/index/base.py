"""The HashIndex interface: ids of stored hashes within a distance of query hashes.

Why it exists: a bank needs to add and remove hashes while it serves lookups, and to
keep them on disk between runs; how it finds neighbours (a scan, multi-index hashing,
a sorted table) is each implementation's business. Every implementation runs the same
conformance suite against the brute-force `LinearIndex` (tests/banks/index_contract.py).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from pathlib import Path

import numpy as np

from seawall.errors import InvalidInput

# (ids, distances) of one query's hits, nearest first.
Hits = tuple[np.ndarray, np.ndarray]


class HashIndex(ABC):
    """Hashes of `nbytes` bytes, each stored under an int64 id (a bank entry id)."""

    name: str
    nbytes: int

    @abstractmethod
    def add(self, ids: np.ndarray, codes: np.ndarray) -> None:
        """Make hashes matchable at once; adding an id twice stores it twice."""

    @abstractmethod
    def remove(self, ids: np.ndarray) -> int:
        """Stop matching these ids at once; returns how many stored hashes were dropped."""

    @abstractmethod
    def search(self, queries: np.ndarray, max_distance: int) -> list[Hits]:
        """For each query row, the stored ids within `max_distance` and their distances."""

    @abstractmethod
    def __len__(self) -> int:
        """Live (not removed) hashes."""

    @abstractmethod
    def save(self, directory: Path) -> None:
        """Write the index under `directory` in the versioned on-disk format."""

    @abstractmethod
    def memory_bytes(self) -> int:
        """Bytes of the arrays this index holds or maps."""

    def compact(self) -> None:
        """Fold recent additions and removals into the main structure (optional)."""


def check_codes(codes: np.ndarray, nbytes: int) -> np.ndarray:
    codes = np.asarray(codes)
    if codes.ndim == 1 and codes.size == nbytes:
        codes = codes.reshape(1, nbytes)
    if codes.ndim != 2 or codes.shape[1] != nbytes or codes.dtype != np.uint8:
        raise InvalidInput(f"hashes must be an (n, {nbytes}) uint8 array, "
                           f"got {codes.shape} {codes.dtype}")
    return np.ascontiguousarray(codes)


def check_ids(ids, n: int | None = None) -> np.ndarray:
    ids = np.ascontiguousarray(np.asarray(ids, dtype=np.int64).reshape(-1))
    if n is not None and len(ids) != n:
        raise InvalidInput(f"{len(ids)} ids for {n} hashes")
    return ids


def sort_hits(ids: np.ndarray, dist: np.ndarray) -> Hits:
    order = np.lexsort((ids, dist))
    return ids[order], dist[order]
