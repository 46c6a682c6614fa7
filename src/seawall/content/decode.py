"""Decode video and audio in a child process bounded in time, memory and output size."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

import seawall
from seawall.content.frames import FrameSampler
from seawall.content.hashes import VpdqFeature
from seawall.content.limits import MB, MediaLimits
from seawall.content.load import MediaFile, tmp_dir
from seawall.errors import InvalidInput, TooLarge, UnsupportedMedia

ASR_RATE = 16_000
_ERRORS = {"too_large": TooLarge, "unsupported_media": UnsupportedMedia, "invalid_input": InvalidInput}


@dataclass(frozen=True)
class SampledFrame:
    time: float              # seconds from the start
    end: float               # the frame stands for the video up to here
    image: np.ndarray        # RGB uint8 (H, W, 3), scaled to the sampler's max_side
    reason: str              # "first", "change" or "uniform"
    score: float             # how much it changed from the previous sample


@dataclass(frozen=True)
class Decoded:
    """What the decoder made of one video or audio file."""

    kind: str
    duration: float
    frames: tuple[SampledFrame, ...] = ()
    vpdq: tuple[VpdqFeature, ...] = ()
    audio: np.ndarray | None = None        # mono float32 at 16 kHz
    width: int | None = None
    height: int | None = None
    frames_decoded: int = 0
    timings: dict[str, float] = field(default_factory=dict)


def decode_media(media: MediaFile, *, limits: MediaLimits, sampler: FrameSampler | None = None,
                 want_audio: bool = True, vpdq_fps: float | None = 1.0,
                 threads: int | None = None) -> Decoded:
    """Decode `media` (video or audio) in a child process; errors are this item's, by code."""
    if media.kind not in ("video", "audio"):
        raise InvalidInput(f"cannot decode {media.kind} as a stream")
    sampler = sampler or FrameSampler()
    is_video = media.kind == "video"
    max_seconds = limits.video_max_seconds if is_video else limits.audio_max_seconds
    out_dir = Path(tempfile.mkdtemp(prefix="seawall-decode-", dir=tmp_dir()))
    frame_bytes = sampler.max_side * sampler.max_side * 3
    req = {
        "path": str(media.path.resolve()), "kind": media.kind, "format": media.format,
        "out_dir": str(out_dir), "want_audio": want_audio,
        "max_seconds": max_seconds, "max_frames": limits.video_max_frames,
        "max_pixels": limits.video_max_pixels, "timeout_s": limits.decode_timeout_s,
        "memory_bytes": limits.decode_memory_bytes,
        "output_bytes": sampler.budget * frame_bytes + int(max_seconds * ASR_RATE * 4) + 64 * MB,
        "sampler": asdict(sampler), "vpdq_fps": vpdq_fps if is_video else None,
        "threads": threads or min(4, os.cpu_count() or 1),
    }
    try:
        info = _run_child(req, limits.decode_timeout_s, media.kind)
        return _read_result(info, out_dir, media.kind)
    finally:
        shutil.rmtree(out_dir, ignore_errors=True)


def _run_child(req: dict, timeout_s: float, kind: str) -> dict:
    env = dict(os.environ)
    # The child must import this very seawall, wherever it was imported from.
    src = str(Path(seawall.__file__).resolve().parent.parent)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (src, env.get("PYTHONPATH")) if p)
    try:
        proc = subprocess.run([sys.executable, "-m", "seawall.content.decode_child"],
                              input=json.dumps(req).encode(), capture_output=True,
                              timeout=timeout_s, env=env)
    except subprocess.TimeoutExpired:
        raise TooLarge(f"{kind} took longer than {timeout_s:g} s to decode") from None
    result_file = Path(req["out_dir"]) / "result.json"
    if proc.returncode != 0 or not result_file.exists():
        # Killed by a resource limit (SIGXCPU, SIGKILL), crashed in a codec, or out of memory.
        tail = proc.stderr.decode(errors="replace").strip().splitlines()[-1:] or [""]
        if proc.returncode in (-9, -24, -25) or "MemoryError" in tail[0]:
            raise TooLarge(f"{kind} needs more resources to decode than allowed")
        raise InvalidInput(f"{kind} could not be decoded (decoder exited {proc.returncode}) {tail[0]}".strip())
    info = json.loads(result_file.read_text())
    if "error" in info:
        err = info["error"]
        raise _ERRORS.get(err.get("code"), InvalidInput)(err.get("message", f"{kind} could not be decoded"))
    return info


def _read_result(info: dict, out_dir: Path, kind: str) -> Decoded:
    frames = []
    for s in info.get("samples", []):
        image = np.load(out_dir / s["file"], allow_pickle=False)
        frames.append(SampledFrame(time=float(s["time"]), end=float(s["end"]), image=image,
                                   reason=s["reason"], score=float(s["score"])))
    audio = None
    if info.get("audio_file"):
        audio = np.load(out_dir / info["audio_file"], allow_pickle=False)
    vpdq = []
    for item in info.get("vpdq", []):
        pdq_hex, quality, ts = item.split(",")
        vpdq.append(VpdqFeature(pdq_hex, int(quality), float(ts)))
    duration = info.get("duration") or info.get("video_seconds") or info.get("audio_seconds") or 0.0
    return Decoded(kind=kind, duration=float(duration), frames=tuple(frames), vpdq=tuple(vpdq),
                   audio=audio, width=info.get("width"), height=info.get("height"),
                   frames_decoded=int(info.get("frames_decoded", 0)),
                   timings={k: float(v) for k, v in info.get("timings", {}).items()})

