"""Missing media signals: a picture no classifier judged is unknown, never silently allowed."""

import pytest

from seawall import taxonomy
from seawall.policy import compile_policy, decide, default_policy
from seawall.signals.image.analyze import Findings, ImageAnalyzer
from seawall.taxonomy import empty_scores
from seawall.types import Content, Signal

POLICY = default_policy()
IMAGE = Content(id="p1", image="https://cdn.example/p.jpg")
CAPTIONED = Content(id="p2", image="https://cdn.example/p.jpg", text="a day at the beach")


class Named:
    """A model stand-in: the analyzer only needs its name to shape signals."""

    def __init__(self, name):
        self.name = name


def image_signals(*, detector=True, nsfw=True, ocr=True, nsfw_score=0.02):
    """Signals shaped exactly as the real image analyzer shapes them, from fake models' findings."""
    analyzer = ImageAnalyzer(detector=Named("fake-detector") if detector else None,
                             nsfw=Named("fake-nsfw") if nsfw else None, ocr=Named("fake-ocr") if ocr else None)
    findings = Findings(nsfw=nsfw_score if nsfw else None)
    return analyzer.signals(findings, text_classifier=lambda texts, langs=None: [], lang=None, size=(64, 48),
                            hashes={"pdq": [], "md5": ["0" * 32], "sha256": ["0" * 64]})


def caption(**scores):
    base = {c.name: 0.0 for c in taxonomy.CATEGORIES if "text" in c.input_types}
    base.update(scores)
    return Signal("text.fake.v1", "text", base)


def test_picture_judged_by_every_model_is_decided_without_missing_signals():
    d = decide(IMAGE, image_signals(), policy=POLICY)
    assert (d.action, d.meta["missing"], d.meta["queues"]) == ("allow", [], [])


def test_picture_whose_nudity_models_did_not_run_goes_to_missing_signals_review():
    # OCR and hashing ran; their zero scores say nothing about what the picture shows.
    d = decide(IMAGE, image_signals(detector=False, nsfw=False), policy=POLICY)
    assert d.action == "review" and d.meta["queues"][0]["queue"] == "missing-signals"
    assert "nudity" in d.meta["missing"] and "sexual_gate" in d.meta["unknown_rules"]


def test_picture_signal_marked_incomplete_goes_to_missing_signals_review():
    failed = Signal("image.nudity.v1", "image", empty_scores(), meta={"complete": False, "error": "model missing"})
    hashes = Signal("image.hash.v1", "image", empty_scores(), meta={"hashes": {"md5": ["0" * 32]}})
    d = decide(IMAGE, [failed, hashes], policy=POLICY)
    assert d.action == "review" and d.meta["queues"][0]["queue"] == "missing-signals"
    assert {"nudity", "sexual", "violence/graphic"} <= set(d.meta["missing"])


def test_hash_signals_alone_judge_nothing():
    hashes = Signal("image.hash.v1", "image", empty_scores(), meta={"hashes": {"md5": ["0" * 32]}})
    d = decide(IMAGE, [hashes], policy=POLICY)
    assert d.action == "review" and set(d.meta["missing"]) >= {"nudity", "sexual"}


def test_a_caption_score_does_not_stand_in_for_an_unjudged_picture():
    failed = Signal("image.nudity.v1", "image", empty_scores(), meta={"complete": False})
    d = decide(CAPTIONED, [caption(sexual=0.1), failed], policy=POLICY)
    assert d.action == "review" and d.meta["queues"][0]["queue"] == "missing-signals"
    assert "sexual" in d.meta["missing"] and d.categories["sexual"] is False


def test_a_confident_caption_still_removes_when_the_picture_went_unjudged():
    failed = Signal("image.nudity.v1", "image", empty_scores(), meta={"complete": False})
    d = decide(CAPTIONED, [caption(sexual=0.95), failed], policy=POLICY)
    assert d.action == "remove" and "sexual_explicit" in d.rules and d.categories["sexual"] is True


def test_captioned_picture_judged_on_both_modalities_is_allowed():
    d = decide(CAPTIONED, [caption()] + image_signals(), policy=POLICY)
    assert (d.action, d.meta["missing"]) == ("allow", [])


def test_signal_may_state_what_it_judged():
    only_nudity = Signal("image.custom.v1", "image", empty_scores(), meta={"judged": ["nudity", "sexual"]})
    d = decide(IMAGE, [only_nudity], policy=POLICY)
    assert "nudity" not in d.meta["missing"] and "violence/graphic" in d.meta["missing"]


@pytest.mark.parametrize("condition, value", [
    ('score("sexual") >= 0.9', True), ('score("sexual") < 0.5', False), ('0.5 <= score("sexual")', True),
    ('0.99 < score("sexual")', "unknown"), ('score("sexual") >= 0.99', "unknown"), ('flagged("sexual")', True),
    ('-score("sexual") < 0', "unknown"), ('score("sexual", missing=0) >= 0.9', True),
])
def test_a_partly_known_score_settles_only_what_its_floor_settles(condition, value):
    p = compile_policy('policy(version="t", default=allow, on_missing=review(queue="missing-signals"))\n'
                       f'r = rule(when={condition}, then=remove)\n')
    failed = Signal("image.nudity.v1", "image", empty_scores(), meta={"complete": False})
    d = decide(CAPTIONED, [caption(sexual=0.95), failed], policy=p)
    expected = {True: "remove", False: "allow", "unknown": "review"}[value]
    assert d.action == expected
