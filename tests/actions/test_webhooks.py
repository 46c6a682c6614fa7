"""Webhooks: signed, retried with backoff, every attempt recorded; a receiver that was down catches up."""

import json
import socket
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from seawall.actions import webhooks
from seawall.actions.targets import TargetRefused, Targets, fixed_resolver
from seawall.storage.columns import utcnow

# Receivers named in these tests resolve without DNS; the public address is never reached
# (a MockTransport answers) unless a test says otherwise.
PUBLIC = Targets(resolver=fixed_resolver({"receiver.test": ["93.184.215.14"], "a.test": ["93.184.215.14"],
                                          "b.test": ["93.184.215.15"]}))


class Receiver:
    """A real HTTP receiver on loopback that records what it got and can be started late."""

    def __init__(self, port: int, secret: str):
        self.port, self.secret, self.got, self.server = port, secret, [], None
        self.hosts = []

    def start(self):
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                ok = webhooks.verify(outer.secret, self.headers[webhooks.SIGNATURE_HEADER], body)
                outer.got.append((self.headers["Seawall-Delivery"], json.loads(body), ok))
                outer.hosts.append(self.headers["Host"])
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
def test_a_receiver_that_is_down_gets_its_delivery_later(db, monkeypatch):
    monkeypatch.setenv("SEAWALL_ALLOW_PRIVATE_CALLBACKS", "1")  # the receiver is on loopback
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
        webhooks.register(s, "http://receiver.test/hook", targets=PUBLIC)
        webhooks.enqueue_event(s, "decision.ban", "d9", {})
    clock["now"] = utcnow()
    deliverer = webhooks.Deliverer(db.session, client=client, max_attempts=3, clock=lambda: clock["now"],
                                   targets=PUBLIC)
    for _ in range(5):
        deliverer.run_due()
        clock["now"] += timedelta(days=1)
    with db.session() as s:
        [d] = webhooks.deliveries(s)
        assert (d.status, d.attempts, d.last_status) == ("failed", 3, 500)


def test_subscriptions_filter_by_action(db):
    with db.session() as s:
        webhooks.register(s, "http://a.test/", events=["ban"], targets=PUBLIC)
        webhooks.register(s, "http://b.test/", events=["*"], targets=PUBLIC)
        out = webhooks.enqueue_event(s, "decision.remove", "d", {}, action="remove")
        assert [d.url for d in out] == ["http://b.test/"]


def test_loopback_receivers_are_refused_unless_private_callbacks_are_allowed(db, monkeypatch):
    monkeypatch.delenv("SEAWALL_ALLOW_PRIVATE_CALLBACKS", raising=False)
    with db.session() as s, pytest.raises(TargetRefused, match="non-public"):
        webhooks.register(s, "http://127.0.0.1:8080/hook")
    monkeypatch.setenv("SEAWALL_ALLOW_PRIVATE_CALLBACKS", "1")
    with db.session() as s:
        assert webhooks.register(s, "http://127.0.0.1:8080/hook").id
        # Allowing private receivers never opens cloud metadata (link-local).
        with pytest.raises(TargetRefused, match="169.254.169.254"):
            webhooks.register(s, "http://169.254.169.254/latest/meta-data")


def test_a_host_whose_dns_turned_private_after_registration_is_not_reached(db):
    receiver = Receiver(free_port(), "unused")
    receiver.start()
    answers = {"hook.test": ["93.184.215.14"]}
    targets = Targets(resolver=lambda host, port: answers[host])
    clock = {"now": utcnow()}
    try:
        with db.session() as s:
            webhooks.register(s, f"http://hook.test:{receiver.port}/hook", targets=targets)
            webhooks.enqueue_event(s, "decision.remove", "d1", {}, action="remove")
        answers["hook.test"] = ["127.0.0.1"]   # rebinding: the name now points at our own host
        clock["now"] = utcnow()
        deliverer = webhooks.Deliverer(db.session, clock=lambda: clock["now"], targets=targets)
        assert deliverer.run_due() == 0
    finally:
        receiver.stop()
    assert receiver.got == []
    with db.session() as s:
        [d] = webhooks.deliveries(s)
        [attempt] = webhooks.attempts_of(s, d.id)
        assert d.status == "pending" and attempt.status_code is None
        assert attempt.error.startswith("refused:") and "127.0.0.1" in attempt.error


def test_delivery_connects_to_the_checked_address_and_names_the_host(db):
    receiver = Receiver(free_port(), "s" * 20)
    receiver.start()
    # The name resolves to loopback once, when checked; the request goes there with Host intact.
    targets = Targets(allow_private=True, resolver=fixed_resolver({"receiver.test": ["127.0.0.1"]}))
    try:
        with db.session() as s:
            webhooks.register(s, f"http://receiver.test:{receiver.port}/hook", secret="s" * 20, targets=targets)
            webhooks.enqueue_event(s, "decision.ban", "d2", {"x": 2}, action="ban")
        assert webhooks.Deliverer(db.session, targets=targets).run_due() == 1
    finally:
        receiver.stop()
    [(_, body, signature_ok)] = receiver.got
    assert signature_ok and body["data"] == {"x": 2}
    assert receiver.hosts == [f"receiver.test:{receiver.port}"]
