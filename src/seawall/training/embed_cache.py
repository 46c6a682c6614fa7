"""A content-addressed cache of sentence embeddings, so retraining heads does not re-encode."""

from __future__ import annotations

import hashlib
import json
import os
import uuid
from pathlib import Path
from typing import Callable, Sequence

import numpy as np


def _key(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()


class EmbeddingCache:
    """Append-only shards of (keys.json, vectors.npy) under one folder, per encoder name.

    Several processes may fill one cache at once (a training run beside an evaluation):
    shard names are unique, and each file appears by an atomic rename, vectors first, so
    a reader never sees a half-written shard or one another process overwrote.
    """

    def __init__(self, folder: Path, encoder_name: str, dim: int):
        self.folder = Path(folder) / encoder_name.replace("/", "_")
        self.folder.mkdir(parents=True, exist_ok=True)
        self.dim = dim
        self._index: dict[str, tuple[int, int]] = {}
        self._shards: list[np.ndarray] = []
        for i, keys_file in enumerate(sorted(self.folder.glob("shard-*.json"))):
            vecs = np.load(keys_file.with_suffix(".npy"), mmap_mode="r")
            keys = json.loads(keys_file.read_text())
            self._shards.append(vecs)
            for j, k in enumerate(keys):
                self._index[k] = (i, j)

    def get(self, texts: Sequence[str], encode: Callable[[Sequence[str]], np.ndarray],
            progress: Callable[[int], None] | None = None, chunk: int = 2048) -> np.ndarray:
        keys = [_key(t) for t in texts]
        missing = list(dict.fromkeys(k for k in keys if k not in self._index))
        by_key = {k: t for k, t in zip(keys, texts)}
        for start in range(0, len(missing), chunk):
            part = missing[start:start + chunk]
            vecs = encode([by_key[k] for k in part]).astype(np.float16)
            self._write(part, vecs)
            if progress:
                progress(len(part))
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        for row, k in enumerate(keys):
            s, j = self._index[k]
            out[row] = self._shards[s][j]
        return out

    def _write(self, keys: list[str], vecs: np.ndarray) -> None:
        n = len(self._shards)
        base = self.folder / f"shard-{uuid.uuid4().hex}"
        tmp = self.folder / f".tmp-{uuid.uuid4().hex}"
        with open(tmp, "wb") as f:
            np.save(f, vecs)
        os.replace(tmp, base.with_suffix(".npy"))
        tmp.write_text(json.dumps(keys))
        os.replace(tmp, base.with_suffix(".json"))  # the keys file marks the shard complete
        self._shards.append(vecs)
        for j, k in enumerate(keys):
            self._index[k] = (n, j)


class CachedEncoder:
    """An encoder that looks in the cache first; drop-in for E5Encoder during eval."""

    def __init__(self, encoder, folder: Path):
        self.inner = encoder
        self.name = encoder.name
        self.dim = encoder.dim
        self.cache = EmbeddingCache(folder, encoder.name, encoder.dim)

    def encode(self, texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
        return self.cache.get(list(texts), self.inner.encode)
