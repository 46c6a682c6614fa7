"""The text cascade: every category scored and calibrated, compositions, evidence spans."""

from __future__ import annotations

import pytest

from seawall import taxonomy
from seawall.signals.text.cascade import TextCascade, compose
from seawall.signals.text.model import TextModel


@pytest.fixture(scope="module")
def cascade(small_model_dir):
    return TextCascade(TextModel.load(small_model_dir))


def test_every_category_is_scored_with_a_probability(cascade):
    (sig,) = cascade.classify(["have a nice day"])
    assert set(sig.scores) == set(taxonomy.NAMES)
    assert all(0.0 <= v <= 1.0 for v in sig.scores.values())


def test_a_subtype_never_scores_above_its_parent(cascade):
    for sig in cascade.classify(["i want to end it all tonight", "I will find you and hurt you"]):
        for c in taxonomy.CATEGORIES:
            if c.parent:
                assert sig.scores[c.parent] >= sig.scores[c.name]


def test_sexual_minors_is_sexual_and_minor_composed():
    s = compose({"sexual": 0.9, "minor": 0.8})
    assert s["sexual/minors"] == pytest.approx(0.72)
    assert compose({"sexual": 0.9, "minor": 0.0})["sexual/minors"] == 0.0
    assert compose({"sexual": 0.0, "minor": 0.9})["sexual/minors"] == 0.0


def test_evidence_span_points_into_the_original_text(cascade):
    text = "Nice pic. Now go k.i.l.l yourself, nobody would miss you"
    (sig,) = cascade.classify([text])
    flagged = [c for c, v in sig.scores.items() if v >= cascade.model.thresholds.get(c, 0.5)]
    assert flagged, sig.scores
    assert sig.evidence
    for ev in sig.evidence:
        start, end = ev.span
        assert text[start:end] == ev.text and ev.text.strip()


def test_evasion_by_spacing_and_homoglyphs_scores_like_the_clean_text(cascade):
    clean, dirty = cascade.score(["kill yourself", "k i l l  y o u r s e l f"])
    assert abs(clean.scores["self-harm"] - dirty.scores["self-harm"]) < 0.15


def test_language_is_identified_on_every_text(cascade):
    sigs = cascade.classify(["das ist ein ganz normaler Satz über das Wetter", "this is plain english"])
    assert [s.meta["lang"] for s in sigs] == ["de", "en"]


def test_disguised_letters_do_not_change_the_detected_language(cascade):
    # Fullwidth and small-caps letters read as Kannada or Chinese to the raw-text model;
    # the detected language decides which blend (English encoder or not) a text gets.
    sigs = cascade.classify(["\uff59\uff4f\uff55 \uff41\uff52\uff45 \uff41\uff4e \uff49\uff44\uff49\uff4f\uff54",
                             "\u028f\u1d0f\u1d1c \u1d00\u0280\u1d07 \u1d00\u0274 \u026a\u1d05\u026a\u1d0f\u1d1b"])
    assert [s.meta["lang"] for s in sigs] == ["en", "en"]


def test_caller_language_hint_wins_over_detection(cascade):
    (sig,) = cascade.classify(["ok"], ["pt"])
    assert sig.meta["lang"] == "pt"


def test_unknown_tier_is_refused(small_model_dir):
    with pytest.raises(ValueError, match="unknown tier"):
        TextCascade(TextModel.load(small_model_dir), tier="turbo")
