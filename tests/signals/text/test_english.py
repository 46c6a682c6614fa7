"""The English encoder tier (the shipped fine-tuned MiniLM, int8 ONNX)."""

from __future__ import annotations

import numpy as np
import pytest

from seawall.signals.text import PACKAGED_MODEL
from seawall.signals.text.english import EnglishEncoder


@pytest.fixture(scope="module")
def english():
    if not EnglishEncoder.present(PACKAGED_MODEL):
        pytest.skip("no English encoder shipped")
    return EnglishEncoder(PACKAGED_MODEL)


def test_a_texts_score_does_not_depend_on_the_texts_beside_it(english):
    # Dynamic int8 quantization scales activations to the whole input: scored in one
    # batch with others, the same text got another logit (up to 0.73 apart).
    text = "I'm leaving my house now."
    others = ["ok", "you are all idiots and I hope you know it",
              "a much longer message about the weather, the late bus and what we are cooking tonight " * 3,
              "i just want it all to end"]
    alone = english.logits([text])[0]
    together = english.logits(others[:2] + [text] + others[2:])
    np.testing.assert_array_equal(together[2], alone)
    np.testing.assert_array_equal(together[0], english.logits(["ok"])[0])


def test_no_texts_and_empty_texts_are_scored(english):
    assert english.logits([]).shape == (0, len(english.heads))
    z = english.logits(["", "   "])
    assert z.shape == (2, len(english.heads)) and np.isfinite(z).all()
