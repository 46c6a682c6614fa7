"""Frames are picked by change, with a uniform fallback, inside a fixed budget."""

import numpy as np

from seawall.content.frames import FrameSampler, SampleStream, fit


def feed(stream, thumbs, fps=4.0):
    for i, thumb in enumerate(thumbs):
        t = i / fps
        if stream.due(t):
            cand = stream.offer(t, thumb)
            if cand is not None:
                stream.keep(cand, np.zeros((2, 2, 3), np.uint8))


def flat(v):
    return np.full((54, 96), v, np.uint8)


def test_first_frame_and_each_cut_are_kept():
    stream = SampleStream(FrameSampler(budget=8), duration=10.0)
    thumbs = [flat(10)] * 12 + [flat(200)] * 12 + [flat(90)] * 16   # cuts at 3 s and 6 s
    feed(stream, thumbs)
    picked = stream.select(10.0)
    changes = [c.time for c in picked if c.reason == "change"]
    assert picked[0].reason == "first" and picked[0].time == 0.0
    assert changes == [3.0, 6.0]


def test_a_still_video_falls_back_to_uniform_samples():
    stream = SampleStream(FrameSampler(budget=5), duration=20.0)
    feed(stream, [flat(50)] * 80)
    picked = stream.select(20.0)
    assert [c.reason for c in picked] == ["first"] + ["uniform"] * 4
    gaps = np.diff([c.time for c in picked])
    assert np.allclose(gaps, gaps[0])


def test_a_small_caption_counts_as_a_change():
    base = flat(60)
    captioned = base.copy()
    captioned[44:48, 20:76] = 255   # a thin bright band, about 4 % of the thumbnail
    stream = SampleStream(FrameSampler(budget=8, max_gap_s=100), duration=4.0)
    feed(stream, [base] * 6 + [captioned] * 6 + [base] * 4)
    times = [c.time for c in stream.select(4.0)]
    assert times == [0.0, 1.5, 3.0]


def test_budget_holds_and_picks_spread_over_a_busy_clip():
    budget = 6
    stream = SampleStream(FrameSampler(budget=budget, min_gap_s=0.0), duration=100.0)
    rng = np.random.default_rng(0)
    thumbs = [rng.integers(0, 256, (54, 96), dtype=np.uint8) for _ in range(400)]
    for i, thumb in enumerate(thumbs):
        t = i / 4.0
        if stream.due(t):
            cand = stream.offer(t, thumb)
            if cand is not None:
                stream.keep(cand, np.zeros((2, 2, 3), np.uint8))
        assert len(stream.candidates) <= 4 * budget      # memory stays bounded
    picked = stream.select(100.0)
    assert len(picked) == budget
    assert picked[0].time == 0.0 and picked[-1].time > 70.0


def test_each_pick_stands_for_the_time_until_the_next():
    stream = SampleStream(FrameSampler(budget=4), duration=8.0)
    feed(stream, [flat(10)] * 8 + [flat(250)] * 24)
    picked = stream.select(8.0)
    for cur, nxt in zip(picked, picked[1:]):
        assert cur.end == nxt.time
    assert picked[-1].end == 8.0


def test_fit_keeps_aspect_and_even_sides():
    assert fit(1920, 1080, 1280) == (1280, 720)
    assert fit(640, 360, 1280) == (640, 360)
    w, h = fit(1081, 1921, 1000)
    assert h <= 1000 and w % 2 == 0 and h % 2 == 0
