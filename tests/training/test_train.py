"""The training recipe: reproducible, records its data, calibrates, refuses bad data."""

from __future__ import annotations

import json
import zlib

import numpy as np
import pytest

from seawall.errors import InvalidInput
from seawall.signals.text.model import TextModel
from seawall.training import calibrate
from seawall.training.corpus import dedupe, load_seed, load_user_file
from seawall.training.datasets.base import Example
from seawall.training.train import Recipe, label_matrix, train


def test_training_twice_gives_identical_weights(tmp_path, small_model_dir):
    again = train(load_seed(), tmp_path / "again", recipe=Recipe(bits=15, encoder=False), version="test-small")
    first = TextModel.load(small_model_dir)
    assert first.heads == again.heads
    np.testing.assert_array_equal(first._fast_WT, again._fast_WT)
    assert first.thresholds == again.thresholds


def test_manifest_records_data_hashes_and_thresholds(small_model_dir):
    m = json.loads((small_model_dir / "manifest.json").read_text())
    assert m["data"], "every dataset's hash is recorded"
    assert all(len(d["sha256"]) == 64 and d["examples"] > 0 for d in m["data"].values())
    assert set(m["thresholds"]) == set(m["heads"])
    assert all(0 < t < 1 for t in m["thresholds"].values())
    for h in m["heads"]:
        lo, hi = m["bands"][h]
        assert 0 <= lo <= hi <= 1


def test_seed_corpus_covers_the_categories_no_public_set_covers():
    seed = load_seed()
    positives = {}
    for e in seed:
        for k, v in e.labels.items():
            positives[k] = positives.get(k, 0) + v
    for cat in ("sexual", "self-harm/intent", "self-harm/instructions", "violence/graphic",
                "illicit", "illicit/violent", "harassment/threatening", "hate/threatening", "scam"):
        assert positives.get(cat, 0) >= 100, cat
    assert len({e.lang for e in seed}) >= 10
    # Swearing in languages no licensed public set covers (Hindi, German, ...) is seeded too.
    swearing = [e for e in seed if e.labels.get("profanity") == 1]
    assert len(swearing) >= 100 and len({e.lang for e in swearing}) >= 10
    assert not any(e.labels.get("sexual/minors") == 1 for e in seed), "never written, only composed"


def test_a_dataset_that_never_says_no_does_not_train_that_head():
    exs = [Example(f"text {i}", {"offensive": 1, "hate": i % 2}, "all-positive", "train", "en") for i in range(100)]
    exs += [Example(f"other {i}", {"offensive": i % 2}, "mixed", "train", "en") for i in range(100)]
    Y = label_matrix(exs, ["offensive", "hate"])
    assert (Y[:100, 0] == -1).all() and (Y[100:, 0] >= 0).all()
    assert (Y[:100, 1] >= 0).all()


def test_test_splits_stay_whole_and_never_leak_into_training():
    exs = [Example("same", {"hate": 1}, "a", "test", "en"), Example("same", {"hate": 1}, "a", "test", "en"),
           Example("same", {"hate": 0}, "b", "train", "en"), Example("other", {"hate": 0}, "b", "train", "en")]
    out = dedupe(exs)
    assert sum(e.split == "test" for e in out) == 2
    assert [e.text for e in out if e.split == "train"] == ["other"]


def test_user_csv_with_unknown_label_column_is_refused(tmp_path):
    f = tmp_path / "mine.csv"
    f.write_text("text,hateful\nhello,0\n")
    with pytest.raises(InvalidInput, match="unknown columns"):
        load_user_file(f)


def test_user_jsonl_with_bad_label_value_names_the_line(tmp_path):
    f = tmp_path / "mine.jsonl"
    f.write_text('{"text": "ok", "labels": {"hate": 0}}\n{"text": "x", "labels": {"hate": 2}}\n')
    with pytest.raises(InvalidInput, match=":2: label 'hate' must be 0 or 1"):
        load_user_file(f)


def test_training_on_a_users_file_works_end_to_end(tmp_path):
    rows = []
    for i in range(300):
        bad = i % 2 == 0
        text = f"you are a worthless idiot number {i}" if bad else f"thanks for the lovely photo number {i}"
        rows.append(json.dumps({"text": text, "labels": {"harassment": int(bad)}}))
    f = tmp_path / "mine.jsonl"
    f.write_text("\n".join(rows) + "\n")
    model = train(load_user_file(f), tmp_path / "m", recipe=Recipe(bits=12, encoder=False))
    assert model.heads == ["harassment"]
    from seawall.signals.text.cascade import TextCascade

    s = TextCascade(model).score(["you are a worthless idiot", "thanks for the lovely photo"])
    assert s[0].scores["harassment"] > 0.5 > s[1].scores["harassment"]


def test_clean_text_is_a_negative_for_heads_it_rules_out_but_not_for_minor():
    exs = [Example("nice day", {"offensive": 0}, "tweets", "train", "en"),
           Example("buy pills here", {"illicit": 1}, "seed", "train", "en"),
           Example("legal pharmacy", {"illicit": 0}, "seed", "train", "en")]
    Y = label_matrix(exs, ["illicit", "violence", "minor", "hate"])
    assert Y[0].tolist() == [0, 0, -1, -1]


def test_a_dataset_that_never_says_yes_still_teaches_ordinary_text():
    exs = [Example(f"ham {i}", {"spam": 0}, "all-ham", "train", "en") for i in range(50)]
    assert (label_matrix(exs, ["spam"]) == 0).all()


def test_a_seed_text_is_a_negative_for_what_it_plainly_is_not():
    exs = [Example("i want to disappear", {"self-harm": 1}, "seed-self_harm", "train", "en"),
           Example("two years clean today", {"self-harm": 0}, "seed-self_harm", "train", "en")]
    Y = label_matrix(exs, ["self-harm", "sexual", "violence"])
    assert Y[0].tolist() == [1, 0, -1]


def test_every_head_but_minor_is_banded_and_a_users_recipe_is_cross_fitted():
    for default in (True, False):
        r = Recipe.for_data(default, threshold_metric="macro-f1")
        assert r.no_band == ("minor",) and r.threshold_metric == "macro-f1"
    assert Recipe.for_data(False).folds == 5 and Recipe.for_data(True).folds == 0  # a user's small set is cross-fitted


def _user_examples(n=400, seed=0):
    rng = np.random.default_rng(seed)
    words_bad = ["idiot", "moron", "trash", "loser", "clown"]
    words_ok = ["photo", "sunset", "recipe", "garden", "music"]
    out = []
    for i in range(n):
        dev = i % 10 == 0
        bad = 0 if dev else int(rng.uniform() < 0.3)  # the dev split holds no positive at all
        noisy = rng.uniform() < 0.15  # some labels disagree with the words: not separable
        w = rng.choice(words_bad if bool(bad) != noisy else words_ok)
        out.append(Example(text=f"this {w} again {i}", labels={"offensive": bad}, dataset="mine",
                           split="dev" if dev else "train", lang="en"))
    return out


def test_cross_fitting_calibrates_on_training_examples_too_not_only_dev(tmp_path):
    # A dev split without positives can set no threshold; out-of-fold logits for the
    # training examples can.
    ex = _user_examples()
    with_folds = train(ex, tmp_path / "a", recipe=Recipe(bits=12, encoder=False, folds=5))
    without = train(ex, tmp_path / "b", recipe=Recipe(bits=12, encoder=False, folds=0))
    assert without.thresholds["offensive"] == 0.5
    assert without.manifest["calibration"]["fast"]["offensive"]["x"] == [0.0, 1.0]  # identity
    assert with_folds.thresholds["offensive"] != 0.5
    assert len(with_folds.manifest["calibration"]["fast"]["offensive"]["x"]) > 2
    from seawall.signals.text.cascade import TextCascade

    s = TextCascade(with_folds).score(["this sunset again", "this moron again"])
    assert s[0].aux["offensive"] < with_folds.thresholds["offensive"] <= s[1].aux["offensive"]


def test_cascade_effect_counts_settled_texts_and_the_flags_settling_changes():
    from seawall.training.train import cascade_effect

    p_fast = np.array([[0.01], [0.04], [0.5], [0.9]])
    p_full = np.array([[0.01], [0.6], [0.7], [0.9]])  # the full model flags rows 1-3 at 0.5
    wide = cascade_effect(p_fast, p_full, ["hate"], {"hate": [0.02, 0.95]}, {"hate": 0.5})
    assert wide["settled_share"] == 0.25 and wide["flags_lost"]["hate"] == 0.0
    # A floor of 0.05 also settles row 1, whose fast score (0.04) misses the full model's flag.
    high = cascade_effect(p_fast, p_full, ["hate"], {"hate": [0.05, 0.95]}, {"hate": 0.5})
    assert high["settled_share"] == 0.5 and high["flags_lost"]["hate"] == round(1 / 3, 4)
    # Nothing is added: no settled row is flagged by the fast tier and left clean by the full model.
    assert high["flags_added"]["hate"] == 0.0 and high["flags_changed"]["hate"] == round(1 / 3, 4)


def test_cascade_effect_counts_flags_the_fast_tier_adds():
    from seawall.training.train import cascade_effect

    p_fast = np.array([[0.97], [0.2], [0.9]])
    p_full = np.array([[0.3], [0.2], [0.9]])  # row 0: the fast tier is sure, the full model is not
    e = cascade_effect(p_fast, p_full, ["hate"], {"hate": [0.3, 0.95]}, {"hate": 0.5})
    assert e["settled_share"] == round(2 / 3, 4)
    assert e["flags_lost"]["hate"] == 0.0 and e["flags_added"]["hate"] == 1.0
    assert e["flags_changed"]["hate"] == 1.0


def test_a_head_without_a_band_is_not_counted_as_flags_lost():
    from seawall.training.train import cascade_effect

    p = np.array([[0.9, 0.01], [0.9, 0.9]])
    e = cascade_effect(p, p, ["minor", "hate"], {"minor": [1.0, 1.0], "hate": [0.02, 0.95]},
                       {"minor": 0.5, "hate": 0.5})
    assert "minor" not in e["flags_lost"] and e["flags_lost"]["hate"] == 0.0


def _hidden(text: str) -> bool:
    return zlib.crc32(text.encode()) % 4 == 0


class _WordEncoder:
    """A stand-in sentence encoder (the real one is slow to load in tests): hashed bag of
    words, plus one feature no n-gram can see (a hash of the whole text)."""

    name, dim = "test-words", 64

    def encode(self, texts):
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, t in enumerate(texts):
            for w in t.split():
                out[i, zlib.crc32(w.encode()) % (self.dim - 1)] += 1.0
            out[i, -1] = 4.0 * _hidden(t)
        return out


def _encoder_examples(n: int, seed: int, dataset=lambda i: "mine") -> list[Example]:
    """Insults and clean words; half the positives carry only what _WordEncoder sees (the
    hidden mark), so the fast tier must send them on."""
    rng = np.random.default_rng(seed)
    ex = []
    for i in range(n):
        w = rng.choice(["idiot", "moron", "photo", "sunset"])
        text = f"this {w} again {i}"
        bad = int(w in ("idiot", "moron") or _hidden(text))
        ex.append(Example(text, {"offensive": bad}, dataset(i), "dev" if i % 5 == 0 else "train", "en"))
    return ex


def test_training_with_an_encoder_fits_bands_that_keep_their_budget(tmp_path):
    ex = _encoder_examples(1200, seed=5)
    recipe = Recipe(bits=12, folds=5, no_band=(), flag_change=0.05, band_min_flags=20)
    model = train(ex, tmp_path / "m", recipe=recipe, encoder=_WordEncoder(), cache_dir=tmp_path / "cache")
    c = model.manifest["cascade"]
    assert c["chosen"]["measured"] == "held-out halves"
    # Clean words with the hidden mark are the full model's flags the fast tier cannot see, so
    # clean-word texts cannot all settle; insults (flagged by both) can.
    assert 0.2 < c["chosen"]["settled_share"] < 0.9
    # Fitted on every stacking row, the bands keep the budget there: 5% of at least 20 flags.
    ins = c["in_sample"]
    n = ins["flags"]["offensive"]
    assert n > 0 and ins["flags_changed"]["offensive"] * n <= 0.05 * max(n, 20) + 1e-6
    # Every row was English, so only English texts may settle; another language always goes on.
    assert model.manifest["fast_languages"] == ["en"]
    from seawall.signals.text.cascade import TextCascade

    cascade = TextCascade(model, _WordEncoder(), spans=False)
    texts = [f"this photo again {i}" for i in range(40)]
    en = cascade.score(texts, langs=["en"] * 40)
    de = cascade.score(texts, langs=["de"] * 40)
    assert any(s.tier == "fast" for s in en) and all(s.tier == "encoder" for s in de)
    lo, hi = model.bands["offensive"]
    assert 0.0 <= lo <= model.thresholds["offensive"] <= hi <= 1.0


def test_cascade_effect_counts_texts_the_english_tier_settles_with_its_own_scores():
    from seawall.training.train import cascade_effect

    p_fast = np.array([[0.01], [0.4], [0.4], [0.4]])
    p_full = np.array([[0.01], [0.9], [0.1], [0.9]])
    # Rows 1-2 are English (the English tier scored them); row 3 is not (NaN) and goes on.
    p_mid = np.array([[np.nan], [0.8], [0.45], [np.nan]])
    e = cascade_effect(p_fast, p_full, ["hate"], {"hate": [0.02, 0.95]}, {"hate": 0.5},
                       p_mid=p_mid, mid_bands={"hate": [0.3, 0.7]})
    assert e["settled_share"] == 0.25 and e["english_share"] == 0.25  # row 1 only: row 2 is unsure
    assert e["flags_changed"]["hate"] == 0.0
    # An English tier that settles row 2 too keeps its score (0.45: clean), as the full model does.
    e = cascade_effect(p_fast, p_full, ["hate"], {"hate": [0.02, 0.95]}, {"hate": 0.5},
                       p_mid=p_mid, mid_bands={"hate": [0.5, 0.7]})
    assert e["english_share"] == 0.5 and e["flags_changed"]["hate"] == 0.0
    # Settled with a score that misses the full model's flag, it is counted as lost.
    e = cascade_effect(p_fast, p_full, ["hate"], {"hate": [0.02, 0.95]}, {"hate": 0.5},
                       p_mid=np.array([[np.nan], [0.2], [0.45], [np.nan]]), mid_bands={"hate": [0.5, 0.7]})
    assert e["flags_lost"]["hate"] == 0.5


def test_english_texts_the_english_tier_is_sure_of_skip_the_multilingual_encoder(tmp_path):
    from seawall.signals.text.cascade import TextCascade
    from seawall.signals.text import PACKAGED_MODEL

    class Counting(_WordEncoder):
        calls = 0

        def encode(self, texts):
            Counting.calls += len(texts)
            return super().encode(texts)

    rng = np.random.default_rng(7)
    ex = []
    for i in range(1000):
        w = rng.choice(["idiot", "moron", "photo", "sunset", "garden", "worthless"])
        text = f"you {w} {i}" if rng.random() < 0.5 else f"what a {w} this is {i}"
        ex.append(Example(text, {"offensive": int(w in ("idiot", "moron", "worthless"))}, "mine",
                          "dev" if i % 4 == 0 else "train", "en"))
    # 3 bits: a fast tier blurred by hash collisions, so that it cannot settle every text.
    # No distilled tables either: they would make the fast tier as sure as the encoder.
    recipe = Recipe(bits=3, folds=5, no_band=(), flag_change=0.05, band_min_flags=20, static_dim=0)
    model = train(ex, tmp_path / "m", recipe=recipe, encoder=Counting(), cache_dir=tmp_path / "cache",
                  english_dir=PACKAGED_MODEL)
    assert model.has_english_tier and "offensive" in model.mid_bands
    chosen = model.manifest["cascade"]["chosen"]
    # (shares are rounded to 4 places: they may sum to 1 up to that rounding)
    assert 0.0 < chosen["english_share"] <= 1.0 - chosen["settled_share"] + 1e-4
    # Each stage spends at most its own budget of the full model's flags.
    assert chosen["flags_changed"]["offensive"] <= 0.05 * 2 + 0.05  # held out: some slack
    texts = [f"you {w} {i}" for i in range(2000, 2060) for w in ("idiot", "garden")]
    Counting.calls = 0
    cascade = TextCascade(model, Counting(), spans=False)
    en = cascade.score(texts, langs=["en"] * len(texts))
    assert {s.tier for s in en} <= {"fast", "english", "encoder"} and any(s.tier == "english" for s in en)
    # Only the texts neither tier settled were encoded by the multilingual encoder.
    assert Counting.calls == sum(s.tier == "encoder" for s in en)
    # Another language has no English tier; "encoder" (every text fully encoded) skips it too.
    assert all(s.tier != "english" for s in cascade.score(texts[:20], langs=["de"] * 20))
    assert all(s.tier == "encoder" for s in cascade.score(texts[:20], langs=["en"] * 20, tier="encoder"))


def test_a_model_without_english_rows_has_no_english_tier(tmp_path):
    from seawall.signals.text import PACKAGED_MODEL

    rng = np.random.default_rng(3)
    ex = [Example(f"tu {w} hai {i}", {"offensive": int(w in ("idiot", "moron"))}, "mine",
                  "dev" if i % 4 == 0 else "train", "hi")
          for i, w in enumerate(rng.choice(["idiot", "moron", "photo", "sunset"], 600))]
    model = train(ex, tmp_path / "m", recipe=Recipe(bits=12, folds=5, no_band=(), band_min_flags=20, static_dim=0),
                  encoder=_WordEncoder(), cache_dir=tmp_path / "cache", english_dir=PACKAGED_MODEL)
    # Its blend and bands would have been fitted on no rows at all.
    assert not model.has_english_tier and "mid_bands" not in model.manifest
    assert model.manifest["cascade"]["chosen"]["english_share"] == 0.0


def test_cross_fitted_seed_rows_join_the_threshold_choice_with_their_sets_dev_weight(tmp_path):
    from seawall.training.train import cross_fit_rows, held_out_weights

    ex = _user_examples(300, seed=3)
    ex += [Example(f"seed text {i} {'moron' if i % 2 else 'garden'}", {"offensive": i % 2}, "seed-demo",
                   "dev" if i % 5 == 0 else "train", "en") for i in range(200)]
    split = np.array([e.split for e in ex])
    tr, dv = np.flatnonzero(split == "train"), np.flatnonzero(split == "dev")
    on = Recipe(bits=12, encoder=False, cross_fit=("seed-",))
    xf = cross_fit_rows(ex, tr, on)
    assert {ex[i].dataset for i in xf} == {"seed-demo"} and len(xf) == 160
    rows = np.r_[dv, xf]
    w = held_out_weights(ex, rows, xf)
    seed = np.array([ex[i].dataset == "seed-demo" for i in rows])
    assert w[seed].sum() == pytest.approx(40)  # the set weighs what its 40 dev rows did
    assert (w[~seed] == 1).all()
    assert (held_out_weights(ex, dv, xf) == 1).all(), "without its cross-fitted rows a set keeps weight 1"
    # On in the shipped recipe, off when asked; a user's recipe cross-fits every row already.
    assert len(cross_fit_rows(ex, tr, Recipe())) == 160
    assert len(cross_fit_rows(ex, tr, Recipe(cross_fit=()))) == 0
    assert len(cross_fit_rows(ex, tr, Recipe(folds=5, cross_fit=("seed-",)))) == 0

    model = train(ex, tmp_path / "m", recipe=on)
    assert model.manifest["cross_fitted"] == {"rows": 160, "folds": 5, "use": "thresholds",
                                              "datasets": ["seed-demo"]}
    off = train(ex, tmp_path / "off", recipe=Recipe(bits=12, encoder=False, cross_fit=()))
    assert "cross_fitted" not in off.manifest
    # Only the threshold choice sees the cross-fitted rows: calibration is the dev split's.
    assert off.manifest["calibration"] == model.manifest["calibration"]
    assert off.thresholds["offensive"] != model.thresholds["offensive"]


def test_cross_fitting_with_an_encoder_scores_seed_rows_with_heads_that_never_saw_them(tmp_path):
    ex = _encoder_examples(900, seed=8, dataset=lambda i: "seed-demo" if i % 3 == 0 else "mine")
    kw = dict(encoder=_WordEncoder(), cache_dir=tmp_path / "cache")
    on = train(ex, tmp_path / "on", recipe=Recipe(bits=12, band_min_flags=20, cross_fit=("seed-",)), **kw)
    off = train(ex, tmp_path / "off", recipe=Recipe(bits=12, band_min_flags=20, cross_fit=()), **kw)
    assert on.manifest["cross_fitted"]["rows"] == sum(e.dataset == "seed-demo" and e.split == "train" for e in ex)
    # The blend and calibration are the dev split's either way; the threshold sees more rows.
    assert on.manifest["calibration"] == off.manifest["calibration"]
    assert 0 < on.thresholds["offensive"] < 1
    # The heads themselves are trained on every training row, as without cross-fitting:
    # the out-of-fold fits only score the held-out copies.
    for f in ("fast.npz", "encoder.npz"):
        a, b = np.load(tmp_path / "on" / f), np.load(tmp_path / "off" / f)
        np.testing.assert_array_equal(a["W"], b["W"])


def test_thresholds_common_heads_on_dev_rows_rare_heads_with_cross_fitted_rows_and_rare_subtypes_under_parents():
    from seawall.training.train import choose_thresholds

    rng = np.random.default_rng(4)
    heads = ["hate", "hate/threatening", "self-harm", "self-harm/intent"]
    n_dev, n_xf = 1200, 400
    ex = [Example(f"d{i}", {}, "pub", "dev", "en") for i in range(n_dev)]
    ex += [Example(f"s{i}", {}, "seed-x", "train", "en") for i in range(n_xf)]
    ex += [Example(f"s{i}", {}, "seed-x", "dev", "en") for i in range(40)]
    ex += [Example(f"c{i}", {}, "seed-x", "dev", "en") for i in range(300)]  # seed dev rows labelled "hate"
    rows = np.arange(len(ex))
    xf = np.arange(n_dev, n_dev + n_xf)
    Y = -np.ones((len(ex), 4), dtype=int)
    p = np.zeros((len(ex), 4))
    # "hate": common (300 dev positives), labelled on the public rows only.
    hate_rows = np.r_[np.arange(n_dev), np.arange(len(ex) - 300, len(ex))]
    Y[hate_rows, 0] = rng.uniform(size=len(hate_rows)) < 0.25
    p[hate_rows, 0] = np.clip(0.35 * Y[hate_rows, 0] + rng.normal(0.3, 0.15, len(hate_rows)), 0, 1)
    p[len(ex) - 300:, 0] = np.clip(p[len(ex) - 300:, 0] + 0.2, 0, 1)  # the seed set's hard negatives score high
    # The rare heads are labelled on the other seed rows (dev and cross-fitted).
    seed_rows = np.arange(n_dev, len(ex) - 300)
    for j in (1, 2, 3):
        Y[seed_rows, j] = rng.uniform(size=len(seed_rows)) < 0.4
        p[seed_rows, j] = np.clip(0.4 * Y[seed_rows, j] + rng.normal(0.2, 0.15, len(seed_rows)), 0, 1)
    # The subtypes' scores sit lower, as a subtype's do (its parent bounds it).
    p[seed_rows, 1] *= 0.5
    p[seed_rows, 3] *= 0.5
    recipe = Recipe(encoder=False)
    th = choose_thresholds(p, rows, Y, heads, ex, xf, recipe)

    # "hate" counts every dev row once, the seed set's too (it has cross-fitted rows, which
    # would shrink its dev rows' weight for a rare head).
    assert th["hate"] == calibrate.best_f1_threshold(p[hate_rows, 0], Y[hate_rows, 0], plateau=0.01)
    # A rare head's threshold uses the cross-fitted rows: dropping them changes it.
    dev = np.r_[np.arange(n_dev), np.arange(n_dev + n_xf, len(ex))]
    without = choose_thresholds(p[dev], dev, Y, heads, ex, np.zeros(0, dtype=int), recipe)
    seed_dev = np.arange(n_dev + n_xf, len(ex) - 300)
    alone = calibrate.best_f1_threshold(p[seed_dev, 2], Y[seed_dev, 2])
    assert without["self-harm"] == alone
    assert th["self-harm"] != alone
    # The rare subtype is held at its rare parent's threshold; the rare "hate/threatening"
    # keeps its own although its common parent "hate" sits elsewhere.
    assert th["self-harm/intent"] == th["self-harm"]
    assert th["hate/threatening"] < th["hate"]
