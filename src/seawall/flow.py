"""The whole path of an item: derive → signals → decide. Read this first.

content ─▶ text classifiers (normalized text, language)        ─┐
        ─▶ media: decode under limits, OCR, speech, frames, hashes ├─▶ signals ─▶ policy ─▶ Decision
        ─▶ banks: hashes of text and media against known items ─┘
Acting on a decision (enforcement, webhooks, review queues, DSA records) happens after,
in seawall.actions, from the Decision alone.
"""

from __future__ import annotations

from typing import Sequence

from seawall.types import Content, Decision, Signal


def signals_for_many(contents: Sequence[Content]) -> list[list[Signal]]:
    """Every signal about each item. Texts are classified in one batch (cheaper per text)."""
    from seawall.signals import text as text_signals

    out: list[list[Signal]] = [[] for _ in contents]
    with_text = [i for i, c in enumerate(contents) if c.text]
    if with_text:
        texts = text_signals.classify_texts([contents[i].text for i in with_text],
                                            [contents[i].lang for i in with_text])
        for i, sig in zip(with_text, texts):
            out[i].append(sig)
    for i, c in enumerate(contents):
        if c.image or c.video or c.audio:
            from seawall.signals import media

            out[i].extend(media.media_signals(c, text_classifier=text_signals.classify_texts))
        out[i].extend(bank_signals(c, out[i]))
    return out


def bank_signals(content: Content, signals: list[Signal]) -> list[Signal]:
    """Matches of the item's hashes (text and media) against the enabled banks."""
    from seawall.banks.signals import bank_signals as match

    return match(content, signals)


def decide_many(contents: Sequence[Content], *, policy=None) -> list[Decision]:
    from seawall.policy import decide

    return [decide(c, s, policy=policy) for c, s in zip(contents, signals_for_many(contents))]


def moderate(content: Content, *, policy=None) -> Decision:
    """Judge one item: its signals, then the policy's decision."""
    return decide_many([content], policy=policy)[0]
