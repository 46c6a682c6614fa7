"""`POST /v1/moderations`: the official openai client gets well-formed results for text and images."""

import openai
import pytest

from seawall import taxonomy

from images import png_data_url  # noqa: E402  (tests/api is on sys.path under pytest)


@pytest.fixture
def oai(live_server):
    return openai.OpenAI(base_url=f"{live_server}/v1", api_key="unused-on-loopback", max_retries=0)


def test_openai_client_moderates_text(oai):
    resp = oai.moderations.create(model="omni-moderation-latest", input="[hate=0.97] some words")
    [result] = resp.results
    assert resp.id.startswith("modr-") and resp.model
    assert result.flagged is True and result.categories.hate is True
    assert result.category_scores.hate == pytest.approx(0.97)
    assert result.categories.harassment_threatening is False
    assert result.category_applied_input_types.hate == ["text"]
    assert result.category_applied_input_types.sexual == ["text"]


def test_openai_client_moderates_a_list_of_strings(oai):
    resp = oai.moderations.create(input=["fine", "[violence=0.9] not fine"])
    assert [r.flagged for r in resp.results] == [False, True]


def test_openai_client_moderates_an_image_and_text(oai):
    resp = oai.moderations.create(model="omni-moderation-latest", input=[
        {"type": "text", "text": "look"},
        {"type": "image_url", "image_url": {"url": png_data_url()}},
    ])
    [result] = resp.results
    applied = result.category_applied_input_types
    assert applied.sexual == ["text", "image"] and applied.hate == ["text"]
    assert applied.violence_graphic == ["text", "image"]
    assert result.flagged is False


def test_image_only_input_applies_no_text_categories(client):
    body = client.post("/v1/moderations", json={"input": [
        {"type": "image_url", "image_url": {"url": png_data_url()}}]}).json()
    applied = body["results"][0]["category_applied_input_types"]
    assert applied["hate"] == [] and applied["self-harm"] == ["image"]


def test_response_has_exactly_the_openai_shape(client):
    body = client.post("/v1/moderations", json={"input": "hello"}).json()
    assert set(body) == {"id", "model", "results"}
    [r] = body["results"]
    assert set(r) == {"flagged", "categories", "category_scores", "category_applied_input_types"}
    for key in ("categories", "category_scores", "category_applied_input_types"):
        assert list(r[key]) == list(taxonomy.OPENAI_NAMES)


def test_openai_client_sees_errors_as_bad_requests(oai):
    with pytest.raises(openai.BadRequestError) as exc:
        oai.moderations.create(input=[])
    assert "empty" in str(exc.value)


def test_nothing_is_stored_by_the_compat_endpoint(client):
    client.post("/v1/moderations", json={"input": "[hate=0.99]"})
    assert client.get("/v1/decisions").json()["decisions"] == []
