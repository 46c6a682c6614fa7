"""What a policy may read about one item, gathered from its Content and Signals."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from seawall import taxonomy
from seawall.types import Content, Signal


@dataclass(frozen=True)
class Facts:
    """Everything rules can see; nothing else leaks into a decision.

    `scores` holds only categories some signal reported. A category is `missing` when the
    item has a modality the category applies to (taxonomy input_types) and no signal of
    that modality judged it (see `judged`): a classifier that should have spoken did not.
    A category can be both: a caption's text scored it but the picture went unjudged; its
    score is then a lower bound. Categories that do not apply to the item (nudity on a
    comment) are neither: they read as 0.
    """

    scores: dict[str, float]
    missing: frozenset[str]
    banks: dict[str, list[Any]]
    modalities: tuple[str, ...]
    lang: str | None = None
    surface: str | None = None
    author: dict[str, Any] | None = None     # strikes, account_age_days, prior_removals, ...
    rates: dict[str, float] = field(default_factory=dict)  # "posts/1h" → count
    reach: float | None = None                # predicted audience, for review priority


def _signal_lang(signals: list[Signal]) -> str | None:
    for s in signals:
        lang = s.meta.get("lang") if isinstance(s.meta, dict) else None
        if lang:
            return str(lang)
    return None


# What words can carry: words read from a picture or a sound track speak to these only.
_WORD_CATEGORIES = frozenset(c.name for c in taxonomy.CATEGORIES if "text" in c.input_types)


def judged(signal: Signal) -> frozenset[str]:
    """The categories a signal judged, which is not every name in its scores: media signals
    pad their scores to the whole taxonomy, and padding is no judgment when

    - the signal's path could not run (`meta.complete` is False, or `meta.error` is set);
    - it only carries hashes for the banks (`meta.hashes`);
    - it holds words read from the medium (`meta.classifier` names the text model that
      scored them): words speak to what text can carry, not to what a picture shows.

    A signal may say exactly what it judged with `meta.judged` (a list of categories).
    """
    meta = signal.meta if isinstance(signal.meta, dict) else {}
    if meta.get("complete") is False or meta.get("error"):
        return frozenset()
    named = frozenset(c for c in signal.scores if c in taxonomy.BY_NAME)
    if isinstance(meta.get("judged"), (list, tuple)):
        return frozenset(c for c in meta["judged"] if c in taxonomy.BY_NAME)
    if "hashes" in meta:
        return frozenset()
    if "classifier" in meta and signal.modality != "text":
        return named & _WORD_CATEGORIES
    return named


def gather(content: Content, signals: list[Signal]) -> Facts:
    """Fold signals into facts: max score per category, bank matches by bank name."""
    scores: dict[str, float] = {}
    reported: dict[str, set[str]] = {}  # modality → categories some signal of it judged
    banks: dict[str, list[Any]] = {}
    for s in signals:
        if s.source.startswith("bank:"):
            name = str(s.meta.get("bank") or s.source[len("bank:"):])
            banks.setdefault(name, []).extend(s.meta.get("matches") or [True])
        broken = set()
        for cat, value in s.scores.items():
            if cat not in taxonomy.BY_NAME:
                continue  # a classifier's private head; the policy only speaks taxonomy
            v = float(value)
            if v != v:  # NaN is a broken signal, not a score
                broken.add(cat)
                continue
            scores[cat] = max(scores.get(cat, 0.0), min(1.0, max(0.0, v)))
        reported.setdefault(s.modality, set()).update(judged(s) - broken)
    modalities = content.modalities
    # Every modality a category applies to must have been judged: a caption's text score
    # says nothing about the picture beside it when the picture's classifier failed.
    missing = {cat.name for cat in taxonomy.CATEGORIES
               if any(m in cat.input_types and cat.name not in reported.get(m, ()) for m in modalities)}
    meta = content.meta or {}
    author = meta.get("author") if isinstance(meta.get("author"), dict) else None
    if author is None and not content.author_id:
        # No account: an anonymous item has no history, which is a fact, not a gap.
        author = {"strikes": 0, "prior_removals": 0}
    rates = meta.get("rates") if isinstance(meta.get("rates"), dict) else {}
    reach = meta.get("reach")
    return Facts(
        scores=scores,
        missing=frozenset(missing),
        banks=banks,
        modalities=modalities,
        lang=content.lang or _signal_lang(signals),
        surface=content.surface,
        author=author,
        rates={str(k): float(v) for k, v in rates.items()},
        reach=float(reach) if isinstance(reach, (int, float)) else None,
    )
