"""The shipped text model's fast tier on texts written for these tests (none is in the seed corpus).

Behaviour the model must keep across retrains: swearing is caught in languages that no
licensed public set covers, and the script a text is written in is not itself a signal.
"""

from __future__ import annotations

import numpy as np
import pytest

from seawall.signals.text import model_dir
from seawall.signals.text.model import TextModel, model_view
from seawall.training.corpus import load_seed

SWEARING = [
    "ये मादरचोद नेटवर्क फिर से बंद हो गया",
    "kya chutiyapa hai ye form bharna",
    "So eine Scheiße, mein Fahrrad ist schon wieder platt",
    "what the fuck happened to the wifi",
    "Putain de bouchons, encore une heure de route",
    "otra vez la puta lluvia justo cuando salgo",
]
CLEAN = [
    "आज शाम को बारिश होने की संभावना है, छाता साथ रखें",
    "कल भारत और ऑस्ट्रेलिया का मैच है, सब लोग तैयार रहना",
    "bhai kal class kitne baje hai?",
    "Morgen fahren wir mit dem Zug nach Essen",
    "the cocktail menu at the new place in Scunthorpe is great",
]


@pytest.fixture(scope="module")
def fast():
    model = TextModel.load(model_dir())  # the packaged model unless SEAWALL_TEXT_MODEL says otherwise
    j = model.heads.index("profanity")
    t = model.thresholds["profanity"]

    def score(texts):
        X = model.features.transform([model_view(x).text for x in texts])
        return model.fast_scores(model.fast_logits(X))[:, j], t
    return score


def test_probe_texts_are_not_training_text():
    seen = {e.text for e in load_seed()}
    assert not (set(SWEARING) | set(CLEAN)) & seen


def test_swearing_is_caught_in_languages_without_public_data(fast):
    p, t = fast(SWEARING)
    assert (p >= t).sum() >= len(SWEARING) - 1, dict(zip(SWEARING, np.round(p, 3)))


def test_clean_text_in_the_same_scripts_is_not_profanity(fast):
    p, t = fast(CLEAN)
    assert (p < t).all(), dict(zip(CLEAN, np.round(p, 3)))
