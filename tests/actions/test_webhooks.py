"""Webhooks: signed, retried with backoff, every attempt recorded; a receiver that was down catches up."""

import json
import socket
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from seawall.actions import webhooks
from seawall.storage.columns import utcnow


class Receiver:
    """A real HTTP receiver on loopback that records what it got and can be started late."""

    def __init__(self, port: int, secret: str):
        self.port, self.secret, self.got, self.server = port, secret, [], None

    def start(self):
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                ok = webhooks.verify(outer.secret, self.headers[webhooks.SIGNATURE_HEADER], body)
                outer.got.append((self.headers["Seawall-Delivery"], json.loads(body), ok))
                self.send_response(200 if ok else 401)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = HTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        if self.server:
            self.server.shutdown()
            self.server.server_close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_signature_verifies_and_rejects_tampering():
    body = b'{"a":1}'
    header = webhooks.sign("s3cret", body, timestamp=1_700_000_000)
    assert webhooks.verify("s3cret", header, body, now=1_700_000_010)
    assert not webhooks.verify("s3cret", header, b'{"a":2}', now=1_700_000_010)
    assert not webhooks.verify("other", header, body, now=1_700_000_010)
    assert not webhooks.verify("s3cret", header, body, now=1_700_009_999)  # stale


def test_backoff_grows_and_is_capped():
    delays = [webhooks.backoff(n) for n in range(1, 30)]
    assert delays[0] < delays[3] < delays[6] and max(delays) <= webhooks.MAX_DELAY_S * 1.2


@pytest.mark.slow
def test_a_receiver_that_is_down_gets_its_delivery_later(db):
    port = free_port()
    clock = {"now": utcnow()}
    with db.session() as s:
        hook = webhooks.register(s, f"http://127.0.0.1:{port}/hook", events=["remove"])
        secret = hook.secret
        webhooks.enqueue_event(s, "decision.remove", "d1", {"x": 1}, action="remove")
        webhooks.enqueue_event(s, "decision.remove", "d1", {"x": 1}, action="remove")  # a retry: no copy
    clock["now"] = utcnow()
    deliverer = webhooks.Deliverer(db.session, clock=lambda: clock["now"])
    assert deliverer.run_due() == 0                      # receiver down: connection refused
    assert deliverer.run_due() == 0                      # not due again yet
    receiver = Receiver(port, secret)
    receiver.start()
    try:
        clock["now"] += timedelta(hours=1)
        assert deliverer.run_due() == 1
    finally:
        receiver.stop()
    [(delivery_key, body, signature_ok)] = receiver.got
    assert signature_ok and body["data"] == {"x": 1} and body["event"] == "decision.remove"
    with db.session() as s:
        [d] = webhooks.deliveries(s)
        history = webhooks.attempts_of(s, d.id)
        assert d.status == "delivered" and d.attempts == 2 and d.dedupe_key == delivery_key
        assert history[0].status_code is None and "Connect" in history[0].error
        assert history[1].status_code == 200


def test_delivery_gives_up_after_max_attempts(db):
    import httpx

    client = httpx.Client(transport=httpx.MockTransport(lambda r: httpx.Response(500)))
    clock = {"now": utcnow()}
    with db.session() as s:
        webhooks.register(s, "http://receiver.test/hook")
        webhooks.enqueue_event(s, "decision.ban", "d9", {})
    clock["now"] = utcnow()
    deliverer = webhooks.Deliverer(db.session, client=client, max_attempts=3, clock=lambda: clock["now"])
    for _ in range(5):
        deliverer.run_due()
        clock["now"] += timedelta(days=1)
    with db.session() as s:
        [d] = webhooks.deliveries(s)
        assert (d.status, d.attempts, d.last_status) == ("failed", 3, 500)


def test_subscriptions_filter_by_action(db):
    with db.session() as s:
        webhooks.register(s, "http://a.test/", events=["ban"])
        webhooks.register(s, "http://b.test/", events=["*"])
        out = webhooks.enqueue_event(s, "decision.remove", "d", {}, action="remove")
        assert [d.url for d in out] == ["http://b.test/"]
