"""The API over the real flow and text classifier (skipped until the packaged model exists)."""

import pytest


def _model_ready() -> bool:
    try:
        from seawall.signals.text import model_dir
    except ImportError:
        return False
    d = model_dir()
    return d.is_dir() and any(d.iterdir())


@pytest.mark.slow
@pytest.mark.skipif(not _model_ready(), reason="no trained text model (run `seawall train`)")
def test_real_classifier_through_the_openai_shape(make_client, monkeypatch):
    from seawall.policy import thresholds

    monkeypatch.undo()  # use the classifier's own thresholds
    thresholds.reset()
    client = make_client(moderate=None)
    body = client.post("/v1/moderations", json={"input": ["have a lovely day", "I will kill you, you idiot"]}).json()
    calm, hostile = body["results"]
    assert calm["flagged"] is False
    assert hostile["category_scores"]["harassment"] > calm["category_scores"]["harassment"]
    d = client.post("/v1/items", json={"id": "r1", "text": "I will kill you, you idiot", "author_id": "u"}).json()
    assert d["action"] != "allow" and d["models"]
