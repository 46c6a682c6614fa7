"""A near-duplicate hash of normalized text: 256 one-bit MinHashes over character 5-grams.

Two texts whose 5-gram sets have Jaccard similarity J differ in about 128 * (1 - J) of
the 256 bits, so the same Hamming index that matches PDQ matches copy-paste spam and
campaign texts with a word or two changed, re-spaced, re-cased or disguised (the
normalizer undoes leetspeak, homoglyphs and invisible characters first).
"""

from __future__ import annotations

import re

import numpy as np

from seawall.signals.hashers.base import Hasher

_NOT_WORD = re.compile(r"[\W_]+", re.UNICODE)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_P = np.uint64(0x100000001B3)


def _mix(z: np.ndarray) -> np.ndarray:
    """splitmix64's finalizer: a fixed, platform-independent 64-bit bijection."""
    z = (z ^ (z >> np.uint64(30))) * _M1
    z = (z ^ (z >> np.uint64(27))) * _M2
    return z ^ (z >> np.uint64(31))


def simple_normalize(text: str) -> str:
    """Fallback when the evasion-aware normalizer is absent: case and spacing only."""
    return " ".join(text.casefold().split())


def _normalizer():
    try:
        from seawall.signals.text.normalize import normalize
    except ImportError:  # the text stage is optional for hash banks
        return simple_normalize
    return lambda text: normalize(text).text


class TextMinHasher(Hasher):
    """Configured with its shingle width, shortest text worth hashing and a seed."""

    name = "text"
    metric = "hamming"
    nbits = 256
    te_names = ("text",)  # ThreatExchange raw_text lines are hashed on import

    def __init__(self, *, shingle: int = 5, min_chars: int = 16, max_chars: int = 20_000,
                 seed: int = 0x5EA3A11, default_distance: int = 40, max_distance: int = 96,
                 normalize=None):
        self.shingle = shingle
        self.min_chars = min_chars
        # Only the head of a very long text is hashed: spam that matters is short, and
        # hashing cost grows with length.
        self.max_chars = max_chars
        self.default_distance = default_distance
        self.max_distance = max_distance
        self._normalize = normalize or _normalizer()
        self._seeds = _mix(np.arange(1, self.nbits + 1, dtype=np.uint64) + np.uint64(seed))

    def prepare(self, text: str) -> str:
        """The text the hash is computed on: normalized, punctuation and spacing dropped."""
        return " ".join(_NOT_WORD.sub(" ", self._normalize(text)).split())[: self.max_chars]

    def hash_text(self, text: str) -> str | None:
        """The hash as 64 hex digits, or None when the text is too short to be distinctive."""
        s = self.prepare(text)
        if len(s) < self.min_chars:
            return None
        cps = np.frombuffer(s.encode("utf-32-le"), np.uint32).astype(np.uint64)
        k = min(self.shingle, len(cps))
        n = len(cps) - k + 1
        h = np.zeros(n, np.uint64)
        for i in range(k):
            h = h * _P + cps[i:i + n]
        h = np.unique(_mix(h))
        mins = np.full(self.nbits, np.iinfo(np.uint64).max, np.uint64)
        for start in range(0, len(h), 2048):  # bounds the (shingles x 256) temporary
            block = _mix(h[start:start + 2048, None] ^ self._seeds[None, :])
            np.minimum(mins, block.min(axis=0), out=mins)
        return np.packbits((mins & np.uint64(1)).astype(np.uint8)).tobytes().hex()

    def hash_bytes(self, data: bytes) -> list[str]:
        h = self.hash_text(data.decode("utf-8", errors="replace"))
        return [h] if h else []
