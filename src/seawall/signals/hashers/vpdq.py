"""vPDQ for video: a PDQ per sampled frame with its time; videos match by the share of frames.

Written as python-threatexchange and HMA write it: a JSON list of "pdq_hex,quality,seconds"
strings. Matching follows vPDQ's reference matcher: frames under the quality floor are
dropped, identical frame hashes counted once, and two videos match when at least
`query_match_percent` of the query's frames have a bank frame within the distance (and
`compared_match_percent` of the bank video's frames have a query frame).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from seawall.errors import InvalidInput
from seawall.signals.hashers.base import Hasher
from seawall.signals.hashers.pdq import PdqHasher


@dataclass(frozen=True)
class VpdqFrame:
    pdq_hex: str
    quality: int
    timestamp: float

    def __str__(self) -> str:
        return f"{self.pdq_hex},{self.quality},{self.timestamp:.3f}"


class VpdqHasher(Hasher):
    """Frame sampling rate, quality floor, frame distance and match shares are settings."""

    name = "vpdq"
    metric = "frames"
    nbits = 256  # of each frame
    te_names = ("vpdq", "HASH_VPDQ")

    def __init__(self, *, seconds_per_hash: float = 1.0, quality_threshold: int = 50,
                 default_distance: int = 31, max_distance: int = 64,
                 query_match_percent: float = 80.0, compared_match_percent: float = 0.0,
                 max_frames: int = 100_000):
        self.seconds_per_hash = seconds_per_hash
        self.quality_threshold = quality_threshold
        self.default_distance = default_distance
        self.max_distance = max_distance
        self.query_match_percent = query_match_percent
        self.compared_match_percent = compared_match_percent
        self.max_frames = max_frames
        self._pdq = PdqHasher()

    # -- the written form ------------------------------------------------------------------
    def parse_frames(self, value: str) -> list[VpdqFrame]:
        """Frames of a serialized vPDQ; malformed input is InvalidInput naming the frame."""
        try:
            items = json.loads(value) if isinstance(value, str) else value
        except json.JSONDecodeError as exc:
            raise InvalidInput(f"vpdq hash is not a JSON list: {exc}") from None
        if not isinstance(items, list) or not items:
            raise InvalidInput("vpdq hash must be a non-empty JSON list of \"pdq,quality,seconds\"")
        if len(items) > self.max_frames:
            raise InvalidInput(f"vpdq hash has {len(items)} frames, over {self.max_frames}")
        frames = []
        for i, item in enumerate(items):
            parts = item.split(",") if isinstance(item, str) else []
            if len(parts) != 3:
                raise InvalidInput(f"vpdq frame {i} must be \"pdq_hex,quality,seconds\": {item!r}")
            try:
                quality, ts = int(parts[1]), float(parts[2])
            except ValueError:
                raise InvalidInput(f"vpdq frame {i} has a bad quality or time: {item!r}") from None
            if not 0 <= quality <= 100 or not ts >= 0:
                raise InvalidInput(f"vpdq frame {i} quality must be 0..100 and time >= 0: {item!r}")
            frames.append(VpdqFrame(self._pdq.canonical(parts[0]), quality, ts))
        return frames

    def format_frames(self, frames: Iterable[VpdqFrame]) -> str:
        return json.dumps([str(f) for f in frames])

    def parse(self, value: str) -> bytes:
        return self.canonical(value).encode()

    def canonical(self, value: str) -> str:
        return self.format_frames(self.parse_frames(value))

    def format(self, code: bytes) -> str:
        return code.decode()

    def distance(self, a: str, b: str) -> int:
        raise InvalidInput("vpdq hashes compare by matched frame share, not one distance")

    def usable(self, frames: Iterable[VpdqFrame]) -> list[VpdqFrame]:
        """Frames good enough to match on, each distinct hash once (as the reference matcher)."""
        seen: dict[str, VpdqFrame] = {}
        for f in frames:
            if f.quality >= self.quality_threshold and f.pdq_hex not in seen:
                seen[f.pdq_hex] = f
        return list(seen.values())

    # -- hashing ---------------------------------------------------------------------------
    def hash_frames(self, frames: Iterable[tuple[float, np.ndarray]]) -> list[VpdqFrame]:
        """vPDQ of decoded frames given as (seconds, RGB array), one kept per sampling period."""
        out: list[VpdqFrame] = []
        next_t = 0.0
        for ts, rgb in frames:
            if ts + 1e-9 < next_t:
                continue
            h = self._pdq.hash_image(rgb)
            out.append(VpdqFrame(h.hex, h.quality, round(float(ts), 3)))
            next_t = ts + self.seconds_per_hash
        return out

    def hash_file(self, path: str) -> list[VpdqFrame]:
        """Decode a video with PyAV (the `media` extra) and hash its frames."""
        try:
            import av
        except ImportError:
            raise InvalidInput("hashing video needs PyAV: pip install 'seawall[media]'") from None
        with av.open(str(path)) as container:
            stream = container.streams.video[0]
            frames = ((float(f.time or 0.0), f.to_ndarray(format="rgb24"))
                      for f in container.decode(stream))
            return self.hash_frames(frames)

    def hash_bytes(self, data: bytes) -> list[str]:
        import tempfile

        with tempfile.NamedTemporaryFile(suffix=".video") as tmp:
            tmp.write(data)
            tmp.flush()
            frames = self.hash_file(tmp.name)
        return [self.format_frames(frames)] if frames else []

    # -- matching --------------------------------------------------------------------------
    def match_percents(self, query: list[VpdqFrame], target: list[VpdqFrame],
                       distance: int) -> tuple[float, float]:
        """Brute-force reference: (% of query frames matched, % of target frames matched)."""
        q, t = self.usable(query), self.usable(target)
        if not q or not t:
            return 0.0, 0.0
        qa = np.stack([np.frombuffer(bytes.fromhex(f.pdq_hex), np.uint8) for f in q])
        ta = np.stack([np.frombuffer(bytes.fromhex(f.pdq_hex), np.uint8) for f in t])
        d = np.bitwise_count(qa[:, None, :] ^ ta[None, :, :]).sum(axis=2) <= distance
        return 100.0 * d.any(axis=1).mean(), 100.0 * d.any(axis=0).mean()
