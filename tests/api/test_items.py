"""Native endpoints: items decided and stored, idempotent retries, jobs, records, policies, webhooks."""

import time

import pytest
from images import png_data_url  # noqa: E402


def post_item(client, key=None, **item):
    item.setdefault("id", "c1")
    headers = {"Idempotency-Key": key} if key else {}
    return client.post("/v1/items", json=item, headers=headers)


def test_item_is_decided_stored_and_explained(client):
    r = post_item(client, text="[hate=0.99] x", author_id="u1", lang="en")
    d = r.json()
    assert r.status_code == 200 and d["action"] == "remove_with_strike" and d["id"]
    stored = client.get(f"/v1/decisions/{d['id']}").json()
    assert stored["signals"][0]["source"] == "fake.text.v1" and stored["policy_version"].startswith("default-")
    assert stored["models"] == ["fake.text.v1"] and "hate_remove" in stored["rules"]
    text = client.get(f"/v1/decisions/{d['id']}/explain?format=text").text
    assert "item c1: remove_with_strike" in text and 'score("hate") = 0.99' in text


def test_retried_request_returns_the_first_decision_and_one_strike(client):
    a = post_item(client, key="retry-1", text="[hate=0.99]", author_id="u1")
    b = post_item(client, key="retry-1", text="[hate=0.99]", author_id="u1")
    assert a.json()["id"] == b.json()["id"] and b.headers["Idempotent-Replayed"] == "true"
    ledger = client.get("/v1/authors/u1/strikes").json()
    assert ledger["active_strikes"] == 1 and len(ledger["ledger"]) == 1


def test_third_strike_suspends_and_the_ledger_shows_it(client):
    for n in range(3):
        post_item(client, id=f"c{n}", text="[harassment=0.99]", author_id="u7")
    ledger = client.get("/v1/authors/u7/strikes").json()
    assert ledger["status"] == "suspended" and ledger["active_strikes"] == 3


def test_enforcement_has_a_dsa_statement_and_exports_in_batches(client):
    d = post_item(client, text="[spam=0.9]").json()
    st = client.get(f"/v1/decisions/{d['id']}/statement").json()["statement"]
    assert st["decision_visibility"] == ["DECISION_VISIBILITY_CONTENT_DEMOTED"] and st["puid"] == d["id"]
    export = client.get("/v1/statements?limit=100").json()
    assert len(export["statements"]) == 1 and export["next"] is None
    assert client.get("/v1/statements?limit=101").status_code == 400


def test_borderline_item_waits_in_its_review_queue(client):
    post_item(client, text="[hate=0.7]", reach=10_000)
    queues = client.get("/v1/review/queues").json()["queues"]
    items = client.get("/v1/review/queues/hate").json()["items"]
    assert queues == [{"queue": "hate", "open": 1}] and items[0]["reach"] == 10_000


def test_image_item_by_data_url(client):
    d = post_item(client, image=png_data_url()).json()
    stored = client.get(f"/v1/decisions/{d['id']}").json()
    assert d["action"] == "allow" and stored["content"]["image"].startswith("data:sha256=")


def test_video_is_not_decided_inline_but_queued_as_a_job(client):
    r = client.post("/v1/items", json={"id": "v1", "video": "https://cdn.example.test/v.mp4"})
    assert r.status_code == 202 and r.headers["Location"].startswith("/v1/jobs/")
    job = client.get(r.headers["Location"]).json()
    assert job["status"] == "queued" and job["items"] == 1


def test_job_api_with_worker_thread_and_signed_callback_to_an_allowed_loopback_receiver(make_client):
    from receiver import Receiver

    from seawall.actions import webhooks
    from seawall.actions.targets import Targets

    receiver = Receiver()
    # Loopback receivers are refused unless explicitly allowed (SEAWALL_ALLOW_PRIVATE_CALLBACKS=1).
    client = make_client(run_worker=True, targets=Targets(allow_private=True))
    try:
        with client:  # runs the lifespan: the in-process worker starts
            r = client.post("/v1/jobs", json={"items": [{"id": "a", "text": "[scam=0.99]"}, {"id": "b", "text": "ok"}],
                                              "callback_url": receiver.url()},
                            headers={"Idempotency-Key": "batch-1"})
            job = r.json()
            assert r.status_code == 202 and job["callback_secret"].startswith("whsec_")
            again = client.post("/v1/jobs", json={"items": [{"id": "a", "text": "x"}]},
                                headers={"Idempotency-Key": "batch-1"})
            assert again.status_code == 200 and again.json()["id"] == job["id"]
            assert "callback_secret" not in again.json()
            deadline = time.monotonic() + 20
            while (status := client.get(f"/v1/jobs/{job['id']}").json())["status"] != "done":
                assert time.monotonic() < deadline
                time.sleep(0.05)
            assert receiver.arrived.wait(20)
    finally:
        receiver.close()
    assert [i["action"] for i in status["result"]["items"]] == ["remove_with_strike", "allow"]
    [(headers, body)] = receiver.got
    assert webhooks.verify(job["callback_secret"], headers["Seawall-Signature"], body)
    assert b'"job.completed"' in body


@pytest.mark.parametrize("url, why", [
    ("http://127.0.0.1:9/cb", "127.0.0.1, a non-public address"),
    ("http://[::ffff:10.0.0.1]/cb", "non-public address"),
    ("http://169.254.169.254/latest/meta-data", "non-public address"),
    ("http://inside.test/cb", "10.0.0.7, a non-public address"),
    ("http://nowhere.test/cb", "cannot resolve host"),
    ("http://user:pw@platform.test/cb", "credentials"),
])
def test_callback_and_webhook_urls_that_point_inside_are_refused_when_given(client, url, why):
    job = client.post("/v1/jobs", json={"items": [{"id": "a", "text": "ok"}], "callback_url": url})
    hook = client.post("/v1/webhooks", json={"url": url})
    for r in (job, hook):
        assert r.status_code == 400 and r.json()["error"]["code"] == "callback_refused"
        assert why in r.json()["error"]["message"]
    assert client.get("/v1/webhooks").json()["webhooks"] == []


def test_policy_upload_activate_shadow_and_report(client):
    bad = client.post("/v1/policies", json={"source": 'policy(version="x", default=allow, on_missing="ignore")\n'
                                                      'r = rule(when=score("hat") > 1, then=remove)\n'})
    err = bad.json()["error"]
    assert bad.status_code == 422 and err["details"][0]["line"] == 2 and err["details"][0]["column"] == 21
    strict = 'policy(version="strict-1", default=allow, on_missing="ignore")\nr = rule(when=score("spam") > 0.1, then=remove)\n'
    assert client.post("/v1/policies", json={"source": strict, "shadow": True}).status_code == 201
    post_item(client, text="[spam=0.3]")
    report = client.get("/v1/policies/strict-1/shadow-report").json()
    assert report["total"] == 1 and report["matrix"] == [{"live": "allow", "candidate": "remove", "count": 1}]
    assert client.post("/v1/policies/strict-1:activate").json()["status"] == "live"
    assert post_item(client, id="c2", text="[spam=0.3]").json()["action"] == "remove"
    listing = client.get("/v1/policies").json()
    assert listing["live"] == "strict-1" and listing["versions"][0]["version"] == "strict-1"


def test_webhook_registration_and_queued_deliveries(client):
    hook = client.post("/v1/webhooks", json={"url": "http://platform.test/hook", "events": ["remove_with_strike"]})
    assert hook.status_code == 201 and hook.json()["secret"].startswith("whsec_")
    post_item(client, text="[hate=0.99]", author_id="u1")
    deliveries = client.get(f"/v1/webhooks/{hook.json()['id']}/deliveries").json()["deliveries"]
    assert len(deliveries) == 1 and deliveries[0]["event"] == "decision.remove_with_strike"


def test_health_metrics_and_openapi(client):
    post_item(client, text="hi")
    assert client.get("/healthz").json() == {"status": "ok", "database": True}
    metrics = client.get("/metrics").text
    assert 'seawall_http_requests_total{method="POST",route="/v1/items",status="200"} 1.0' in metrics
    assert 'seawall_decisions_total{action="allow",endpoint="items"} 1.0' in metrics
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/v1/moderations", "/v1alpha1/comments:analyze", "/v1/items", "/v1/jobs"} <= set(paths)
    assert client.get("/docs").status_code == 200


def test_slow_synchronous_moderation_answers_503_within_the_budget(make_client):
    from seawall.api.testing import slow_moderate

    client = make_client(moderate=slow_moderate(1.0), sync_budget_s=0.2)
    started = time.monotonic()
    r = client.post("/v1/moderations", json={"input": "x"})
    assert r.status_code == 503 and r.json()["error"]["code"] == "over_budget"
    assert time.monotonic() - started < 0.9
