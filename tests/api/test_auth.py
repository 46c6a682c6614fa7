"""API keys: parsing, scopes, per-key rate limits, and the ways clients present them."""

import hashlib

import pytest

from seawall.api.auth import KeyRing, RateLimited, parse_keys

SECRET = "sk_test_0123456789"


def test_key_format_with_scopes_rate_and_hashed_secret():
    digest = hashlib.sha256(b"sk_ops_abcdefghijk").hexdigest()
    keys = parse_keys(f"ingest:{SECRET}:moderate,jobs:50/s; ops:sha256={digest}:*\n reader:sk_read_0123456789:read")
    assert [k.name for k in keys] == ["ingest", "ops", "reader"]
    assert keys[0].scopes == {"moderate", "jobs"} and keys[0].rate == 50 and keys[0].burst == 50
    assert keys[1].allows("policies") and KeyRing(keys).identify("sk_ops_abcdefghijk").name == "ops"


@pytest.mark.parametrize("text, message", [
    ("nosecret", "NAME:SECRET:SCOPES"),
    ("a:short:read", r"12\+ characters"),
    (f"a:{SECRET}:rule-the-world", "unknown scope"),
    (f"a:{SECRET}:read:5/fortnight", "N/s, N/m or N/h"),
    (f"a:{SECRET}:read;a:{SECRET}x:read", "appears twice"),
])
def test_malformed_keys_fail_loudly(text, message):
    with pytest.raises(ValueError, match=message):
        parse_keys(text)


def test_rate_limit_refills_over_time():
    [key] = parse_keys(f"a:{SECRET}:read:2/s")
    ring = KeyRing([key])
    ring.charge(key, now=0.0)
    ring.charge(key, now=0.0)
    with pytest.raises(RateLimited) as exc:
        ring.charge(key, now=0.0)
    assert exc.value.retry_after == pytest.approx(0.5)
    ring.charge(key, now=0.6)


@pytest.fixture
def keyed(make_client):
    return make_client(keys=parse_keys(f"mod:{SECRET}:moderate:3/m;reader:sk_read_0123456789:read"))


def test_missing_or_unknown_key_is_401(keyed):
    assert keyed.post("/v1/moderations", json={"input": "x"}).status_code == 401
    r = keyed.post("/v1/moderations", json={"input": "x"}, headers={"Authorization": "Bearer nope-nope-nope"})
    assert r.status_code == 401 and r.json()["error"]["type"] == "authentication_error"


def test_key_without_the_scope_is_403(keyed):
    r = keyed.post("/v1/items", json={"id": "a", "text": "x"}, headers={"X-API-Key": "sk_read_0123456789"})
    assert r.status_code == 403 and "moderate" in r.json()["error"]["message"]


def test_perspective_clients_pass_the_key_as_a_query_parameter(keyed):
    r = keyed.post(f"/v1alpha1/comments:analyze?key={SECRET}",
                   json={"comment": {"text": "hi"}, "requestedAttributes": {"TOXICITY": {}}})
    assert r.status_code == 200


def test_rate_limited_key_gets_429_with_retry_after(keyed):
    headers = {"Authorization": f"Bearer {SECRET}"}
    codes = [keyed.post("/v1/moderations", json={"input": "x"}, headers=headers).status_code for _ in range(4)]
    last = keyed.post("/v1/moderations", json={"input": "x"}, headers=headers)
    assert codes[:3] == [200, 200, 200] and last.status_code == 429 and int(last.headers["Retry-After"]) >= 1


def test_health_needs_no_key(keyed):
    assert keyed.get("/healthz").status_code == 200
