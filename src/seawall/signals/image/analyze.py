"""The image signals of one picture: nudity boxes, an NSFW score, words read by OCR, PDQ."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from seawall.content.limits import MediaLimits
from seawall.content.load import MediaFile, decode_image
from seawall.content.ocr import OcrReader, RapidOcrReader, TextLine
from seawall.signals.image.nudity import (Detection, NudeNetDetector, OpenNsfwClassifier,
                                          label_categories)
from seawall.signals.hashers.pdq import PdqHasher
from seawall.signals.image.words import FoundText, TextClassifier, classify_found, union_box
from seawall.taxonomy import empty_scores
from seawall.types import Evidence, Modality, Signal


@dataclass(frozen=True)
class Findings:
    """What the image models saw in one picture, in the picture's own pixel coordinates."""

    detections: tuple[Detection, ...] = ()
    nsfw: float | None = None
    lines: tuple[TextLine, ...] = ()
    pdq: tuple[str, int] | None = None
    timings: dict[str, float] = field(default_factory=dict)


_DEFAULT = object()
# Pictures are analysed (and hashed) at most this many pixels a side unless configured.
MAX_SIDE = 1280


class ImageAnalyzer:
    """A configured set of picture models; pass None to leave one out.

    The defaults: NudeNet (AGPL weights, boxes), open_nsfw (BSD weights, one score), RapidOCR.
    Models load on first use. Pictures are analysed at most `max_side` pixels a side.
    """

    def __init__(self, *, detector: NudeNetDetector | None = _DEFAULT,  # type: ignore[assignment]
                 nsfw: OpenNsfwClassifier | None = _DEFAULT,  # type: ignore[assignment]
                 ocr: OcrReader | None = _DEFAULT,  # type: ignore[assignment]
                 hash_pdq: bool = True, evidence_min: float = 0.3, max_side: int = MAX_SIDE):
        self.detector = NudeNetDetector() if detector is _DEFAULT else detector
        self.nsfw = OpenNsfwClassifier() if nsfw is _DEFAULT else nsfw
        self.ocr = RapidOcrReader() if ocr is _DEFAULT else ocr
        self.hash_pdq = hash_pdq
        self.evidence_min = evidence_min
        self.max_side = max_side
        self.pdq = PdqHasher()

    def warm(self) -> None:
        for part in (self.detector, self.nsfw, self.ocr):
            if part is not None:
                part.warm()

    def look(self, rgb: np.ndarray, *, scale: float = 1.0, ocr: bool = True,
             hash_pdq: bool | None = None) -> Findings:
        """Run every configured model on one RGB picture; boxes are multiplied by `scale`
        to land in the original file's pixels when `rgb` was decoded smaller."""
        timings: dict[str, float] = {}
        detections: tuple[Detection, ...] = ()
        nsfw = None
        lines: tuple[TextLine, ...] = ()
        digest = None
        if self.detector is not None:
            t = time.perf_counter()
            detections = tuple(Detection(d.label, d.score, _scaled(d.box, scale))
                               for d in self.detector.detect(rgb))
            timings["nudity"] = time.perf_counter() - t
        if self.nsfw is not None:
            t = time.perf_counter()
            nsfw = self.nsfw.score(rgb)
            timings["nsfw"] = time.perf_counter() - t
        if self.ocr is not None and ocr:
            t = time.perf_counter()
            lines = tuple(TextLine(l.text, _scaled(l.box, scale), l.confidence)
                          for l in self.ocr.read(rgb))
            timings["ocr"] = time.perf_counter() - t
        if self.hash_pdq if hash_pdq is None else hash_pdq:
            t = time.perf_counter()
            h = self.pdq.hash_image(rgb)
            digest = (h.hex, h.quality)
            timings["pdq"] = time.perf_counter() - t
        return Findings(detections, nsfw, lines, digest, timings)

    def signals(self, findings: Findings, *, text_classifier: TextClassifier, lang: str | None,
                size: tuple[int, int], modality: Modality = "image",
                hashes: dict[str, list[str]] | None = None) -> list[Signal]:
        """Signals of one picture, each with evidence a console can blur or highlight."""
        prefix = modality
        out: list[Signal] = []
        if self.detector is not None:
            out.append(nudity_signal(findings.detections, f"{prefix}.nudity.v1", modality,
                                     self.detector.name, self.evidence_min))
        if self.nsfw is not None and findings.nsfw is not None:
            out.append(nsfw_signal(findings.nsfw, size, f"{prefix}.nsfw.v1", modality,
                                   self.nsfw.name, self.evidence_min))
        if self.ocr is not None:
            found = found_in_lines(findings.lines)
            words = classify_found(found, text_classifier=text_classifier, lang=lang,
                                   modality=modality, source=f"{prefix}.ocr.v1",
                                   evidence_min=self.evidence_min)
            out.append(Signal(f"{prefix}.ocr.v1", modality, words.scores, words.evidence, meta={
                "ocr": self.ocr.name, "classifier": words.classifier,
                "lines": [{"text": l.text, "box": list(l.box), "confidence": round(l.confidence, 3)}
                          for l in findings.lines]}))
        if hashes is not None:
            out.append(Signal(f"{prefix}.hash.v1", modality, empty_scores(), meta={
                "hashes": hashes,
                "pdq_quality": findings.pdq[1] if findings.pdq else None}))
        return out


def found_in_lines(lines: tuple[TextLine, ...]) -> list[FoundText]:
    """Each OCR line, and all lines together: a meme often splits one sentence across its
    top and bottom lines."""
    found = [FoundText(l.text, box=l.box, detail={"ocr_confidence": round(l.confidence, 3)})
             for l in lines]
    if len(lines) > 1:
        found.append(FoundText(" ".join(l.text for l in lines), box=union_box([l.box for l in lines]),
                               detail={"joined_lines": len(lines)}, joined=True))
    return found


def nudity_signal(detections, source: str, modality: Modality, model: str,
                  evidence_min: float) -> Signal:
    scores = empty_scores()
    evidence = []
    for d in detections:
        for cat in label_categories(d.label):
            scores[cat] = max(scores[cat], d.score)
            if d.score >= evidence_min:
                evidence.append(Evidence(cat, d.score, modality, source, box=d.box,
                                         detail={"label": d.label, "model": model}))
    return Signal(source, modality, scores, tuple(evidence), meta={
        "model": model,
        "detections": [{"label": d.label, "score": round(d.score, 4), "box": list(d.box)}
                       for d in detections]})


def nsfw_signal(score: float, size: tuple[int, int], source: str, modality: Modality,
                model: str, evidence_min: float) -> Signal:
    scores = empty_scores()
    # open_nsfw was trained on pornographic vs safe pictures: it speaks to both categories.
    scores["nudity"] = scores["sexual"] = score
    evidence = ()
    if score >= evidence_min:
        box = (0.0, 0.0, float(size[0]), float(size[1]))
        evidence = tuple(Evidence(cat, score, modality, source, box=box,
                                  detail={"model": model, "whole_picture": True})
                         for cat in ("nudity", "sexual"))
    return Signal(source, modality, scores, evidence, meta={"model": model})


def _scaled(box, scale: float) -> tuple[float, float, float, float]:
    if scale == 1.0:
        return tuple(float(v) for v in box)
    return tuple(round(float(v) * scale, 1) for v in box)


def image_signals(media: MediaFile, *, analyzer: ImageAnalyzer, limits: MediaLimits,
                  text_classifier: TextClassifier, lang: str | None) -> list[Signal]:
    """Decode one image file under the limits and return its signals."""
    t = time.perf_counter()
    decoded = decode_image(media, limits=limits, max_side=analyzer.max_side)
    decode_s = time.perf_counter() - t
    findings = analyzer.look(decoded.rgb, scale=decoded.width / decoded.rgb.shape[1])
    # Flat or tiny pictures hash unreliably; the banks' hasher sets the quality floor.
    good = findings.pdq and findings.pdq[1] >= analyzer.pdq.quality_threshold
    hashes = {"pdq": [findings.pdq[0]] if good else [], "md5": [media.md5],
              "sha256": [media.sha256]}
    timings = {"decode": decode_s, **findings.timings}
    # The mirror and middle-half PDQs let robust banks find flipped or captioned copies
    # (seawall.banks.signals reads them); only the decoded pixels can give them, so here.
    pdq_edits: dict[str, dict[str, str]] = {}
    if good:
        t = time.perf_counter()
        pdq_edits[findings.pdq[0]] = analyzer.pdq.query_hashes(decoded.rgb)
        timings["pdq_edits"] = time.perf_counter() - t
    out = analyzer.signals(findings, text_classifier=text_classifier, lang=lang,
                           size=(decoded.width, decoded.height), hashes=hashes)
    # The item's record (sizes, seconds per stage) rides on the hash signal, as for video.
    record = {"format": media.format, "size": [decoded.width, decoded.height],
              "hash_edits": {"pdq": pdq_edits},
              "timings": {k: round(v, 4) for k, v in timings.items()}}
    return [Signal(s.source, s.modality, s.scores, s.evidence, {**s.meta, **record})
            if s.source == "image.hash.v1" else s for s in out]
