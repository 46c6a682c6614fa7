"""Helpers for bank tests: random PDQ-shaped hashes and near copies."""

from __future__ import annotations

import numpy as np


def pdq_hashes(rng, n: int) -> list[str]:
    return [rng.integers(0, 256, 32, dtype=np.uint8).tobytes().hex() for _ in range(n)]


def flip(hex_hash: str, bits: int, rng) -> str:
    arr = np.unpackbits(np.frombuffer(bytes.fromhex(hex_hash), np.uint8))
    arr[rng.choice(256, bits, replace=False)] ^= 1
    return np.packbits(arr).tobytes().hex()
