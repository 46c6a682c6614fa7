"""Heads that build on a trained model's heads (the training service's foundation)."""

from __future__ import annotations

import numpy as np
from sklearn.metrics import roc_auc_score

from seawall.signals.text.features import NgramFeatures
from seawall.signals.text.model import model_view
from seawall.training.corpus import load_seed
from seawall.training.datasets.base import Example
from seawall.training.train import Foundation, Recipe, train


def _threat_labels(n: int = 80) -> list[Example]:
    """A user's few labels, in a vocabulary of their own: hurt (a threat) against hug."""
    return [Example(f"i will {'hurt' if i % 2 == 0 else 'hug'} you, number {i}", {"threat": int(i % 2 == 0)},
                    "mine", "dev" if i % 5 == 0 else "train", "en") for i in range(n)]


def test_a_folded_head_scores_exactly_as_the_head_fitted_on_the_foundations_logits(small_model_dir):
    feats = NgramFeatures(bits=15)
    base = Foundation.load(small_model_dir, feats, _threat_labels())
    X = feats.transform(["i will find you", "lovely garden", "you are a worthless idiot"])
    X_aug = base.fast_features(X)
    coef = np.random.default_rng(0).normal(size=X_aug.shape[1])
    w, b = base.fold_fast(coef, 0.3)
    np.testing.assert_allclose(X_aug @ coef + 0.3, X @ w + b, rtol=1e-4, atol=1e-4)


def test_a_few_labels_generalize_further_on_the_foundation(tmp_path, small_model_dir):
    # The user's labels never show a real threat; the foundation (trained on the seed
    # corpus) has seen many. On the seed corpus's held-out threats and non-threats, the
    # head built on it ranks far better than the one that learned the labels alone.
    test = [e for e in load_seed() if e.split == "test" and "harassment/threatening" in e.labels]
    y = [e.labels["harassment/threatening"] for e in test]
    auc = {}
    for name, foundation in (("plain", None), ("built", small_model_dir)):
        m = train(_threat_labels(), tmp_path / name, recipe=Recipe(bits=15, encoder=False, min_class=5, folds=5),
                  foundation=foundation)
        assert (m.manifest["foundation"] or {}).get("version") == (None if foundation is None else "test-small")
        if foundation is not None:  # chosen by out-of-fold log-loss: here it helps
            assert m.manifest["foundation"]["heads"]["fast"] == ["threat"]
        z = m.fast_logits(m.features.transform([model_view(e.text).text for e in test]))
        auc[name] = roc_auc_score(y, z[:, m.heads.index("threat")])
    assert auc["built"] > max(0.6, auc["plain"] + 0.05), auc


def test_a_foundation_trained_on_the_same_data_is_not_used(small_model_dir):
    seed = [e for e in load_seed() if e.dataset == "seed-threats"]
    assert Foundation.load(small_model_dir, NgramFeatures(bits=15), seed) is None
    # Nor one whose features differ (its weights would mean nothing here).
    assert Foundation.load(small_model_dir, NgramFeatures(bits=12), _threat_labels()) is None


def test_a_folded_encoder_head_scores_exactly_as_the_head_fitted_on_the_foundations_logits():
    from seawall.signals.text import PACKAGED_MODEL
    from seawall.signals.text.model import TextModel

    base = Foundation(TextModel.load(PACKAGED_MODEL))
    rng = np.random.default_rng(1)
    E = rng.normal(size=(5, 384)).astype(np.float32)
    E_aug = base.encoder_features(E)
    coef = rng.normal(size=E_aug.shape[1])
    w, b = base.fold_encoder(coef, -0.2)
    np.testing.assert_allclose(E_aug @ coef - 0.2, E @ w + b, rtol=1e-4, atol=1e-3)
