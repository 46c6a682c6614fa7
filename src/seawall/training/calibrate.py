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


def joint_bands(p_fast: np.ndarray, p_full: np.ndarray, thresholds: np.ndarray, allowed: np.ndarray,
                banded: np.ndarray, steps: int = 40) -> tuple[np.ndarray, np.ndarray]:
    """Every head's uncertain band [lo, hi] at once, settling as many texts as a budget allows.

    A text settles in the fast tier only when every head is sure of it, so bands cannot be
    chosen one head at a time: a wide band on a common head (harassment) keeps texts from
    settling whatever the others do. Start with every band closed at its threshold (every
    text settled, decided by the fast tier alone), then widen, one quantile step at a time,
    the band whose widening removes the most over-budget changed decisions per settled text
    given up, until every head changes at most `allowed[j]` of the full model's decisions
    (flags lost and flags added both count). A last pass narrows any band that can narrow
    within budget (greedy widening overshoots).

    p_fast, p_full: [n × heads] calibrated scores of the fast tier and the full model on
    held-out rows; heads where `banded` is False never send a text on. Returns lo, hi.
    """
    n, H = p_fast.shape
    diff = ((p_fast >= thresholds) != (p_full >= thresholds)).astype(np.float64)
    lo_grid, hi_grid = [], []
    for j in range(H):
        p, t = p_fast[:, j], thresholds[j]
        below, above = p[p < t], p[p >= t]
        qs = np.linspace(1, 0, steps + 1)[1:]
        # lo descends from the threshold to 0 (-1: nothing settles below); hi ascends to 2.
        lo_grid.append(np.r_[t, np.quantile(below, qs) if len(below) else [], -1.0])
        hi_grid.append(np.r_[t, np.quantile(above, 1 - qs) if len(above) else [], 2.0])
    a = np.zeros(H, dtype=int)
    b = np.zeros(H, dtype=int)

    def unsure(j: int, aj: int, bj: int) -> np.ndarray:
        if not banded[j]:
            return np.zeros(n, dtype=bool)
        return (p_fast[:, j] > lo_grid[j][aj]) & (p_fast[:, j] < hi_grid[j][bj])

    count = sum(unsure(j, 0, 0).astype(int) for j in range(H))

    def excess(settled: np.ndarray) -> float:
        return float(np.maximum(settled @ diff - allowed, 0).sum())

    def moves(widen: bool):
        for j in np.flatnonzero(banded):
            cur = unsure(j, a[j], b[j])
            step = 1 if widen else -1
            for side in ("lo", "hi"):
                aj, bj = (a[j] + step, b[j]) if side == "lo" else (a[j], b[j] + step)
                if not (0 <= aj < len(lo_grid[j]) and 0 <= bj < len(hi_grid[j])):
                    continue
                new = count - cur + unsure(j, aj, bj)
                yield j, aj, bj, new

    while True:
        settled = count == 0
        over = excess(settled)
        if over <= 0:
            break
        best, best_gain = None, 0.0
        for j, aj, bj, new in moves(widen=True):
            s_new = new == 0
            fixed = over - excess(s_new)
            lost = settled.sum() - s_new.sum()
            gain = fixed / (lost + 1.0)
            if fixed > 0 and gain > best_gain:
                best, best_gain = (j, aj, bj, new), gain
        if best is None:  # no single step helps: widen the most over-budget head's lower side
            over_heads = settled @ diff - allowed
            j = int(np.argmax(np.where(banded, over_heads, -np.inf)))
            if a[j] + 1 >= len(lo_grid[j]) and b[j] + 1 >= len(hi_grid[j]):
                break
            aj, bj = (a[j] + 1, b[j]) if a[j] + 1 < len(lo_grid[j]) else (a[j], b[j] + 1)
            best = (j, aj, bj, count - unsure(j, a[j], b[j]) + unsure(j, aj, bj))
        j, a[j], b[j], count = best
    while True:  # narrow where the budget still holds
        settled = count == 0
        best, best_gain = None, 0
        for j, aj, bj, new in moves(widen=False):
            s_new = new == 0
            gain = int(s_new.sum() - settled.sum())
            if gain > best_gain and excess(s_new) <= 0:
                best, best_gain = (j, aj, bj, new), gain
        if best is None:
            break
        j, a[j], b[j], count = best
    lo = np.array([lo_grid[j][a[j]] if banded[j] else 1.0 for j in range(H)])
    hi = np.array([hi_grid[j][b[j]] if banded[j] else 1.0 for j in range(H)])
    return np.clip(lo, 0.0, 1.0), np.clip(hi, 0.0, 1.0)
