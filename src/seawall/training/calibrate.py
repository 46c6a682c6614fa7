"""Calibration, thresholds and cascade bands, all fitted on held-out data."""

from __future__ import annotations

import numpy as np
from sklearn.isotonic import IsotonicRegression

from seawall.signals.text.model import Curve


def fit_curve(p: np.ndarray, y: np.ndarray, max_points: int = 64, min_isotonic: int = 200) -> Curve:
    """A monotone map from raw probabilities to observed frequencies, stored as a few numbers.

    Isotonic regression where both classes have at least `min_isotonic` held-out
    examples; below that it overfits (a handful of positives at one raw score maps a
    whole range to a high probability), so a two-parameter sigmoid (Platt scaling) is
    fitted instead and sampled into the same curve form.
    """
    y = np.asarray(y)
    if len(np.unique(y)) < 2 or len(p) < 20:
        return Curve(np.array([0.0, 1.0]), np.array([0.0, 1.0]))
    if min(y.sum(), len(y) - y.sum()) < min_isotonic:
        from sklearn.linear_model import LogisticRegression

        z = np.log(np.clip(p, 1e-6, 1 - 1e-6) / np.clip(1 - p, 1e-6, 1)).reshape(-1, 1)
        lr = LogisticRegression(C=1.0).fit(z, y)
        xs = np.unique(np.concatenate([[0.0, 1.0], np.quantile(p, np.linspace(0, 1, max_points)),
                                       np.linspace(0, 1, 33)]))
        zx = np.log(np.clip(xs, 1e-6, 1 - 1e-6) / np.clip(1 - xs, 1e-6, 1)).reshape(-1, 1)
        ys = lr.predict_proba(zx)[:, 1]
        if lr.coef_[0][0] <= 0:  # a non-increasing fit would invert the score: keep it raw
            ys = xs
        return Curve(xs, np.maximum.accumulate(np.clip(ys, 0.0, 1.0)))
    iso = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip").fit(p, y)
    xs = np.unique(np.concatenate([[0.0, 1.0], np.quantile(p, np.linspace(0, 1, max_points))]))
    ys = iso.predict(xs)
    # Shrink toward the raw score a little where data is thin, keeping the curve monotone,
    # so one lucky bin does not map a range of scores to exactly 0 or 1.
    ys = np.maximum.accumulate(np.clip(0.9 * ys + 0.1 * xs, 0.0, 1.0))
    return Curve(xs, ys)


def expected_calibration_error(p: np.ndarray, y: np.ndarray, bins: int = 10) -> float:
    edges = np.linspace(0, 1, bins + 1)
    idx = np.clip(np.digitize(p, edges) - 1, 0, bins - 1)
    err = 0.0
    for b in range(bins):
        m = idx == b
        if m.any():
            err += m.mean() * abs(p[m].mean() - y[m].mean())
    return float(err)


def reliability(p: np.ndarray, y: np.ndarray, bins: int = 10) -> list[tuple[float, float, int]]:
    """(mean predicted, observed frequency, count) per bin: the reliability curve."""
    edges = np.linspace(0, 1, bins + 1)
    idx = np.clip(np.digitize(p, edges) - 1, 0, bins - 1)
    return [(float(p[idx == b].mean()), float(y[idx == b].mean()), int((idx == b).sum()))
            for b in range(bins) if (idx == b).any()]


THRESHOLD_METRICS = ("f1", "macro-f1")


def best_f1_threshold(p: np.ndarray, y: np.ndarray, beta: float = 1.0, metric: str = "f1") -> float:
    """The score threshold that maximizes F-beta of the positive class on held-out data,
    or (metric "macro-f1") the mean of both classes' F1, the metric of shared tasks such
    as OffensEval and HASOC, which also rewards getting the clean class right."""
    if metric not in THRESHOLD_METRICS:
        raise ValueError(f"unknown threshold metric {metric!r}; valid: {', '.join(THRESHOLD_METRICS)}")
    if y.sum() == 0:
        return 0.5
    order = np.argsort(-p)
    ps, ys = p[order], y[order]
    tp = np.cumsum(ys)
    fp = np.cumsum(1 - ys)
    f = _f_beta(tp, fp, ys.sum() - tp, beta)
    if metric == "macro-f1":
        # The clean class, cut at the same place: its true positives are the negatives
        # below the cut, its false positives the positives below it.
        tn = (1 - ys).sum() - fp
        f = (f + _f_beta(tn, ys.sum() - tp, fp, 1.0)) / 2
    # Only cut between distinct scores.
    distinct = np.r_[ps[1:] != ps[:-1], True]
    f = np.where(distinct, f, -1)
    k = int(np.argmax(f))
    nxt = ps[k + 1] if k + 1 < len(ps) else 0.0
    return float(np.clip((ps[k] + nxt) / 2, 0.01, 0.99))


def _f_beta(tp: np.ndarray, fp: np.ndarray, fn: np.ndarray, beta: float) -> np.ndarray:
    b2 = beta * beta
    return (1 + b2) * tp / np.maximum((1 + b2) * tp + b2 * fn + fp, 1e-12)


def cascade_band(p: np.ndarray, y: np.ndarray, miss: float = 0.01, precision: float = 0.97) -> list[float]:
    """The fast tier's uncertain band [lo, hi] for one category.

    Below lo the fast tier may settle a text as negative: at most `miss` of the held-out
    positives score there. Above hi it may settle as positive: held-out precision there
    is at least `precision`. Everything between goes to the encoder.
    """
    pos = np.sort(p[y == 1])
    if len(pos) < 10:
        return [0.0, 1.0]  # too little evidence: never settle this category early
    lo = float(pos[int(np.floor(miss * len(pos)))])
    hi = 1.0
    order = np.argsort(-p)
    ys = y[order]
    prec = np.cumsum(ys) / np.arange(1, len(ys) + 1)
    ok = np.flatnonzero(prec >= precision)
    if len(ok) and ok[-1] >= 20:
        hi = float(p[order][ok[-1]])
    # Rounded outward, so storing the band in JSON never breaks its promise.
    lo_r = float(np.floor(lo * 1e6) / 1e6)
    hi_r = float(np.ceil(max(hi, lo) * 1e6) / 1e6)
    return [lo_r, min(hi_r, 1.0)]


def agreement_band(p_fast: np.ndarray, flagged: np.ndarray, miss: float = 0.02,
                   agree: float = 0.98) -> list[float]:
    """The fast tier's uncertain band [lo, hi], measured against the full model.

    Settling a text in the fast tier should change few of the decisions the full cascade
    (encoder included) would make: below lo lie at most `miss` of the texts the full
    model flags; above hi at least `agree` of the texts are flagged by it. Measured on
    held-out data, so the saving in encoder calls costs a known, small share of flags.
    """
    pos = np.sort(p_fast[flagged])
    if len(pos) < 10:
        return [0.0, 1.0]
    lo = float(pos[int(np.floor(miss * len(pos)))])
    hi = 1.0
    order = np.argsort(-p_fast)
    share = np.cumsum(flagged[order]) / np.arange(1, len(order) + 1)
    ok = np.flatnonzero(share >= agree)
    if len(ok) and ok[-1] >= 20:
        hi = float(p_fast[order][ok[-1]])
    return [float(np.floor(lo * 1e6) / 1e6), min(float(np.ceil(max(hi, lo) * 1e6) / 1e6), 1.0)]
