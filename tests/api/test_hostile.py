"""Hostile requests get clear 4xx errors and leave nothing stored."""

import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from seawall.api import media
from seawall.content.fetch import Fetcher, system_resolver

from images import png_bytes  # noqa: E402


@pytest.fixture
def stored(client):
    def count():
        return len(client.get("/v1/decisions?limit=500").json()["decisions"])
    yield count
    assert count() == 0, "a refused request stored a decision"


def error(r):
    return r.status_code, r.json()["error"]["code"]


def test_oversized_body_is_413_before_parsing(make_client, stored):
    client = make_client(max_body_bytes=10_000)
    r = client.post("/v1/items", content=b'{"id": "a", "text": "' + b"x" * 20_000 + b'"}',
                    headers={"Content-Type": "application/json"})
    assert error(r) == (413, "too_large")


def test_lying_content_length_cannot_smuggle_a_big_body(make_client):
    client = make_client(max_body_bytes=1000)
    def chunks():
        for _ in range(10):
            yield b"x" * 500
    r = client.post("/v1/items", content=chunks(), headers={"Content-Type": "application/json"})
    assert r.status_code == 413


def test_deeply_nested_json_is_400(client, stored):
    body = '{"id": "a", "text": "x", "meta": ' + '{"a": ' * 200 + "1" + "}" * 200 + "}"
    r = client.post("/v1/items", content=body, headers={"Content-Type": "application/json"})
    assert error(r) == (400, "too_deep")


def test_brackets_inside_strings_do_not_count_as_depth(client):
    r = client.post("/v1/moderations", json={"input": "[" * 500 + "]" * 500})
    assert r.status_code == 200


@pytest.mark.parametrize("body, field", [
    ({"id": "a", "text": 42}, "text"),
    ({"id": ["a"], "text": "x"}, "id"),
    ({"id": "a", "text": "x", "reach": -5}, "reach"),
    ({"id": "a", "text": "x", "author": {"strikes": 0}}, "author.strikes"),
    ({"id": "a", "text": "x", "is_admin": True}, "is_admin"),
    ({"text": "x"}, "id"),
    ({"id": "a"}, "body"),
])
def test_wrong_types_and_unknown_keys_are_400_naming_the_field(client, stored, body, field):
    r = client.post("/v1/items", json=body)
    assert r.status_code == 400
    assert r.json()["error"]["details"][0]["field"] == field if field != "body" else True


def test_malformed_json_is_400(client, stored):
    r = client.post("/v1/items", content=b'{"id": "a", "text": ', headers={"Content-Type": "application/json"})
    assert error(r) == (400, "invalid_json")


def test_unknown_keys_in_compat_requests_are_400(client):
    assert client.post("/v1/moderations", json={"input": "x", "inputs": "y"}).status_code == 400
    r = client.post("/v1alpha1/comments:analyze", json={"comment": {"text": "x"},
                                                        "requestedAttributes": {"TOXICITY": {}}, "evil": 1})
    assert r.status_code == 400 and r.json()["error"]["status"] == "INVALID_ARGUMENT"


def test_local_paths_are_never_read(client, stored):
    r = client.post("/v1/items", json={"id": "a", "image": "/etc/passwd"})
    assert r.status_code == 400 and "local paths are refused" in r.json()["error"]["message"]
    r = client.post("/v1/moderations", json={"input": [{"type": "image_url", "image_url": {"url": "file:///etc/passwd"}}]})
    assert error(r) == (400, "fetch_refused")


@pytest.mark.parametrize("url", [
    "http://127.0.0.1/x.png", "http://localhost:8080/x.png", "http://[::1]/x.png", "http://10.0.0.7/x.png",
    "http://169.254.169.254/latest/meta-data", "http://192.168.1.1/x.png", "http://[::ffff:127.0.0.1]/x.png",
    "http://0.0.0.0/x.png",
])
def test_image_urls_at_private_or_loopback_addresses_are_refused(client, stored, url):
    r = client.post("/v1/items", json={"id": "a", "image": url})
    assert error(r) == (400, "fetch_refused")
    r = client.post("/v1/moderations", json={"input": [{"type": "image_url", "image_url": {"url": url}}]})
    assert error(r) == (400, "fetch_refused") and r.json()["error"]["type"] == "invalid_request_error"


@pytest.mark.parametrize("url, status", [
    ("data:text/plain;base64,aGVsbG8=", 415),
    ("data:image/png;base64,not base64!!", 400),
    ("data:image/png,rawbytes", 400),
    ("data:image/png;base64," + "A" * 40, 415),  # decodes, but is not a PNG
])
def test_bad_data_urls_are_refused(client, stored, url, status):
    assert client.post("/v1/items", json={"id": "a", "image": url}).status_code == status


class _Site:
    """A 'public' site played by 127.0.0.2 (the fetcher is told only it is public)."""

    def __init__(self):
        outer = self
        self.hits = []

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                outer.hits.append(self.path)
                if self.path == "/redirect":
                    self.send_response(302)
                    self.send_header("Location", f"http://127.0.0.1:{outer.port}/secret.png")
                    self.end_headers()
                    return
                body = png_bytes()
                self.send_response(200)
                self.send_header("Content-Type", "image/png")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = HTTPServer(("127.0.0.2", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def public_site(monkeypatch):
    site = _Site()
    resolver = lambda host, port: ["127.0.0.2"] if host == "public.test" else system_resolver(host, port)  # noqa: E731
    fetcher = Fetcher(resolver=resolver, address_allowed=lambda ip: str(ip) == "127.0.0.2", allowed_ports=None,
                      timeout_s=5)
    monkeypatch.setattr(media.CONFIG, "fetcher", fetcher)
    yield site
    site.close()


def test_image_url_on_a_public_host_is_fetched(client, public_site):
    r = client.post("/v1/moderations", json={"input": [
        {"type": "image_url", "image_url": {"url": f"http://public.test:{public_site.port}/cat.png"}}]})
    assert r.status_code == 200 and public_site.hits == ["/cat.png"]


def test_redirect_to_loopback_is_refused(client, public_site, stored):
    url = f"http://public.test:{public_site.port}/redirect"
    r = client.post("/v1/items", json={"id": "a", "image": url})
    assert error(r) == (400, "fetch_refused") and "127.0.0.1" in r.json()["error"]["message"]
    assert public_site.hits == ["/redirect"]  # the loopback target was never requested


def test_a_caller_cannot_point_review_at_files_or_kept_media_through_meta(client):
    sneaky = {"sources": {"image": "/etc/hosts"}, "kept": {"image": {"sha256": "0" * 64}}, "campaign": "x"}
    d = client.post("/v1/items", json={"id": "m1", "text": "[hate=0.8] hi", "meta": sneaky}).json()
    assert d["action"] == "review"
    content = client.get(f"/v1/decisions/{d['id']}").json()["content"]
    assert "image" not in content and "kept" not in content and content["meta"] == {"campaign": "x"}
