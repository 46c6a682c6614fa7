"""`seawall serve`: refuses open non-loopback addresses, warns on loopback, reads keys."""

import logging

import pytest

from seawall.cli import serve
from seawall.cli.main import main


@pytest.mark.parametrize("host, loopback", [
    ("127.0.0.1", True), ("localhost", True), ("::1", True), ("127.0.0.5", True),
    ("0.0.0.0", False), ("::", False), ("10.1.2.3", False), ("[::1]", True),
])
def test_loopback_detection(host, loopback):
    assert serve.is_loopback(host) is loopback


def test_refuses_a_public_address_without_keys(capsys):
    assert main(["serve", "--host", "0.0.0.0"]) == 1
    assert "refusing to listen on 0.0.0.0 without API keys" in capsys.readouterr().err


def test_loopback_without_keys_warns_and_serves(monkeypatch, caplog):
    ran = {}
    monkeypatch.setattr("uvicorn.run", lambda app, **kw: ran.update(kw))
    with caplog.at_level(logging.WARNING, logger="seawall.serve"):
        assert main(["serve", "--port", "8123", "--no-worker"]) == 0
    assert ran["host"] == "127.0.0.1" and ran["port"] == 8123
    assert "no API keys configured" in caplog.text


def test_public_address_with_keys_is_allowed(monkeypatch):
    ran = {}
    monkeypatch.setenv("SEAWALL_API_KEYS", "ops:sk_ops_0123456789:*")
    monkeypatch.setattr("uvicorn.run", lambda app, **kw: ran.update(kw))
    assert main(["serve", "--host", "0.0.0.0", "--no-worker"]) == 0 and ran["host"] == "0.0.0.0"


def test_malformed_keys_stop_the_server(monkeypatch, capsys):
    monkeypatch.setenv("SEAWALL_API_KEYS", "broken")
    assert main(["serve"]) == 1 and "NAME:SECRET:SCOPES" in capsys.readouterr().err
