"""A fake classifier for API tests: the real policy decides on scores chosen by words in the text.

`"[hate=0.98]"` in a text sets that category's score; every category that applies to the
item's modalities is otherwise reported as 0, like a real classifier that saw nothing.
"""

from __future__ import annotations

import re
import time

from seawall import taxonomy
from seawall.policy import decide
from seawall.types import Content, Decision, Evidence, Signal

_MARK = re.compile(r"\[([a-z/-]+)=([01](?:\.\d+)?)\]")


def fake_signals(content: Content) -> list[Signal]:
    out = []
    for modality in content.modalities:
        scores = {c.name: 0.0 for c in taxonomy.CATEGORIES if modality in c.input_types}
        evidence = []
        if modality == "text":
            for m in _MARK.finditer(content.text or ""):
                if m.group(1) in scores:
                    scores[m.group(1)] = float(m.group(2))
                    evidence.append(Evidence(m.group(1), float(m.group(2)), "text", "fake.text.v1",
                                             span=(m.start(), m.end()), text=m.group()))
        out.append(Signal(source=f"fake.{modality}.v1", modality=modality, scores=scores,
                          evidence=tuple(evidence), meta={"lang": content.lang or "en"}))
    return out


def fake_moderate(content: Content, *, policy=None) -> Decision:
    return decide(content, fake_signals(content), policy=policy)


def slow_moderate(delay_s: float):
    """A fake moderate that takes `delay_s` per item (for budget and crash tests)."""

    def moderate(content: Content, *, policy=None) -> Decision:
        time.sleep(delay_s)
        return fake_moderate(content, policy=policy)

    return moderate
