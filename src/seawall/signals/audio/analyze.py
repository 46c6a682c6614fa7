"""The audio signals of one sound file: its speech through the text classifiers, and its hashes."""

from __future__ import annotations

import time

from seawall.content.asr import Transcriber, WhisperTranscriber
from seawall.content.decode import decode_media
from seawall.content.limits import MediaLimits
from seawall.content.load import MediaFile
from seawall.signals.audio.speech import speech_signal
from seawall.signals.image.words import TextClassifier
from seawall.taxonomy import empty_scores
from seawall.types import Signal


class AudioAnalyzer:
    """A configured audio path: a transcriber (default Whisper tiny.en, English only)."""

    def __init__(self, *, transcriber: Transcriber | None = None, evidence_min: float = 0.3,
                 threads: int | None = None):
        self.transcriber = transcriber if transcriber is not None else WhisperTranscriber()
        self.evidence_min = evidence_min
        self.threads = threads

    def warm(self) -> None:
        self.transcriber.warm()


def audio_signals(media: MediaFile, *, analyzer: AudioAnalyzer, limits: MediaLimits,
                  text_classifier: TextClassifier, lang: str | None) -> list[Signal]:
    """Decode one audio file under the limits (in a child process) and judge its speech."""
    t = time.perf_counter()
    decoded = decode_media(media, limits=limits, want_audio=True, threads=analyzer.threads)
    decode_s = time.perf_counter() - t
    speech = speech_signal(decoded.audio, transcriber=analyzer.transcriber,
                           text_classifier=text_classifier, lang=lang, modality="audio",
                           source="audio.speech.v1", evidence_min=analyzer.evidence_min)
    timings = {"decode": decode_s, **speech.meta.get("timings", {})}
    hashes = Signal("audio.hash.v1", "audio", empty_scores(), meta={
        "hashes": {"md5": [media.md5], "sha256": [media.sha256]},
        "duration": decoded.duration, "format": media.format, "timings": timings})
    return [speech, hashes]
