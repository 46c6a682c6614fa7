"""Which video frames get looked at: by change (cuts, new captions), uniform fallback, fixed budget."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np


@dataclass(frozen=True)
class FrameSampler:
    """Settings for picking frames; the choice happens in `SampleStream` while decoding."""

    budget: int = 16               # frames analysed per video, whatever its length
    analysis_fps: float = 4.0      # how often a frame is compared with the last one kept
    # A frame is a change when this share of its thumbnail's pixels moved by > pixel_delta.
    change_threshold: float = 0.015
    pixel_delta: int = 28
    min_gap_s: float = 0.25
    # With no change for this long a frame is kept anyway; None: duration / budget.
    max_gap_s: float | None = None
    max_side: int = 1280           # kept frames are scaled to fit (enough for OCR of captions)
    thumb: tuple[int, int] = (96, 54)

    def __post_init__(self) -> None:
        if self.budget < 1 or self.analysis_fps <= 0 or self.max_side < 32:
            raise ValueError("FrameSampler needs budget >= 1, analysis_fps > 0, max_side >= 32")


@dataclass
class Candidate:
    time: float
    score: float
    reason: str                    # "first", "change" or "uniform"
    image: Any = None              # RGB uint8 (H, W, 3) once kept
    end: float | None = None       # the time up to which this frame stands for the video


@dataclass
class SampleStream:
    """Streaming selection with bounded memory: at most 4 × budget frames are ever held.

    When too many changes pile up (a long or busy video), neighbouring candidates are merged,
    keeping the sharper change, and the gaps double, so coverage stays even across the clip.
    """

    sampler: FrameSampler
    duration: float | None
    candidates: list[Candidate] = field(default_factory=list)
    _last_thumb: np.ndarray | None = None
    _last_time: float = float("-inf")
    _next_analysis: float = 0.0
    _min_gap: float = 0.0
    _max_gap: float = 0.0

    def __post_init__(self) -> None:
        s = self.sampler
        self._min_gap = s.min_gap_s
        if s.max_gap_s is not None:
            self._max_gap = s.max_gap_s
        elif self.duration:
            self._max_gap = max(1.0, self.duration / s.budget)
        else:
            self._max_gap = 2.0

    def due(self, t: float) -> bool:
        """Whether the frame at `t` should be compared (cheap: no pixels touched)."""
        return t >= self._next_analysis

    def offer(self, t: float, thumb: np.ndarray) -> Candidate | None:
        """Compare a grey thumbnail with the last kept one; a Candidate means: keep this frame."""
        self._next_analysis = t + 1.0 / self.sampler.analysis_fps
        thumb = thumb.astype(np.int16)
        if self._last_thumb is None:
            cand = Candidate(t, 1.0, "first")
        else:
            change = changed_share(thumb, self._last_thumb, self.sampler.pixel_delta)
            gap = t - self._last_time
            if change >= self.sampler.change_threshold and gap >= self._min_gap:
                cand = Candidate(t, change, "change")
            elif gap >= self._max_gap:
                cand = Candidate(t, change, "uniform")
            else:
                return None
        self._last_thumb, self._last_time = thumb, t
        return cand

    def keep(self, cand: Candidate, image: np.ndarray) -> None:
        cand.image = image
        self.candidates.append(cand)
        if len(self.candidates) > 4 * self.sampler.budget:
            self._merge_neighbours()

    def _merge_neighbours(self) -> None:
        first, rest = self.candidates[0], self.candidates[1:]
        merged = [max(rest[i:i + 2], key=_rank) for i in range(0, len(rest), 2)]
        self.candidates = [first, *merged]
        self._min_gap *= 2
        self._max_gap *= 2

    def select(self, end_time: float) -> list[Candidate]:
        """The budget's worth of frames, in time order, each with the span it stands for."""
        cands, budget = self.candidates, self.sampler.budget
        if len(cands) > budget:
            # Split into `budget` runs of neighbours and keep the sharpest change of each run,
            # so the picks spread over the whole clip instead of bunching at busy moments.
            bounds = np.linspace(0, len(cands), budget + 1).round().astype(int)
            cands = [max(cands[a:b], key=_rank) for a, b in zip(bounds[:-1], bounds[1:]) if b > a]
        for cur, nxt in zip(cands, cands[1:]):
            cur.end = nxt.time
        if cands:
            cands[-1].end = max(end_time, cands[-1].time)
        return cands


def changed_share(a: np.ndarray, b: np.ndarray, pixel_delta: int) -> float:
    """The share of thumbnail pixels that moved by more than pixel_delta grey levels."""
    return float(np.mean(np.abs(a.astype(np.int16) - b.astype(np.int16)) > pixel_delta))


def grey_thumb(rgb: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """The same grey thumbnail the decoder compares, made from an RGB frame."""
    from PIL import Image

    return np.asarray(Image.fromarray(rgb).convert("L").resize(size, Image.BILINEAR))


def _rank(c: Candidate) -> tuple[int, float]:
    return ({"first": 2, "change": 1}.get(c.reason, 0), c.score)


def fit(width: int, height: int, max_side: int) -> tuple[int, int]:
    """Dimensions scaled to fit max_side, even-numbered for the scaler."""
    scale = min(1.0, max_side / max(width, height))
    return max(2, int(width * scale) // 2 * 2), max(2, int(height * scale) // 2 * 2)
