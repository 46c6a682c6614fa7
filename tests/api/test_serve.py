"""`seawall serve`: refuses open non-loopback addresses, warns on loopback, reads keys."""

import logging
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

import seawall

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


@pytest.mark.slow
def test_seawall_serve_serves_the_review_console_at_slash_console(monkeypatch):
    from seawall.console import manage

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "PYTHONPATH": str(Path(seawall.__file__).resolve().parents[1])}
    server = subprocess.Popen([sys.executable, "-m", "seawall", "serve", "--port", str(port), "--no-worker"],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None, server.stderr.read().decode()
            try:
                if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "seawall serve did not answer /healthz"
            time.sleep(0.2)
        # The server migrated the database under SEAWALL_HOME on start; add the first admin to it.
        monkeypatch.setenv("SEAWALL_CONSOLE_PASSWORD", "correct horse battery")
        assert manage.main(["add-user", "root", "--role", "admin", "--queues", "*"]) == 0
        with httpx.Client(base_url=base, follow_redirects=True, timeout=10) as http:
            login = http.get("/console")
            assert login.status_code == 200 and "<title>Sign in" in login.text
            assert [r.status_code for r in login.history][:1] == [307]
            token = re.search(r'name="login_token" value="([^"]+)"', login.text).group(1)
            home = http.post("/console/login", data={"login_token": token, "username": "root",
                                                     "password": "correct horse battery", "next": "/console/"})
            assert home.status_code == 200 and str(home.url) == f"{base}/console/"
            assert "<h1>Queues</h1>" in home.text and 'name="csrf"' in home.text and "root" in home.text
            assert http.get("/console/static/htmx.min.js").status_code == 200
    finally:
        server.terminate()
        server.wait(timeout=10)
