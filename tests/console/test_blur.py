"""Protected rendering: grayscale everywhere, blur on the detected regions, originals only on reveal."""

import io

import numpy as np
from PIL import Image

from seawall.console import blur


def _picture(w=200, h=160):
    rng = np.random.default_rng(0)
    return (rng.random((h, w, 3)) * 255).astype(np.uint8)


def _png(data):
    return np.asarray(Image.open(io.BytesIO(data)).convert("RGB")).astype(int)


def test_detected_region_is_blurred_and_the_rest_only_grayed():
    rgb = _picture()
    out = _png(blur.render(rgb, width=200, height=160, boxes=[(20, 20, 80, 60)]))
    away = out[100:150, 120:190]                                 # far from the amber outline
    assert np.abs(away[..., 0] - away[..., 1]).max() <= 4       # grayscale (up to JPEG rounding)
    inside, outside = out[30:70, 30:90, 0], out[100:150, 120:190, 0]
    assert inside.std() < 0.4 * outside.std()                  # noise smoothed only inside the box


def test_without_boxes_the_whole_image_is_blurred():
    out = _png(blur.render(_picture(), width=200, height=160))
    assert out[..., 0].std() < 20


def test_reveal_shows_the_original_colours(tmp_path):
    from seawall.review.testing import synth_image

    rgb = np.asarray(Image.open(synth_image(tmp_path / "s.png", size=(200, 160))).convert("RGB"))
    out = _png(blur.render(rgb, width=200, height=160, reveal=True))
    assert np.abs(out - rgb.astype(int)).mean() < 8             # the original, up to JPEG rounding
    assert np.abs(out[..., 0] - out[..., 1]).mean() > 20       # in colour


def test_colour_can_be_kept_before_reveal_when_the_person_asks():
    out = _png(blur.render(_picture(), width=200, height=160, boxes=[(0, 0, 10, 10)], grayscale=False))
    assert (out[..., 0] != out[..., 1]).mean() > 0.5


def test_boxes_follow_a_downscaled_image():
    big = np.zeros((3000, 2000, 3), np.uint8)
    big[:, 1000:] = 255
    out = _png(blur.render(big, width=2000, height=3000, boxes=[(900, 0, 200, 3000)]))
    assert max(out.shape[:2]) == blur.MAX_SIDE
    assert 0 < out[600, 426, 0] < 255    # the edge at x=1000 (426 after scaling) is blurred


def test_a_box_outside_the_picture_is_ignored():
    rgb = _picture()
    assert blur._scale((500, 500, 10, 10), 1, 1, (200, 160)) is None
    assert len(blur.render(rgb, width=200, height=160, boxes=[(500, 500, 10, 10), ("x",)])) > 0
