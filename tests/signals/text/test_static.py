"""The distilled English encoder's token tables, as the fast tier reads them."""

from __future__ import annotations

import numpy as np
import pytest

from seawall.signals.text.features import FastFeatures, NgramFeatures
from seawall.signals.text.static import StaticEmbeddings
from seawall.signals.text import PACKAGED_MODEL

TOKENIZER = PACKAGED_MODEL / "english.tokenizer.json"


@pytest.fixture(scope="module")
def tables() -> StaticEmbeddings:
    from tokenizers import Tokenizer

    V = Tokenizer.from_file(str(TOKENIZER)).get_vocab_size()
    rng = np.random.default_rng(0)
    return StaticEmbeddings(rng.normal(size=(V, 8)), rng.normal(size=(V, 3)), TOKENIZER, 0.5, 0.1)


def test_mean_block_has_the_scale_as_length_and_max_block_is_the_largest_token_row(tables):
    out = tables.transform(["you are a worthless idiot"])
    assert out.shape == (1, 11)
    assert np.linalg.norm(out[0, :8]) == pytest.approx(0.5, rel=1e-5)
    ids = tables.token_ids(["you are a worthless idiot"])[0]
    assert len(ids) >= 5
    assert np.allclose(out[0, 8:], 0.1 * tables.maxt[ids].max(axis=0), atol=1e-6)


def test_a_text_with_no_known_token_gets_zeros_and_does_not_shift_its_neighbours(tables):
    texts = ["hello there", "", "\u0926\u0947\u0935\u0928\u093e\u0917\u0930\u0940 \u0aa4\u0a95", "good morning"]
    together = tables.transform(texts)
    assert not together[1].any()
    for i, t in enumerate(texts):
        assert np.array_equal(tables.transform([t])[0], together[i])  # alone or in company: the same


def test_word_order_does_not_matter_but_words_do(tables):
    a, b, c = tables.transform(["you stupid idiot", "idiot you stupid", "lovely garden today"])
    assert np.allclose(a, b, atol=1e-6)
    assert not np.allclose(a, c)


def test_fast_features_append_the_static_block_after_the_ngrams(tables):
    ngrams = NgramFeatures(bits=10)
    feats = FastFeatures(ngrams, tables, "english.tokenizer.json")
    X = feats.transform(["you stupid idiot", "lovely garden"])
    assert X.shape == (2, ngrams.dim + tables.dim) == (2, feats.dim)
    assert np.allclose(X[:, ngrams.dim:].toarray(), tables.transform(["you stupid idiot", "lovely garden"]))
    assert feats.config()["static"]["mean_dim"] == 8 and FastFeatures(ngrams).config() == ngrams.config()


def test_a_huge_text_is_read_only_up_to_its_cap(tables):
    huge = "calm words " * 200_000  # 2.2 MB
    out = tables.transform([huge])
    assert np.allclose(out, tables.transform(["calm words " * 1000]), atol=1e-5)
