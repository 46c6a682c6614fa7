"""Indexes that find stored hashes near a query: linear reference, multi-index hashing, exact."""

from __future__ import annotations

from pathlib import Path

from seawall.banks.index import store
from seawall.banks.index.base import HashIndex, Hits
from seawall.banks.index.linear import LinearIndex

__all__ = ["HashIndex", "Hits", "LinearIndex", "load_index"]


def load_index(directory: Path, **options) -> HashIndex:
    """Open an index written by any implementation's `save`."""
    manifest = store.read_manifest(Path(directory))
    kind = manifest.get("index")
    if kind == "linear":
        return LinearIndex.load(Path(directory), manifest)
    if kind == "mih":
        from seawall.banks.index.mih import MIHIndex

        return MIHIndex.load(Path(directory), manifest, **options)
    if kind == "exact":
        from seawall.banks.index.exact import ExactIndex

        return ExactIndex.load(Path(directory), manifest)
    raise store.InvalidInput(f"unknown index kind {kind!r} in {directory}")
