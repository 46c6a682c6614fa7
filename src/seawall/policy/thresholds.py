"""Category thresholds from the classifiers' calibration, so retraining moves them, not policy edits."""

from __future__ import annotations

import functools
import logging

log = logging.getLogger(__name__)


@functools.lru_cache(maxsize=1)
def classifier_thresholds() -> dict[str, float]:
    """`seawall.signals.text.thresholds()` when the text classifier ships them, else {} (0.5 each)."""
    try:
        from seawall.signals import text
    except ImportError:
        return {}
    fn = getattr(text, "thresholds", None)
    if fn is None:
        return {}
    try:
        return {str(k): float(v) for k, v in dict(fn()).items()}
    except Exception as exc:  # a broken thresholds file must not take decisions down
        log.warning("classifier thresholds unavailable, using 0.5: %s", exc)
        return {}


def reset() -> None:
    """Forget cached thresholds (after a model is retrained, and in tests)."""
    classifier_thresholds.cache_clear()
