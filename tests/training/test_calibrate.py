"""Calibration curves, thresholds and cascade bands behave as their docstrings promise."""

from __future__ import annotations

import numpy as np
import pytest

from seawall.training import calibrate


def _overconfident(n=4000, seed=0):
    rng = np.random.default_rng(seed)
    true_p = rng.uniform(0, 1, n)
    y = (rng.uniform(0, 1, n) < true_p).astype(int)
    raw = np.clip(true_p ** 3, 0, 1)  # systematically too low
    return raw, y


def test_isotonic_curve_reduces_calibration_error():
    raw, y = _overconfident()
    curve = calibrate.fit_curve(raw[:2000], y[:2000])
    platt = calibrate.fit_curve(raw[:2000], y[:2000], min_isotonic=10**6)
    assert calibrate.expected_calibration_error(platt(raw[2000:]), y[2000:]) < calibrate.expected_calibration_error(raw[2000:], y[2000:])
    before = calibrate.expected_calibration_error(raw[2000:], y[2000:])
    after = calibrate.expected_calibration_error(curve(raw[2000:]), y[2000:])
    assert after < before / 2


def test_curve_is_monotone_and_bounded():
    raw, y = _overconfident()
    c = calibrate.fit_curve(raw, y)
    xs = np.linspace(0, 1, 101)
    ys = c(xs)
    assert (np.diff(ys) >= -1e-12).all() and ys.min() >= 0 and ys.max() <= 1


def test_best_threshold_matches_brute_force():
    rng = np.random.default_rng(1)
    p = rng.uniform(0, 1, 500)
    y = (rng.uniform(0, 1, 500) < p).astype(int)
    t = calibrate.best_f1_threshold(p, y)

    def f1(th):
        pred = p >= th
        tp = (pred & (y == 1)).sum()
        return 2 * tp / (pred.sum() + y.sum())

    brute = max(f1(th) for th in np.unique(p))
    assert abs(f1(t) - brute) < 1e-9


def test_band_keeps_misses_below_the_promise():
    rng = np.random.default_rng(2)
    p = rng.uniform(0, 1, 3000)
    y = (rng.uniform(0, 1, 3000) < p).astype(int)
    lo, hi = calibrate.cascade_band(p, y, miss=0.01, precision=0.97)
    assert (p[y == 1] < lo).mean() <= 0.01
    above = p >= hi
    if hi < 1.0:
        assert y[above].mean() >= 0.97


def test_category_with_too_few_positives_is_never_settled_early():
    assert calibrate.cascade_band(np.array([0.1, 0.9, 0.2]), np.array([0, 1, 0])) == [0.0, 1.0]


def test_macro_f1_threshold_matches_brute_force_and_differs_from_f1_when_positives_dominate():
    from sklearn.metrics import f1_score

    rng = np.random.default_rng(2)
    p = rng.uniform(0, 1, 600)
    y = (rng.uniform(0, 1, 600) < np.sqrt(p)).astype(int)  # two thirds positive
    t = calibrate.best_f1_threshold(p, y, metric="macro-f1")
    brute = max(f1_score(y, p >= th, average="macro") for th in np.unique(p))
    assert abs(f1_score(y, p >= t, average="macro") - brute) < 1e-9
    # F1 of the positive class alone rewards flagging nearly everything here.
    assert calibrate.best_f1_threshold(p, y) < t


def test_unknown_threshold_metric_is_refused():
    import pytest

    with pytest.raises(ValueError, match="macro-f1"):
        calibrate.best_f1_threshold(np.array([0.1, 0.9]), np.array([0, 1]), metric="accuracy")


def _cascade_costs(p_fast, p_full, t, lo, hi):
    settled = ~((p_fast > lo) & (p_fast < hi)).any(axis=1)
    changed = (((p_fast >= t) != (p_full >= t)) & settled[:, None]).sum(axis=0)
    return settled, changed


def _two_heads(n=4000, noise=(0.05, 0.25), seed=0):
    rng = np.random.default_rng(seed)
    p_full = rng.uniform(size=(n, 2))
    p_fast = np.clip(p_full + rng.normal(0, noise, size=(n, 2)), 0.001, 0.999)
    return p_fast, p_full, np.array([0.5, 0.5])


def test_joint_bands_settle_everything_when_the_fast_tier_agrees_with_the_full_model():
    rng = np.random.default_rng(1)
    p = rng.uniform(size=(500, 3))
    lo, hi = calibrate.joint_bands(p, p, np.full(3, 0.5), np.zeros(3), np.ones(3, dtype=bool))
    settled, changed = _cascade_costs(p, p, 0.5, lo, hi)
    assert settled.all() and changed.sum() == 0


def test_joint_bands_keep_every_head_within_its_budget_and_cover_the_noisy_head():
    p_fast, p_full, t = _two_heads()
    allowed = np.array([20.0, 20.0])
    lo, hi = calibrate.joint_bands(p_fast, p_full, t, allowed, np.ones(2, dtype=bool))
    settled, changed = _cascade_costs(p_fast, p_full, t, lo, hi)
    assert (changed <= allowed).all()
    assert 0 < settled.mean() < 1
    # The head whose fast tier is noisier needs the wider band.
    assert hi[1] - lo[1] > hi[0] - lo[0]
    assert (lo <= t).all() and (hi >= t).all()


def test_a_looser_budget_settles_more():
    p_fast, p_full, t = _two_heads(seed=3)
    shares = []
    for budget in (5.0, 40.0, 200.0):
        lo, hi = calibrate.joint_bands(p_fast, p_full, t, np.full(2, budget), np.ones(2, dtype=bool))
        shares.append(_cascade_costs(p_fast, p_full, t, lo, hi)[0].mean())
    assert shares[0] < shares[1] < shares[2]


def test_a_head_without_a_band_never_sends_a_text_on():
    p_fast, p_full, t = _two_heads(seed=4)
    lo, hi = calibrate.joint_bands(p_fast, p_full, t, np.array([10.0, 0.0]), np.array([True, False]))
    assert lo[1] == hi[1] == 1.0
    settled, changed = _cascade_costs(p_fast[:, :1], p_full[:, :1], t[:1], lo[:1], hi[:1])
    assert changed[0] <= 10


def test_a_fixed_band_is_kept_and_its_changes_are_not_budgeted():
    p_fast, p_full, t = _two_heads(seed=5)
    lo, hi = calibrate.joint_bands(p_fast, p_full, t, np.array([10.0, 0.0]), np.array([True, True]),
                                   fixed={1: (0.02, 1.0)})
    assert (lo[1], hi[1]) == (0.02, 1.0)
    # Head 1 settles only texts below 0.02; head 0 still keeps its own budget.
    settled, changed = _cascade_costs(p_fast, p_full, t, lo, hi)
    assert settled.any() and changed[0] <= 10 and (p_fast[settled, 1] <= 0.02).all()


def test_a_weight_of_two_counts_like_a_row_written_twice():
    # Cross-fitted rows carry weights (seawall.training.train.held_out_weights): a weight
    # must mean exactly what repeating the row would.
    rng = np.random.default_rng(7)
    p = rng.uniform(size=300)
    y = (rng.uniform(size=300) < p).astype(int)
    twice = rng.uniform(size=300) < 0.3
    w = np.where(twice, 2.0, 1.0)
    rep_p, rep_y = np.r_[p, p[twice]], np.r_[y, y[twice]]
    for metric in ("f1", "macro-f1"):
        assert calibrate.best_f1_threshold(p, y, metric=metric, weights=w) == \
            calibrate.best_f1_threshold(rep_p, rep_y, metric=metric)


def test_weights_change_the_chosen_threshold():
    # Down-weighting a cluster of positives that sits low moves the F1 cut above it.
    p = np.r_[np.full(10, 0.2), np.full(10, 0.6), np.full(30, 0.1), np.full(5, 0.4)]
    y = np.r_[np.ones(10), np.ones(10), np.zeros(30), np.zeros(5)].astype(int)
    assert calibrate.best_f1_threshold(p, y) < 0.2
    assert calibrate.best_f1_threshold(p, y, weights=np.r_[np.full(10, 0.05), np.ones(45)]) > 0.4


def test_wilson_lower_bound_is_below_the_observed_share_and_tightens_with_more_flags():
    assert 0.44 < calibrate.wilson_lower(8, 10) < 0.5  # 8 of 10: at least ~0.49
    assert calibrate.wilson_lower(80, 100) > calibrate.wilson_lower(8, 10)
    assert calibrate.wilson_lower(0, 10) == 0.0


def test_precision_threshold_takes_the_most_recall_whose_precision_is_trusted():
    rng = np.random.default_rng(11)
    y = (rng.uniform(size=3000) < 0.2).astype(int)
    p = np.clip(0.5 * y + rng.normal(0.25, 0.15, size=3000), 0, 1)
    point = calibrate.precision_threshold(p, y, 0.9)
    flagged = p >= point["threshold"]
    precision = y[flagged].mean()
    assert precision == pytest.approx(point["precision"]) and point["precision_lower"] >= 0.9
    assert point["recall"] == pytest.approx(y[flagged].sum() / y.sum())
    # Brute force: no lower threshold is trusted at 0.9.
    for t in np.unique(p[p < point["threshold"]])[-200:]:
        f = p >= t
        assert calibrate.wilson_lower(y[f].sum(), f.sum()) < 0.9
    # Reviewer capacity caps the flags; an unreachable target is None, not a guess.
    capped = calibrate.precision_threshold(p, y, 0.9, max_flag_rate=0.05)
    assert capped["flag_rate"] <= 0.05 and capped["threshold"] >= point["threshold"]
    assert calibrate.precision_threshold(p, np.zeros_like(y), 0.5) is None
    with pytest.raises(ValueError):
        calibrate.precision_threshold(p, y, 1.0)


def test_plateau_rule_takes_the_middle_of_the_near_best_cuts_and_stays_near_the_best_f1():
    rng = np.random.default_rng(5)
    p = rng.uniform(0, 1, 2000)
    y = (rng.uniform(0, 1, 2000) < p).astype(int)

    def f1(th):
        pred = p >= th
        return 2 * (pred & (y == 1)).sum() / (pred.sum() + y.sum())

    best = calibrate.best_f1_threshold(p, y)
    mid = calibrate.best_f1_threshold(p, y, plateau=0.01)
    assert f1(mid) >= f1(best) - 0.01
    cuts = np.sort(np.unique(p))
    near = [t for t in cuts if f1(t) >= f1(best) - 0.01]
    assert min(near) <= mid <= max(near)
    assert calibrate.best_f1_threshold(p, y, plateau=0.0) == best


def test_plateau_rule_is_steadier_than_the_argmax_across_resamples():
    # The same population drawn six times: the plateau's middle wanders less than the argmax.
    picks = {0.0: [], 0.01: []}
    for seed in range(6):
        rng = np.random.default_rng(100 + seed)
        p = rng.uniform(0, 1, 1500)
        y = (rng.uniform(0, 1, 1500) < p).astype(int)
        for tol in picks:
            picks[tol].append(calibrate.best_f1_threshold(p, y, plateau=tol))
    assert np.std(picks[0.01]) < np.std(picks[0.0])
