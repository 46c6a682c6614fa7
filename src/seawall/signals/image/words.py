"""Words found in media (OCR lines, speech) through the text classifiers, placed by box or time."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from seawall.taxonomy import empty_scores
from seawall.types import Evidence, Modality, Signal

# `seawall.signals.text.classify_texts`, or anything with its signature.
TextClassifier = Callable[..., list[Signal]]


@dataclass(frozen=True)
class FoundText:
    """A piece of text read from a medium and where it was: a box, a time range, or both."""

    text: str
    box: tuple[float, float, float, float] | None = None
    time: tuple[float, float] | None = None
    # For speech: the time range of characters [a, b) of `text`, from word times.
    time_of: Callable[[int, int], tuple[float, float]] | None = None
    detail: dict[str, Any] = field(default_factory=dict)
    # Several pieces read together (a meme's lines): its evidence is kept only where no
    # single piece already shows the same words, so a console blurs the tightest box.
    joined: bool = False


@dataclass(frozen=True)
class WordScores:
    scores: dict[str, float]
    evidence: tuple[Evidence, ...]
    classifier: str | None            # the text signal's source, e.g. "text.cascade.v1"


def classify_found(found: Sequence[FoundText], *, text_classifier: TextClassifier,
                   lang: str | None, modality: Modality, source: str,
                   evidence_min: float = 0.3, max_evidence: int = 50) -> WordScores:
    """Score every piece of found text; a category's score is its best piece's score."""
    scores = empty_scores()
    if not found:
        return WordScores(scores, (), None)
    texts = list(dict.fromkeys(f.text for f in found))
    signals = text_classifier(texts, langs=[lang] * len(texts))
    by_text = dict(zip(texts, signals))
    evidence: list[tuple[Evidence, FoundText]] = []
    classifier = None
    for piece in found:
        sig = by_text[piece.text]
        classifier = sig.source
        for cat, score in sig.scores.items():
            if cat in scores and score > scores[cat]:
                scores[cat] = float(score)
            if score >= evidence_min:
                evidence += [(e, piece) for e in _placed(piece, sig, cat, float(score), modality, source)]
    single = {(e.category, e.text) for e, p in evidence if not p.joined}
    kept = [e for e, p in evidence if not p.joined or (e.category, e.text) not in single]
    kept.sort(key=lambda e: -e.score)
    return WordScores(scores, tuple(kept[:max_evidence]), classifier)


def _placed(piece: FoundText, sig: Signal, cat: str, score: float, modality: Modality,
            source: str) -> list[Evidence]:
    spans = [e for e in sig.evidence if e.category == cat and e.span is not None]
    base = {"found_text": piece.text, "classifier": sig.source, **piece.detail}
    if not spans:
        return [Evidence(cat, score, modality, source, text=piece.text, box=piece.box,
                         time=piece.time, detail=base)]
    out = []
    for e in spans:
        a, b = e.span
        time = piece.time_of(a, b) if piece.time_of is not None else piece.time
        out.append(Evidence(cat, float(e.score), modality, source, text=piece.text[a:b],
                            box=piece.box, time=time, detail={**base, "span": [a, b]}))
    return out


def union_box(boxes: Sequence[tuple[float, float, float, float]]) -> tuple[float, float, float, float]:
    x0 = min(b[0] for b in boxes)
    y0 = min(b[1] for b in boxes)
    x1 = max(b[0] + b[2] for b in boxes)
    y1 = max(b[1] + b[3] for b in boxes)
    return (x0, y0, x1 - x0, y1 - y0)


def zero_signal(source: str, modality: Modality, **meta: Any) -> Signal:
    return Signal(source=source, modality=modality, scores=empty_scores(), meta=meta)
