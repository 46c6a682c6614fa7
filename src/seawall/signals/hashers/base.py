"""The Hasher interface: a signal type that turns media into hashes banks can match.

Why it exists: banks, the index and the import/export formats only need to know how a
hash is written, parsed and compared; what made it (pixels, frames, bytes, words) stays
inside each hasher. A hasher is a configured instance (its quality floor and default
distance are constructor arguments), so two banks may use two differently tuned PDQs.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from typing import Literal

import numpy as np

from seawall.errors import InvalidInput

Metric = Literal["hamming", "exact", "frames"]

_HEX = re.compile(r"[0-9a-f]+")


class Hasher(ABC):
    """One signal type. `name` is the kind a bank is created with (pdq, vpdq, md5, ...)."""

    name: str
    metric: Metric
    nbits: int
    # Distance a bank of this kind matches at unless it says otherwise.
    default_distance: int = 0
    # Largest distance a bank may ask for; beyond it a hash matches noise.
    max_distance: int = 0
    # python-threatexchange / HMA names for this signal type, for import and /m/lookup.
    te_names: tuple[str, ...] = ()

    @property
    def nbytes(self) -> int:
        return self.nbits // 8

    def parse(self, value: str) -> bytes:
        """Validated bytes of one hash written as hex; anything else is InvalidInput."""
        return bytes.fromhex(self._checked_hex(value))

    def format(self, code: bytes) -> str:
        return bytes(code).hex()

    def canonical(self, value: str) -> str:
        """The one spelling of a hash that banks store and deduplicate on."""
        return self._checked_hex(value)

    def _checked_hex(self, value: str) -> str:
        if not isinstance(value, str):
            raise InvalidInput(f"{self.name} hash must be a string, got {type(value).__name__}")
        text = value.strip().lower()
        if len(text) != self.nbytes * 2:
            raise InvalidInput(f"{self.name} hash must be {self.nbytes * 2} hex digits, "
                               f"got {len(text)}: {_clip(value)!r}")
        if not _HEX.fullmatch(text):
            raise InvalidInput(f"{self.name} hash is not hexadecimal: {_clip(value)!r}")
        return text

    def distance(self, a: str, b: str) -> int:
        """Distance between two written hashes (Hamming bits, or 0/1 for exact kinds)."""
        ca, cb = self.parse(a), self.parse(b)
        if self.metric == "exact":
            return 0 if ca == cb else 1
        x = np.frombuffer(ca, np.uint8) ^ np.frombuffer(cb, np.uint8)
        return int(np.unpackbits(x).sum())

    def check_distance(self, distance: int) -> int:
        if not isinstance(distance, int) or isinstance(distance, bool):
            raise InvalidInput(f"distance must be an integer, got {distance!r}")
        if distance < 0 or distance > self.max_distance:
            raise InvalidInput(f"{self.name} distance must be between 0 and {self.max_distance}, "
                               f"got {distance}")
        return distance

    @abstractmethod
    def hash_bytes(self, data: bytes) -> list[str]:
        """Hashes of one media file's bytes (empty when the media is too poor to hash)."""


def codes_from_hex(values: list[str], hasher: Hasher) -> np.ndarray:
    """Parse many hashes into an (n, nbytes) uint8 matrix, failing on the first bad one."""
    out = np.empty((len(values), hasher.nbytes), np.uint8)
    for i, v in enumerate(values):
        out[i] = np.frombuffer(hasher.parse(v), np.uint8)
    return out


def _clip(value: object, n: int = 80) -> str:
    s = str(value)
    return s if len(s) <= n else s[:n] + "…"
