"""Text signals: evasion-resistant normalization, language id, and the classifier cascade.

`classify_texts` is what the rest of Seawall calls (the flow, media OCR and transcripts,
the API); it loads the default model once per process.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Sequence

from seawall.types import Signal

# The model shipped inside the package, trained by `seawall train --default`.
PACKAGED_MODEL = Path(__file__).resolve().parents[2] / "models" / "text"

_lock = threading.Lock()
_cascade = None


def model_dir() -> Path:
    return Path(os.environ.get("SEAWALL_TEXT_MODEL") or PACKAGED_MODEL)


def default_cascade():
    """The process-wide cascade over the configured model (loaded on first use)."""
    global _cascade
    with _lock:
        if _cascade is None:
            from seawall.signals.text.cascade import TextCascade
            from seawall.signals.text.model import TextModel

            # SEAWALL_TEXT_TIER=fast sheds the encoder (e.g. under load or in bulk re-scans).
            _cascade = TextCascade(TextModel.load(model_dir()),
                                   tier=os.environ.get("SEAWALL_TEXT_TIER", "cascade"))
        return _cascade


def classify_texts(texts: Sequence[str], langs: Sequence[str | None] | None = None) -> list[Signal]:
    """One Signal per text: every taxonomy category scored, evidence spans for flags."""
    if not texts:
        return []
    return default_cascade().classify(list(texts), langs)


def thresholds() -> dict[str, float]:
    """Per-category decision thresholds chosen on held-out data by the training recipe."""
    return dict(default_cascade().model.thresholds)


__all__ = ["classify_texts", "default_cascade", "model_dir", "thresholds"]
