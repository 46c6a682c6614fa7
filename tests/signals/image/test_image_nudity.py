"""Nudity models: NudeNet's raw output becomes boxes in the picture's own pixels; pictures
without people score low. (No explicit imagery exists anywhere in these tests.)"""

import numpy as np
import pytest

from seawall.signals.image.analyze import nsfw_signal, nudity_signal
from seawall.signals.image.nudity import (NUDENET_LABELS, Detection, NudeNetDetector,
                                          OpenNsfwClassifier, _nms, label_categories)
from tests.fixtures.media import background


def raw_output(rows):
    """A (1, 4 + 18, N) array like the 320n model's, from (cx, cy, w, h, label, score)."""
    out = np.zeros((1, 4 + len(NUDENET_LABELS), len(rows)), np.float32)
    for i, (cx, cy, w, h, label, score) in enumerate(rows):
        out[0, :4, i] = (cx, cy, w, h)
        out[0, 4 + NUDENET_LABELS.index(label), i] = score
    return out


def test_postprocess_maps_model_boxes_back_to_the_picture():
    det = NudeNetDetector()
    # A 640x480 picture is padded to 640x640 and shrunk to 320: scale 2.
    out = raw_output([(100, 50, 40, 20, "BUTTOCKS_EXPOSED", 0.8),
                      (200, 200, 10, 10, "FACE_FEMALE", 0.1)])
    found = det.postprocess(out, scale=2.0, width=640, height=480)
    assert found == [Detection("BUTTOCKS_EXPOSED", pytest.approx(0.8), (160.0, 80.0, 80.0, 40.0))]


def test_boxes_are_clipped_to_the_picture():
    det = NudeNetDetector()
    out = raw_output([(310, 235, 40, 40, "FEET_EXPOSED", 0.9)])
    (d,) = det.postprocess(out, scale=1.0, width=320, height=240)
    x, y, w, h = d.box
    assert x + w <= 320 and y + h <= 240


def test_nms_keeps_the_strongest_of_overlapping_boxes():
    boxes = np.array([[0, 0, 10, 10], [1, 1, 10, 10], [50, 50, 10, 10]], np.float32)
    assert _nms(boxes, np.array([0.5, 0.9, 0.7]), 0.45) == [1, 2]


def test_only_exposed_parts_count_and_genitals_also_count_as_sexual():
    assert label_categories("FEMALE_BREAST_EXPOSED") == ("nudity",)
    assert label_categories("MALE_GENITALIA_EXPOSED") == ("nudity", "sexual")
    assert label_categories("FACE_FEMALE") == ()
    assert label_categories("BELLY_EXPOSED") == ()


def test_nudity_signal_places_evidence_on_the_detected_boxes():
    dets = [Detection("BUTTOCKS_EXPOSED", 0.7, (10, 20, 30, 40)),
            Detection("FACE_MALE", 0.9, (0, 0, 5, 5)),
            Detection("ANUS_EXPOSED", 0.2, (1, 1, 2, 2))]
    sig = nudity_signal(dets, "image.nudity.v1", "image", "m", evidence_min=0.3)
    assert sig.scores["nudity"] == 0.7 and sig.scores["sexual"] == 0.2
    assert [(e.category, e.box, e.detail["label"]) for e in sig.evidence] == [
        ("nudity", (10, 20, 30, 40), "BUTTOCKS_EXPOSED")]
    assert len(sig.meta["detections"]) == 3      # faces and the rest stay for the console


def test_nsfw_signal_is_whole_picture_evidence():
    sig = nsfw_signal(0.8, (640, 480), "image.nsfw.v1", "image", "m", evidence_min=0.3)
    assert sig.scores["nudity"] == sig.scores["sexual"] == 0.8
    assert {e.box for e in sig.evidence} == {(0.0, 0.0, 640.0, 480.0)}


@pytest.mark.slow
def test_pictures_without_people_score_low_on_both_models():
    rgb = np.asarray(background(640, 480, seed=4))
    assert not [d for d in NudeNetDetector().detect(rgb) if label_categories(d.label)]
    assert OpenNsfwClassifier().score(rgb) < 0.2
