"""Speech in a sound track, transcribed and scored by the text classifiers, placed in time."""

from __future__ import annotations

import time

import numpy as np

from seawall.content.asr import SpeechSegment, Transcriber
from seawall.signals.image.words import FoundText, TextClassifier, classify_found, zero_signal
from seawall.types import Modality, Signal


def language_supported(lang: str | None, supported: tuple[str, ...]) -> bool:
    """Unknown language: try (most uploads on an English platform are English)."""
    return lang is None or lang.lower().split("-")[0].split("_")[0] in supported


def speech_signal(samples: np.ndarray | None, *, transcriber: Transcriber,
                  text_classifier: TextClassifier, lang: str | None, modality: Modality,
                  source: str, evidence_min: float = 0.3) -> Signal:
    if samples is None or samples.size == 0:
        return zero_signal(source, modality, transcript=[], has_sound=False,
                           asr=transcriber.name, languages=list(transcriber.languages))
    if not language_supported(lang, transcriber.languages):
        # Not silent about it: the policy sees that speech was not judged.
        return zero_signal(source, modality, complete=False, asr=transcriber.name,
                           languages=list(transcriber.languages),
                           skipped=f"speech in {lang!r} is not supported by {transcriber.name}")
    t = time.perf_counter()
    segments = transcriber.transcribe(samples)
    asr_s = time.perf_counter() - t
    t = time.perf_counter()
    words = classify_found(found_in_speech(segments), text_classifier=text_classifier, lang=lang,
                           modality=modality, source=source, evidence_min=evidence_min)
    return Signal(source, modality, words.scores, words.evidence, meta={
        "asr": transcriber.name, "languages": list(transcriber.languages),
        "classifier": words.classifier,
        "transcript": [{"start": round(s.start, 2), "end": round(s.end, 2), "text": s.text}
                       for s in segments],
        "timings": {"asr": asr_s, "classify": time.perf_counter() - t}})


def found_in_speech(segments: list[SpeechSegment]) -> list[FoundText]:
    return [FoundText(s.text, time=(round(s.start, 2), round(s.end, 2)), time_of=s.time_of)
            for s in segments]
