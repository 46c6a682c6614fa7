"""`POST /v1alpha1/comments:analyze`: a Perspective-shaped request gets a Perspective-shaped answer."""

import pytest

URL = "/v1alpha1/comments:analyze"


def analyze(client, text, attrs=("TOXICITY",), **extra):
    body = {"comment": {"text": text}, "requestedAttributes": {a: {} for a in attrs}, **extra}
    return client.post(URL, json=body)


def test_answer_has_summary_and_span_scores(client):
    r = analyze(client, "[hate=0.9] you people", attrs=("TOXICITY", "IDENTITY_ATTACK", "SPAM"),
                languages=["en"], clientToken="tok-1")
    body = r.json()
    assert r.status_code == 200 and set(body) == {"attributeScores", "languages", "detectedLanguages",
                                                  "clientToken"}
    tox = body["attributeScores"]["TOXICITY"]
    assert tox["summaryScore"] == {"value": pytest.approx(0.9), "type": "PROBABILITY"}
    assert tox["spanScores"] == [{"begin": 0, "end": 21, "score": {"value": pytest.approx(0.9),
                                                                   "type": "PROBABILITY"}}]
    assert body["attributeScores"]["SPAM"]["summaryScore"]["value"] == 0.0
    assert body["clientToken"] == "tok-1" and body["languages"] == ["en"]


def test_span_annotations_score_each_sentence(client):
    body = analyze(client, "Lovely day. [harassment=1] You idiot.", spanAnnotations=True).json()
    spans = body["attributeScores"]["TOXICITY"]["spanScores"]
    assert [s["begin"] for s in spans] == [0, 12]
    assert spans[0]["score"]["value"] == 0.0 and spans[1]["score"]["value"] == 1.0


def test_score_threshold_omits_low_attributes(client):
    r = client.post(URL, json={"comment": {"text": "[hate=0.4]"},
                               "requestedAttributes": {"TOXICITY": {"scoreThreshold": 0.5},
                                                       "IDENTITY_ATTACK": {}}})
    assert set(r.json()["attributeScores"]) == {"IDENTITY_ATTACK"}


def test_experimental_attribute_names_map_to_the_base(client):
    body = analyze(client, "[hate/threatening=0.7]", attrs=("SEVERE_TOXICITY_EXPERIMENTAL",)).json()
    assert body["attributeScores"]["SEVERE_TOXICITY_EXPERIMENTAL"]["summaryScore"]["value"] == pytest.approx(0.7)


def test_unknown_attribute_is_a_google_style_error(client):
    r = analyze(client, "hi", attrs=("FLIRTATION",))
    err = r.json()["error"]
    assert r.status_code == 400 and err["status"] == "INVALID_ARGUMENT" and err["code"] == 400
    assert "FLIRTATION" in err["message"] and "TOXICITY" in err["message"]


def test_empty_comment_is_refused(client):
    assert analyze(client, "   ").status_code == 400


def test_html_comments_are_scored_without_tags(client):
    r = client.post(URL, json={"comment": {"text": "<b>[spam=0.9]</b>", "type": "HTML"},
                               "requestedAttributes": {"SPAM": {}}})
    assert r.json()["attributeScores"]["SPAM"]["summaryScore"]["value"] == pytest.approx(0.9)
