"""The English encoder distilled into the fast tier's token tables, and models that read them."""

from __future__ import annotations

import json

import numpy as np
import pytest

from seawall.signals.text import PACKAGED_MODEL
from seawall.signals.text.model import TextModel, model_view
from seawall.training.datasets.base import Example
from seawall.training.train import Recipe, train

ENGLISH = ("english.onnx", "english.json", "english.tokenizer.json")


@pytest.fixture(scope="module")
def english_only(tmp_path_factory):
    """The shipped English encoder without any tables beside it: training must distil."""
    import shutil

    d = tmp_path_factory.mktemp("english")
    for f in ENGLISH:
        shutil.copy(PACKAGED_MODEL / f, d / f)
    return d


def _insults(n: int, seed: int) -> list[Example]:
    rng = np.random.default_rng(seed)
    out = []
    for i in range(n):
        w = rng.choice(["idiot", "moron", "loser", "photo", "sunset", "garden"])
        out.append(Example(f"what a {w} you are {i}", {"harassment": int(w in ("idiot", "moron", "loser"))},
                           "mine", "dev" if i % 4 == 0 else "train", "en"))
    return out


@pytest.fixture(scope="module")
def distilled(english_only, tmp_path_factory):
    out = tmp_path_factory.mktemp("distilled")
    return train(_insults(400, 1), out, recipe=Recipe(bits=10, encoder=False, static_dim=16),
                 english_dir=english_only, version="test-static")


def test_training_with_an_english_encoder_distils_tables_the_fast_tier_reads(distilled, english_only):
    folder = distilled.folder
    for f in ("static.npz", "static.json", "english.tokenizer.json"):
        assert (folder / f).exists(), f
    cfg = distilled.manifest["features"]["static"]
    heads = json.loads((english_only / "english.json").read_text())["heads"]
    assert cfg["mean_dim"] == 16 and cfg["max_dim"] == len(heads) and len(cfg["sha256"]) == 16
    assert distilled.fast_weights()[0].shape[0] == distilled.features.dim == 2 * 2 ** 10 + 16 + cfg["max_dim"]
    info = json.loads((folder / "static.json").read_text())
    assert info["tokens_seen"] < info["vocabulary"]
    with np.load(folder / "static.npz") as z:
        mean = z["mean"].astype(np.float32)
    # Tokens the training text never used still get rows: that is what carries to new words.
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(folder / "english.tokenizer.json"))
    assert np.linalg.norm(mean[tok.token_to_id("scoundrel")]) > 0
    # A token in every training text weighs far less than a rare one.
    assert np.linalg.norm(mean[tok.token_to_id("what")]) < 0.2 * np.linalg.norm(mean[tok.token_to_id("scoundrel")])


def test_a_model_loaded_from_disk_scores_as_the_trained_one(distilled):
    again = TextModel.load(distilled.folder)
    texts = [model_view(t).text for t in ("what a moron you are", "what a sunset", "")]
    np.testing.assert_allclose(again.fast_logits(again.features.transform(texts)),
                               distilled.fast_logits(distilled.features.transform(texts)), rtol=1e-5)


def test_a_model_built_on_one_with_tables_reuses_them(distilled, english_only, tmp_path):
    # The foundation's tables were distilled from this very encoder: a model built on it
    # reads the very same features (distilling on other text would give other tables).
    user = [Example(e.text, e.labels, "users-own", e.split, "en") for e in _insults(300, 2)]
    model = train(user, tmp_path / "u", recipe=Recipe(bits=10, encoder=False, static_dim=16, folds=3),
                  english_dir=english_only, foundation=distilled.folder, version="test-user")
    assert model.manifest["features"] == distilled.manifest["features"]
    assert model.manifest["foundation"]["version"] == "test-static"
    assert (tmp_path / "u" / "static.npz").read_bytes() == (distilled.folder / "static.npz").read_bytes()


def test_without_tables_the_fast_tier_reads_ngrams_only(english_only, tmp_path):
    model = train(_insults(200, 3), tmp_path / "n", recipe=Recipe(bits=10, encoder=False, static_dim=0),
                  english_dir=english_only)
    assert "static" not in model.manifest["features"] and not (tmp_path / "n" / "static.npz").exists()
    assert model.features.dim == 2 * 2 ** 10


def test_a_model_whose_tables_went_missing_says_so(distilled, tmp_path):
    import shutil

    from seawall.errors import ModelMissing

    broken = tmp_path / "broken"
    shutil.copytree(distilled.folder, broken)
    (broken / "static.npz").unlink()
    with pytest.raises(ModelMissing, match="static.npz"):
        TextModel.load(broken)


def test_retraining_without_tables_into_a_folder_that_had_them_removes_them(distilled, english_only, tmp_path):
    import shutil

    folder = tmp_path / "reused"
    shutil.copytree(distilled.folder, folder)
    model = train(_insults(200, 4), folder, recipe=Recipe(bits=10, encoder=False, static_dim=0),
                  english_dir=english_only)
    assert not (folder / "static.npz").exists() and not (folder / "static.json").exists()
    assert TextModel.load(folder).features.dim == model.features.dim == 2 * 2 ** 10
