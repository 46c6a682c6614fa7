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


def best_f1_threshold(p: np.ndarray, y: np.ndarray, beta: float = 1.0, metric: str = "f1",
                      weights: np.ndarray | None = None, plateau: float = 0.0) -> float:
    """The score threshold that maximizes F-beta of the positive class on held-out data,
    or (metric "macro-f1") the mean of both classes' F1, the metric of shared tasks such
    as OffensEval and HASOC, which also rewards getting the clean class right. With
    `weights`, counts become weighted sums (a weight of 2 counts as the row written twice).

    With `plateau` > 0: the middle one (by rank) of the cuts whose F is within `plateau`
    of the best. An F1 curve is often flat near its top, and its argmax then wanders
    between retrains on noise; the middle of the flat part does not."""
    if metric not in THRESHOLD_METRICS:
        raise ValueError(f"unknown threshold metric {metric!r}; valid: {', '.join(THRESHOLD_METRICS)}")
    if y.sum() == 0:
        return 0.5
    w = np.ones(len(p)) if weights is None else np.asarray(weights, dtype=np.float64)
    order = np.argsort(-p)
    ps, ys, ws = p[order], y[order], w[order]
    tp = np.cumsum(ws * ys)
    fp = np.cumsum(ws * (1 - ys))
    pos = (ws * ys).sum()
    f = _f_beta(tp, fp, pos - tp, beta)
    if metric == "macro-f1":
        # The clean class, cut at the same place: its true positives are the negatives
        # below the cut, its false positives the positives below it.
        tn = (ws * (1 - ys)).sum() - fp
        f = (f + _f_beta(tn, pos - tp, fp, 1.0)) / 2
    # Only cut between distinct scores.
    distinct = np.r_[ps[1:] != ps[:-1], True]
    f = np.where(distinct, f, -1)
    k = int(np.argmax(f))
    if plateau > 0:
        near = np.flatnonzero(f >= f[k] - plateau)
        k = int(near[len(near) // 2])
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
                banded: np.ndarray, fixed: dict[int, tuple[float, float]] | None = None,
                steps: int = 40) -> tuple[np.ndarray, np.ndarray]:
    """Every head's uncertain band [lo, hi] at once, settling as many texts as a budget allows.

    A text settles in the fast tier only when every head is sure of it, so bands cannot be
    chosen one head at a time: a wide band on a common head (harassment) keeps texts from
    settling whatever the others do. Each head starts at its own narrowest band that keeps
    its budget, `allowed[j]` changed decisions of the full model (flags lost and flags
    added both count), as if it alone decided; that is feasible jointly, since the other
    bands only send more texts on. Then, head by head, each moves along its own frontier
    (the narrowest band for 1.5, 2, 3... times its budget) as far as the joint budget
    allows: texts other heads already send on cost it nothing. Last, single grid steps
    narrow whatever still can.

    p_fast, p_full: [n × heads] calibrated scores of the fast tier and the full model on
    held-out rows; heads where `banded` is False never send a text on; heads in `fixed`
    keep the band given there (and their changes are not budgeted). Returns lo, hi.
    """
    n, H = p_fast.shape
    fixed = fixed or {}
    free = banded & ~np.isin(np.arange(H), list(fixed))
    # Only the free heads' changes are the bands' doing: heads without a band never hold a
    # text back, and a fixed band's cost is its own.
    diff = (((p_fast >= thresholds) != (p_full >= thresholds)) & free).astype(np.float64)
    qs = np.linspace(0, 1, steps + 1)[1:-1]
    # Each side's grid runs outward from the threshold: lo down to -1 (nothing settles
    # below), hi up to 2 (nothing settles above). Position 0 is the closed band.
    grid = {}
    for j in np.flatnonzero(free):
        p, t = p_fast[:, j], thresholds[j]
        below, above = p[p < t], p[p >= t]
        grid[j, "lo"] = np.r_[t, np.quantile(below, 1 - qs) if len(below) else [], -1.0]
        grid[j, "hi"] = np.r_[t, np.quantile(above, qs) if len(above) else [], 2.0]
    pos = {key: 0 for key in grid}
    U = np.zeros((n, H), dtype=bool)  # which heads are unsure of which texts
    for j, (lo_j, hi_j) in fixed.items():
        U[:, j] = (p_fast[:, j] > lo_j) & (p_fast[:, j] < hi_j)
    unsure = U.sum(axis=1)

    def column(j: int, lo_pos: int, hi_pos: int) -> np.ndarray:
        return (p_fast[:, j] > grid[j, "lo"][lo_pos]) & (p_fast[:, j] < grid[j, "hi"][hi_pos])

    def moved(key, k: int) -> np.ndarray:
        j, side = key
        return column(j, pos[j, "lo"] + k, pos[j, "hi"]) if side == "lo" else column(j, pos[j, "lo"], pos[j, "hi"] + k)

    def apply(key, k: int) -> None:
        j = key[0]
        new = moved(key, k)
        unsure[:] += new.astype(np.int64) - U[:, j]
        U[:, j] = new
        pos[key] += k

    def excess(ch: np.ndarray) -> np.ndarray:
        return np.maximum(ch - allowed, 0).sum(axis=-1)

    def changed() -> np.ndarray:
        return diff[unsure == 0].sum(axis=0)

    # Each head's own frontier: for a number of changed decisions it may cause, its
    # narrowest band, as if it alone decided what settles.
    def own_band(j: int, budget: float) -> tuple[int, int]:
        p = p_fast[:, j]
        gl, gh = grid[j, "lo"], grid[j, "hi"]
        lost = np.array([diff[p <= x, j].sum() for x in gl])
        added = np.array([diff[p >= x, j].sum() for x in gh])
        kept = np.array([(p <= x).sum() for x in gl])[:, None] + np.array([(p >= x).sum() for x in gh])[None, :]
        ok = lost[:, None] + added[None, :] <= budget
        a_pos, b_pos = np.unravel_index(np.argmax(np.where(ok, kept, -1)), ok.shape)
        return int(a_pos), int(b_pos)

    def set_band(j: int, band: tuple[int, int]) -> None:
        apply((j, "lo"), band[0] - pos[j, "lo"])
        apply((j, "hi"), band[1] - pos[j, "hi"])

    # Start feasible: every head at its own budget (other bands only send more texts on).
    for j in np.flatnonzero(free):
        set_band(j, own_band(j, allowed[j]))
    # Then, head by head, move along its frontier as far as the joint budget allows: the
    # texts other heads already send on cost it nothing. Repeat until nothing moves.
    levels = (1.5, 2, 3, 4, 6, 8, 12, 16, 24, 32)
    level = {j: 1.0 for j in np.flatnonzero(free)}
    for _ in range(8):
        moved_any = False
        for j in np.flatnonzero(free):
            current = (pos[j, "lo"], pos[j, "hi"])
            for f in sorted((x for x in levels if x > level[j]), reverse=True):
                set_band(j, own_band(j, f * max(allowed[j], 1.0)))
                if excess(changed()) <= 0:
                    level[j], moved_any = f, True
                    break
                set_band(j, current)
        if not moved_any:
            break
    while True:  # narrow where the budget still holds
        ch, best = changed(), None
        for key in grid:
            j = key[0]
            for k in range(1, pos[key] + 1):
                freed = U[:, j] & ~moved(key, -k) & (unsure == 1)  # texts only this band held back
                if freed.any() and (best is None or freed.sum() > best[0]) and \
                        excess(ch + diff[freed].sum(axis=0)) <= 0:
                    best = (int(freed.sum()), key, -k)
        if best is None:
            break
        apply(best[1], best[2])
    lo = np.ones(H)
    hi = np.ones(H)
    for j in np.flatnonzero(free):
        lo[j], hi[j] = grid[j, "lo"][pos[j, "lo"]], grid[j, "hi"][pos[j, "hi"]]
    for j, (lo_j, hi_j) in fixed.items():
        lo[j], hi[j] = lo_j, hi_j
    return np.clip(lo, 0.0, 1.0), np.clip(hi, 0.0, 1.0)


def wilson_lower(successes: np.ndarray, n: np.ndarray, z: float = 1.96) -> np.ndarray:
    """Lower end of the Wilson score interval for a proportion (95% by default): what a
    precision measured on n flags can be trusted to be at least."""
    n = np.maximum(np.asarray(n, dtype=np.float64), 1e-12)
    p = np.asarray(successes, dtype=np.float64) / n
    z2 = z * z
    centre = p + z2 / (2 * n)
    spread = z * np.sqrt(np.maximum(p * (1 - p) / n + z2 / (4 * n * n), 0.0))
    return np.clip((centre - spread) / (1 + z2 / n), 0.0, 1.0)


def precision_threshold(p: np.ndarray, y: np.ndarray, target: float, max_flag_rate: float | None = None,
                        z: float = 1.96) -> dict | None:
    """The lowest threshold (the most recall) at which the flagged texts' precision is at
    least `target` with confidence (the Wilson lower bound, so a handful of lucky flags
    cannot qualify), and at most `max_flag_rate` of the texts are flagged (what reviewers
    can take). None when no threshold meets both on this data."""
    if not 0 < target < 1:
        raise ValueError("target precision must lie strictly between 0 and 1")
    p, y = np.asarray(p, dtype=np.float64), np.asarray(y)
    order = np.argsort(-p)
    ps, ys = p[order], y[order]
    tp = np.cumsum(ys)
    k = np.arange(1, len(ps) + 1)
    ok = (wilson_lower(tp, k, z) >= target) & np.r_[ps[1:] != ps[:-1], True]  # cut between distinct scores
    if max_flag_rate is not None:
        ok &= k <= max_flag_rate * len(ps)
    if not ok.any():
        return None
    i = int(np.flatnonzero(ok)[-1])
    return {"threshold": float(ps[i]), "precision": float(tp[i] / k[i]),
            "precision_lower": float(wilson_lower(tp[i], k[i], z)),
            "recall": float(tp[i] / max(ys.sum(), 1)), "flag_rate": float(k[i] / len(ps)),
            "flags": int(k[i]), "positives": int(ys.sum()), "n": int(len(ps))}
