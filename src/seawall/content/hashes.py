"""Perceptual hashes of decoded video frames (PDQ per frame, vPDQ) in the formats banks exchange.

The decoder child computes these while frames stream by, so this stays free of signal code;
pictures are hashed by `seawall.signals.hashers.pdq` and tests hold the two to the same bits.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np

# vPDQ frames with quality under this are dropped when matching (ThreatExchange's default).
VPDQ_QUALITY_THRESHOLD = 50


def pdq(rgb: np.ndarray) -> tuple[str, int]:
    """PDQ of an RGB uint8 image: 64 hex digits (bit 0 of the vector first, as ThreatExchange
    writes it) and the quality 0..100. Images whose quality is low hash unreliably."""
    import pdqhash

    vector, quality = pdqhash.compute(np.ascontiguousarray(rgb, dtype=np.uint8))
    return np.packbits(np.asarray(vector, dtype=np.uint8)).tobytes().hex(), int(quality)


@dataclass(frozen=True)
class VpdqFeature:
    """One sampled frame of a video's vPDQ: its PDQ, quality and time."""

    pdq_hex: str
    quality: int
    timestamp: float

    def __str__(self) -> str:
        return f"{self.pdq_hex},{self.quality},{self.timestamp:.3f}"


def vpdq_signal_string(features: list[VpdqFeature]) -> str:
    """The video's vPDQ as python-threatexchange / HMA serialize it: a JSON list of
    "pdq_hex,quality,timestamp" strings, one per sampled frame."""
    return json.dumps([str(f) for f in features])


def parse_vpdq(serialized: str) -> list[VpdqFeature]:
    out = []
    for item in json.loads(serialized or "[]"):
        pdq_hex, quality, ts = item.split(",")
        out.append(VpdqFeature(pdq_hex, int(quality), float(ts)))
    return out
