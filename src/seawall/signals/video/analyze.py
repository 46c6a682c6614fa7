"""The video signals of one clip: frames, captions, speech and vPDQ, each finding placed in time."""

from __future__ import annotations

import time
from dataclasses import dataclass, replace

from seawall.content.asr import Transcriber, WhisperTranscriber
from seawall.content.decode import Decoded, SampledFrame, decode_media
from seawall.content.frames import FrameSampler, changed_share, grey_thumb
from seawall.content.hashes import VPDQ_QUALITY_THRESHOLD, vpdq_signal_string
from seawall.content.limits import MediaLimits
from seawall.content.load import MediaFile
from seawall.signals.audio.speech import speech_signal
from seawall.signals.image.analyze import Findings, ImageAnalyzer
from seawall.signals.image.nudity import label_categories
from seawall.signals.image.words import FoundText, TextClassifier, classify_found, union_box
from seawall.taxonomy import empty_scores
from seawall.types import Evidence, Signal

_DEFAULT = object()


class VideoAnalyzer:
    """A configured video path. `transcriber=None` leaves the sound out."""

    def __init__(self, *, image: ImageAnalyzer | None = None, sampler: FrameSampler | None = None,
                 transcriber: Transcriber | None = _DEFAULT,  # type: ignore[assignment]
                 vpdq_fps: float | None = 1.0, segment_min: float = 0.5,
                 threads: int | None = None):
        self.image = image if image is not None else ImageAnalyzer()
        self.sampler = sampler or FrameSampler()
        self.transcriber = WhisperTranscriber() if transcriber is _DEFAULT else transcriber
        self.vpdq_fps = vpdq_fps
        # Evidence at or above this score makes a "violating segment" in meta["segments"].
        self.segment_min = segment_min
        self.threads = threads

    def warm(self) -> None:
        self.image.warm()
        if self.transcriber is not None:
            self.transcriber.warm()


@dataclass(frozen=True)
class _Frame:
    sample: SampledFrame
    findings: Findings

    @property
    def span(self) -> tuple[float, float]:
        return (round(self.sample.time, 3), round(self.sample.end, 3))


def video_signals(media: MediaFile, *, analyzer: VideoAnalyzer, limits: MediaLimits,
                  text_classifier: TextClassifier, lang: str | None) -> list[Signal]:
    """Decode one video under the limits (in a child process) and return its signals."""
    t = time.perf_counter()
    decoded = decode_media(media, limits=limits, sampler=analyzer.sampler,
                           want_audio=analyzer.transcriber is not None,
                           vpdq_fps=analyzer.vpdq_fps, threads=analyzer.threads)
    timings = {"decode": time.perf_counter() - t}
    image = analyzer.image
    frames = _look(decoded, analyzer, timings)
    ev_min = image.evidence_min
    out: list[Signal] = []
    if image.detector is not None:
        out.append(_nudity(frames, image.detector.name, ev_min))
    if image.nsfw is not None:
        out.append(_nsfw(frames, decoded, image.nsfw.name, ev_min))
    if image.ocr is not None:
        t = time.perf_counter()
        words = classify_found(_captions(frames), text_classifier=text_classifier, lang=lang,
                               modality="video", source="video.ocr.v1", evidence_min=ev_min)
        timings["classify"] = time.perf_counter() - t
        out.append(Signal("video.ocr.v1", "video", words.scores, words.evidence, meta={
            "ocr": image.ocr.name, "classifier": words.classifier,
            "captions": [{"time": list(f.span), "text": l.text, "box": list(l.box)}
                         for f in frames for l in f.findings.lines]}))
    if analyzer.transcriber is not None:
        speech = speech_signal(decoded.audio, transcriber=analyzer.transcriber,
                               text_classifier=text_classifier, lang=lang, modality="video",
                               source="video.speech.v1", evidence_min=ev_min)
        for k, v in speech.meta.get("timings", {}).items():
            timings[k] = timings.get(k, 0.0) + v
        out.append(speech)
    out = [_with_segments(s, analyzer.segment_min) for s in out]
    out.append(_hashes(media, decoded, frames, timings))
    return out


def _look(decoded: Decoded, analyzer: VideoAnalyzer, timings: dict[str, float]) -> list[_Frame]:
    """Run the image models on each sampled frame. OCR, the costliest, is skipped when a
    frame looks the same as the last one read (a still shot kept by the uniform fallback)."""
    sampler, image = analyzer.sampler, analyzer.image
    frames: list[_Frame] = []
    read_thumb, read_lines = None, ()
    for sample in decoded.frames:
        scale = (decoded.width or sample.image.shape[1]) / sample.image.shape[1]
        thumb = grey_thumb(sample.image, sampler.thumb)
        same = read_thumb is not None and \
            changed_share(thumb, read_thumb, sampler.pixel_delta) < sampler.change_threshold / 2
        found = image.look(sample.image, scale=scale, hash_pdq=False, ocr=not same)
        if same:
            found = replace(found, lines=read_lines)
            timings["ocr_reused"] = timings.get("ocr_reused", 0) + 1
        else:
            read_thumb, read_lines = thumb, found.lines
        for k, v in found.timings.items():
            timings[k] = timings.get(k, 0.0) + v
        frames.append(_Frame(sample, found))
    return frames


def _nudity(frames: list[_Frame], model: str, ev_min: float) -> Signal:
    scores = empty_scores()
    evidence = []
    for f in frames:
        for d in f.findings.detections:
            for cat in label_categories(d.label):
                scores[cat] = max(scores[cat], d.score)
                if d.score >= ev_min:
                    evidence.append(Evidence(cat, d.score, "video", "video.nudity.v1",
                                             box=d.box, time=f.span,
                                             detail={"label": d.label, "model": model,
                                                     "frame_time": f.span[0]}))
    return Signal("video.nudity.v1", "video", scores, tuple(evidence), meta={
        "model": model, "frames": [{"time": list(f.span), "detections": [
            {"label": d.label, "score": round(d.score, 4), "box": list(d.box)}
            for d in f.findings.detections]} for f in frames]})


def _nsfw(frames: list[_Frame], decoded: Decoded, model: str, ev_min: float) -> Signal:
    scores = empty_scores()
    evidence = []
    box = (0.0, 0.0, float(decoded.width or 0), float(decoded.height or 0))
    for f in frames:
        s = f.findings.nsfw or 0.0
        for cat in ("nudity", "sexual"):
            scores[cat] = max(scores[cat], s)
            if s >= ev_min:
                evidence.append(Evidence(cat, s, "video", "video.nsfw.v1", box=box, time=f.span,
                                         detail={"model": model, "whole_picture": True,
                                                 "frame_time": f.span[0]}))
    return Signal("video.nsfw.v1", "video", scores, tuple(evidence), meta={
        "model": model, "frames": [{"time": list(f.span), "nsfw": round(f.findings.nsfw or 0.0, 4)}
                                   for f in frames]})


def _captions(frames: list[_Frame]) -> list[FoundText]:
    """Caption lines with the time they were on screen: the same line in consecutive samples
    is one caption whose time runs from its first sample to the end of its last."""
    open_: dict[str, list] = {}      # text → [start, end, box]
    done: list[FoundText] = []

    joined: set[str] = set()

    def close(text: str) -> None:
        start, end, box = open_.pop(text)
        done.append(FoundText(text, box=box, time=(start, end), joined=text in joined))

    for f in frames:
        lines = f.findings.lines
        texts = [l.text for l in lines]
        boxes = [l.box for l in lines]
        if len(lines) > 1:  # lines of one frame read together, as for a still picture
            texts.append(" ".join(texts))
            boxes.append(union_box(boxes))
            joined.add(texts[-1])
        for text in [t for t in open_ if t not in texts]:
            close(text)
        for text, box in zip(texts, boxes):
            if text in open_:
                open_[text][1] = f.span[1]
            else:
                open_[text] = [f.span[0], f.span[1], box]
    for text in list(open_):
        close(text)
    return done


def _with_segments(sig: Signal, min_score: float) -> Signal:
    """Add meta["segments"]: per category, the merged time ranges of evidence >= min_score."""
    ranges: dict[str, list[list[float]]] = {}
    for e in sorted(sig.evidence, key=lambda e: (e.time or (0, 0))[0]):
        if e.time is None or e.score < min_score:
            continue
        spans = ranges.setdefault(e.category, [])
        if spans and e.time[0] <= spans[-1][1]:
            spans[-1][1] = max(spans[-1][1], e.time[1])
        else:
            spans.append([e.time[0], e.time[1]])
    return Signal(sig.source, sig.modality, sig.scores, sig.evidence, {**sig.meta, "segments": ranges})


def _hashes(media: MediaFile, decoded: Decoded, frames: list[_Frame], timings: dict) -> Signal:
    good = [f for f in decoded.vpdq if f.quality >= VPDQ_QUALITY_THRESHOLD]
    timings = dict(timings)
    ocr_reused = int(timings.pop("ocr_reused", 0))
    return Signal("video.hash.v1", "video", empty_scores(), meta={
        "hashes": {
            "vpdq": [vpdq_signal_string(list(decoded.vpdq))] if decoded.vpdq else [],
            # Frame PDQs also let image banks find a known picture inside a video.
            "pdq": list(dict.fromkeys(f.pdq_hex for f in good)),
            "md5": [media.md5], "sha256": [media.sha256]},
        "duration": decoded.duration, "width": decoded.width, "height": decoded.height,
        "frames_decoded": decoded.frames_decoded, "frames_sampled": len(frames),
        "frames_ocr_reused": ocr_reused,
        "sampled": [{"time": f.span[0], "end": f.span[1], "reason": f.sample.reason}
                    for f in frames],
        # "decode" is the child process's wall time; decode_sample and decode_vpdq are within it.
        "timings": {**{f"decode_{k}": round(v, 4) for k, v in decoded.timings.items()},
                    **{k: round(v, 4) for k, v in timings.items()}}})
