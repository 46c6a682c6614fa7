"""The child process that demuxes and decodes one video or audio file under OS resource limits.

Run as `python -m seawall.content.decode_child`; it reads a JSON request on stdin and writes
result.json plus .npy arrays into the request's out_dir (never pickle). Hostile files can crash,
exhaust or hang only this process; the parent kills it at its deadline.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path

# Demuxer forced per sniffed format, so FFmpeg never probes its way into another demuxer
# (playlists, concat lists and the like can reference other files or URLs).
DEMUXERS = {"mp4": "mov", "mov": "mov", "m4a": "mov", "webm": "matroska", "matroska": "matroska",
            "wav": "wav", "mp3": "mp3", "ogg": "ogg", "flac": "flac"}
VIDEO_CODECS = frozenset({"h264", "hevc", "vp8", "vp9", "av1", "mpeg4", "mjpeg"})
AUDIO_CODECS = frozenset({"aac", "mp3", "mp3float", "opus", "vorbis", "flac", "pcm_s16le",
                          "pcm_s24le", "pcm_s32le", "pcm_f32le", "pcm_u8", "pcm_mulaw", "pcm_alaw",
                          "alac"})
ASR_RATE = 16_000


class ChildError(Exception):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


def main() -> int:
    req = json.loads(sys.stdin.read())
    out = Path(req["out_dir"])
    _limit_resources(req)
    try:
        result = decode(req, out)
    except ChildError as exc:
        result = {"error": {"code": exc.code, "message": str(exc)}}
    except MemoryError:
        result = {"error": {"code": "too_large",
                            "message": f"{req['kind']} needs more memory to decode than allowed"}}
    except Exception as exc:  # noqa: BLE001 - FFmpeg's errors on hostile input are many
        result = {"error": {"code": "invalid_input",
                            "message": f"{req['kind']} could not be decoded: {exc}"}}
    (out / "result.json").write_text(json.dumps(result))
    return 0


def _limit_resources(req: dict) -> None:
    mem = int(req["memory_bytes"])
    resource.setrlimit(resource.RLIMIT_AS, (mem, mem))
    cpu = int(req["timeout_s"] * 2) + 1  # CPU seconds run ahead of wall time with threads
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    resource.setrlimit(resource.RLIMIT_FSIZE, (int(req["output_bytes"]),) * 2)
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def decode(req: dict, out: Path) -> dict:
    import av
    import numpy as np

    av.logging.set_level(av.logging.PANIC)  # hostile files make FFmpeg chatty on stderr
    kind, fmt = req["kind"], req["format"]
    started = time.perf_counter()
    try:
        container = av.open(req["path"], format=DEMUXERS[fmt],
                            options={"protocol_whitelist": "file", "enable_drefs": "0"})
    except av.error.FFmpegError as exc:
        raise ChildError("invalid_input", f"{kind} could not be opened as {fmt}: {exc}") from None
    with container:
        vstream = next((s for s in container.streams.video), None) if kind == "video" else None
        astream = next((s for s in container.streams.audio), None) if req["want_audio"] else None
        if kind == "video" and vstream is None:
            raise ChildError("invalid_input", "video has no video track")
        if kind == "audio" and astream is None:
            raise ChildError("invalid_input", "audio has no audio track")
        duration = _duration(container, vstream or astream)
        max_s = req["max_seconds"]
        if duration is not None and duration > max_s:
            raise ChildError("too_large", f"{kind} lasts {duration:.1f} s, over the limit of {max_s:g} s")
        info: dict = {"duration": duration, "format": container.format.name}
        if vstream is not None:
            _check_video_stream(vstream, req)
            info.update(width=vstream.codec_context.width, height=vstream.codec_context.height,
                        codec=vstream.codec_context.name,
                        fps=float(vstream.average_rate) if vstream.average_rate else None)
        if astream is not None and astream.codec_context.name not in AUDIO_CODECS:
            if kind == "audio":
                raise ChildError("unsupported_media",
                                 f"audio codec {astream.codec_context.name} is not accepted")
            astream = None  # a video with odd sound is still judged on its pictures
        info["has_audio"] = astream is not None
        decoder = _Decoder(req, out, vstream, astream, duration)
        decoder.run(container)
        info.update(decoder.summary())
    info["timings"]["total"] = time.perf_counter() - started
    return info


def _duration(container, stream) -> float | None:
    if container.duration:
        return container.duration / 1_000_000
    if stream is not None and stream.duration and stream.time_base:
        return float(stream.duration * stream.time_base)
    return None


def _check_video_stream(vs, req: dict) -> None:
    cc = vs.codec_context
    if cc.name not in VIDEO_CODECS:
        raise ChildError("unsupported_media", f"video codec {cc.name} is not accepted "
                         f"(accepted: {', '.join(sorted(VIDEO_CODECS))})")
    if not cc.width or not cc.height:
        raise ChildError("invalid_input", "video track has no picture size")
    if cc.width * cc.height > req["max_pixels"]:
        raise ChildError("too_large", f"video is {cc.width}x{cc.height}, over the limit of "
                         f"{req['max_pixels']} pixels a frame")


class _Decoder:
    def __init__(self, req: dict, out: Path, vstream, astream, duration: float | None):
        from seawall.content.frames import FrameSampler, SampleStream

        self.req, self.out, self.vs, self.aus = req, out, vstream, astream
        self.sampler = FrameSampler(**{k: tuple(v) if k == "thumb" else v
                                       for k, v in req["sampler"].items()})
        self.stream = SampleStream(self.sampler, duration)
        self.vpdq_step = 1.0 / req["vpdq_fps"] if req.get("vpdq_fps") else None
        self.next_vpdq = 0.0
        self.vpdq: list[str] = []
        self.frames = 0
        self.errors = 0
        self.t0: float | None = None
        self.last_t = 0.0
        self.audio: list = []
        self.audio_samples = 0
        self.resampler = None
        self.timings = {"sample": 0.0, "vpdq": 0.0}

    def run(self, container) -> None:
        streams = [s for s in (self.vs, self.aus) if s is not None]
        if self.vs is not None:
            self.vs.thread_type = "AUTO"
            self.vs.codec_context.thread_count = int(self.req["threads"])
        for packet in container.demux(*streams):
            try:
                decoded = packet.decode()
            except Exception:  # noqa: BLE001 - a damaged packet; count it and go on
                self.errors += 1
                if self.errors > 50 and self.errors > self.frames:
                    raise ChildError("invalid_input",
                                     f"{self.req['kind']} is damaged: most packets fail to decode")
                continue
            for frame in decoded:
                if packet.stream is self.vs:
                    self._video(frame)
                else:
                    self._audio(frame)
        if self.vs is not None and self.frames == 0:
            raise ChildError("invalid_input", "video has no decodable frames")

    def _time(self, frame, fallback: float) -> float:
        t = frame.time if frame.time is not None else fallback
        if self.t0 is None:
            self.t0 = t
        return max(0.0, t - self.t0)

    def _video(self, frame) -> None:
        import numpy as np

        from seawall.content.frames import fit

        fps = float(self.vs.average_rate or 25)
        t = self._time(frame, self.frames / fps)
        self.frames += 1
        self.last_t = max(self.last_t, t + 1.0 / fps)
        if frame.width * frame.height > self.req["max_pixels"]:  # a size change mid-stream
            raise ChildError("too_large", f"video frame is {frame.width}x{frame.height}, over the "
                             f"limit of {self.req['max_pixels']} pixels")
        if self.frames > self.req["max_frames"]:
            raise ChildError("too_large", f"video has more than {self.req['max_frames']} frames")
        if t > self.req["max_seconds"]:
            raise ChildError("too_large", f"video runs past the limit of {self.req['max_seconds']:g} s")
        if self.vpdq_step and t >= self.next_vpdq:
            t1 = time.perf_counter()
            from seawall.content.hashes import VpdqFeature, pdq
            w, h = fit(frame.width, frame.height, 512)
            hex_, quality = pdq(frame.to_ndarray(format="rgb24", width=w, height=h))
            self.vpdq.append(str(VpdqFeature(hex_, quality, t)))
            while self.next_vpdq <= t:
                self.next_vpdq += self.vpdq_step
            self.timings["vpdq"] += time.perf_counter() - t1
        if self.stream.due(t):
            t1 = time.perf_counter()
            tw, th = self.sampler.thumb
            thumb = frame.to_ndarray(format="gray", width=tw, height=th)
            cand = self.stream.offer(t, thumb)
            if cand is not None:
                w, h = fit(frame.width, frame.height, self.sampler.max_side)
                self.stream.keep(cand, np.ascontiguousarray(frame.to_ndarray(format="rgb24", width=w, height=h)))
            self.timings["sample"] += time.perf_counter() - t1

    def _audio(self, frame) -> None:
        import av

        if self.resampler is None:
            self.resampler = av.AudioResampler(format="flt", layout="mono", rate=ASR_RATE)
        for rf in self.resampler.resample(frame):
            arr = rf.to_ndarray().reshape(-1)
            self.audio.append(arr)
            self.audio_samples += arr.size
            if self.audio_samples > self.req["max_seconds"] * ASR_RATE + ASR_RATE:
                raise ChildError("too_large",
                                 f"{self.req['kind']} sound runs past the limit of {self.req['max_seconds']:g} s")

    def summary(self) -> dict:
        import numpy as np

        out: dict = {"frames_decoded": self.frames, "decode_errors": self.errors}
        if self.vs is not None:
            picked = self.stream.select(self.last_t)
            out["samples"] = []
            for i, c in enumerate(picked):
                name = f"frame_{i:04d}.npy"
                np.save(self.out / name, c.image, allow_pickle=False)
                out["samples"].append({"file": name, "time": c.time, "end": c.end,
                                       "score": c.score, "reason": c.reason})
            out["vpdq"] = self.vpdq
            out["video_seconds"] = self.last_t
        if self.aus is not None:
            if self.resampler is not None:
                for rf in self.resampler.resample(None):
                    self.audio.append(rf.to_ndarray().reshape(-1))
            audio = np.concatenate(self.audio) if self.audio else np.zeros(0, np.float32)
            np.save(self.out / "audio.npy", audio.astype(np.float32), allow_pickle=False)
            out["audio_file"] = "audio.npy"
            out["audio_seconds"] = audio.size / ASR_RATE
        out["timings"] = self.timings
        return out


if __name__ == "__main__":
    sys.exit(main())
