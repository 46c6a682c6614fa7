"""How big, long and slow one media item may be before it is refused."""

from __future__ import annotations

from dataclasses import dataclass

MB = 1024 * 1024


@dataclass(frozen=True)
class MediaLimits:
    """Per-item limits. Exceeding any of them is a `TooLarge` error for that item only.

    The defaults fit a short-video platform on a small CPU box; an operator passes their own
    instance (plugins are configured instances, not class constants).
    """

    image_max_bytes: int = 25 * MB
    # Checked from the header before a single pixel is decoded.
    image_max_pixels: int = 40_000_000
    image_max_side: int = 16_384
    video_max_bytes: int = 512 * MB
    video_max_seconds: float = 600.0
    video_max_pixels: int = 3840 * 2160
    # Frames decoded (not sampled): bounds the work a high-frame-rate file can ask for.
    video_max_frames: int = 60 * 600
    audio_max_bytes: int = 128 * MB
    audio_max_seconds: float = 1800.0
    # Wall-clock and memory budget of the child process that decodes one video or audio file.
    decode_timeout_s: float = 120.0
    decode_memory_bytes: int = 3072 * MB
    # URL fetching.
    fetch_timeout_s: float = 20.0
    fetch_max_redirects: int = 3

    def max_bytes(self, kind: str) -> int:
        return {"image": self.image_max_bytes, "video": self.video_max_bytes,
                "audio": self.audio_max_bytes}[kind]
