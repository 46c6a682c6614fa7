"""An item's image, video and audio → signals: loaded under limits, judged, their words classified, hashed."""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from seawall.content.fetch import Fetcher
from seawall.content.limits import MediaLimits
from seawall.content.load import open_media
from seawall.signals.audio.analyze import AudioAnalyzer, audio_signals
from seawall.signals.image.analyze import ImageAnalyzer, image_signals
from seawall.signals.image.words import TextClassifier
from seawall.signals.video.analyze import VideoAnalyzer, video_signals
from seawall.taxonomy import NAMES
from seawall.types import Content, Signal

KINDS = ("image", "video", "audio")


@dataclass(frozen=True)
class MediaJudge:
    """Everything the media path is configured with. One per process is enough: the models
    inside load on first use and are shared (video reuses the image models and the ASR)."""

    limits: MediaLimits = field(default_factory=MediaLimits)
    fetcher: Fetcher | None = None
    image: ImageAnalyzer = field(default_factory=ImageAnalyzer)
    video: VideoAnalyzer | None = None
    audio: AudioAnalyzer | None = None
    # The HTTP API should turn this off: a caller there must not name files on our disk.
    allow_local_paths: bool = True

    def __post_init__(self) -> None:
        if self.fetcher is None:
            object.__setattr__(self, "fetcher", Fetcher(timeout_s=self.limits.fetch_timeout_s,
                                                        max_redirects=self.limits.fetch_max_redirects))
        if self.audio is None:
            object.__setattr__(self, "audio", AudioAnalyzer())
        if self.video is None:
            object.__setattr__(self, "video", VideoAnalyzer(image=self.image,
                                                            transcriber=self.audio.transcriber))

    def warm(self) -> None:
        """Load every model now rather than on the first item."""
        self.image.warm()
        self.audio.warm()

    def signals(self, content: Content, *, text_classifier: TextClassifier) -> list[Signal]:
        out: list[Signal] = []
        for kind in KINDS:
            ref = getattr(content, kind)
            if not ref:
                continue
            with open_media(ref, kind, limits=self.limits, fetcher=self.fetcher,
                            allow_local=self.allow_local_paths) as media:
                if kind == "image":
                    out += image_signals(media, analyzer=self.image, limits=self.limits,
                                         text_classifier=text_classifier, lang=content.lang)
                elif kind == "video":
                    out += video_signals(media, analyzer=self.video, limits=self.limits,
                                         text_classifier=text_classifier, lang=content.lang)
                else:
                    out += audio_signals(media, analyzer=self.audio, limits=self.limits,
                                         text_classifier=text_classifier, lang=content.lang)
        return out


@functools.lru_cache(maxsize=1)
def default_judge() -> MediaJudge:
    return MediaJudge()


def media_signals(content: Content, *, text_classifier: TextClassifier,
                  judge: MediaJudge | None = None) -> list[Signal]:
    """Signals for the image, video and audio of one item (flow.py calls this).

    Raises InvalidInput, TooLarge, UnsupportedMedia or FetchRefused for a medium that cannot
    be judged; the caller reports that as this item's error.
    """
    return (judge or default_judge()).signals(content, text_classifier=text_classifier)


def explain_scores(signals: Iterable[Signal]) -> dict[str, dict[str, Any]]:
    """Per category, the highest score among an item's signals and what produced it: the
    modality, the signal, and the place (text span, image box, time range) of its evidence."""
    signals = list(signals)
    out: dict[str, dict[str, Any]] = {}
    for cat in NAMES:
        best = max(signals, key=lambda s: s.scores.get(cat, 0.0), default=None)
        score = best.scores.get(cat, 0.0) if best else 0.0
        entry: dict[str, Any] = {"score": score}
        if best is not None and score > 0:
            entry.update(modality=best.modality, source=best.source)
            evidence = [e for e in best.evidence if e.category == cat]
            if evidence:
                top = max(evidence, key=lambda e: e.score)
                entry["place"] = {k: v for k, v in top.to_json().items()
                                  if k in ("span", "text", "box", "time")}
        out[cat] = entry
    return out
