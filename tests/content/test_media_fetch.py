"""URL fetching never reaches private addresses, and stops at its byte and time limits.

Every server here listens on 127.0.0.1 and is reached only through a Fetcher whose address
policy allows exactly that address; refusals happen before any connection is made.
"""

import http.server
import io
import ipaddress
import threading
import time

import pytest

from seawall.content.fetch import Fetcher, public_address
from seawall.content.limits import MediaLimits
from seawall.content.load import open_media
from seawall.errors import FetchRefused
from tests.fixtures.media import text_image


@pytest.mark.parametrize("addr", [
    "127.0.0.1", "127.1.2.3", "10.0.0.1", "172.16.5.4", "192.168.1.1", "169.254.169.254",
    "100.64.0.1", "0.0.0.0", "224.0.0.1", "240.0.0.1", "255.255.255.255", "192.0.2.1",
    "198.18.0.1", "::1", "::", "fe80::1", "fc00::1", "fd12:3456::1", "ff02::1",
    "::ffff:127.0.0.1", "::ffff:10.0.0.1", "::ffff:169.254.169.254", "::127.0.0.1",
    "2002:7f00:1::1", "2002:a00:1::1", "64:ff9b::7f00:1", "64:ff9b::a00:1", "64:ff9b:1::1",
    "2001:db8::1", "2001:0:4136:e378:8000:63bf:80ff:fffe",
])
def test_internal_addresses_are_not_public(addr):
    assert not public_address(ipaddress.ip_address(addr))


@pytest.mark.parametrize("addr", ["93.184.215.14", "8.8.8.8", "2606:4700:4700::1111",
                                  "::ffff:8.8.8.8", "2002:808:808::1"])
def test_global_addresses_are_public(addr):
    assert public_address(ipaddress.ip_address(addr))


def refuse_fetch(url, resolver=None, **kw):
    fetcher = Fetcher(resolver=resolver) if resolver else Fetcher()
    with pytest.raises(FetchRefused) as info:
        fetcher.fetch(url, io.BytesIO(), max_bytes=1000, **kw)
    return str(info.value)


@pytest.mark.parametrize("url", [
    "http://127.0.0.1/a.png", "http://localhost/a.png", "http://[::1]/a.png",
    "http://[::ffff:127.0.0.1]/a.png", "http://169.254.169.254/latest/meta-data/",
    "http://2130706433/a.png", "http://0x7f.1/a.png", "http://10.1.2.3/a.png",
    "https://192.168.0.10/a.png", "http://0/a.png",
])
def test_fetch_refuses_loopback_private_and_metadata_addresses(url):
    assert "non-public address" in refuse_fetch(url)


def test_a_name_resolving_inside_is_refused():
    msg = refuse_fetch("http://cdn.example/a.png", resolver=lambda h, p: ["10.0.0.7"])
    assert "10.0.0.7" in msg


def test_any_private_answer_among_public_ones_refuses_the_host():
    msg = refuse_fetch("http://cdn.example/a.png",
                       resolver=lambda h, p: ["93.184.215.14", "127.0.0.1"])
    assert "non-public" in msg


@pytest.mark.parametrize("url, why", [
    ("ftp://example.com/a.png", "only http and https"),
    ("http://user:pw@example.com/a.png", "credentials"),
    ("http://example.com:22/a.png", "port 22"),
    ("http:///a.png", "no host"),
])
def test_fetch_refuses_bad_urls(url, why):
    assert why in refuse_fetch(url, resolver=lambda h, p: ["93.184.215.14"])


# --- against a local server ---------------------------------------------------------------

PNG = text_image("hello", size=(120, 80))


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):
        port = self.server.server_address[1]
        routes = {
            "/ok.png": lambda: self._send(PNG),
            "/big": lambda: self._send(b"\x89PNG" + b"0" * 5000),
            "/big-unsized": lambda: self._send(b"0" * 5000, length=False),
            "/slow": self._slow,
            "/to-ok": lambda: self._redirect("/ok.png"),
            "/to-other-loopback": lambda: self._redirect(f"http://127.0.0.2:{port}/ok.png"),
            "/loop": lambda: self._redirect("/loop"),
            "/missing": lambda: self._send(b"nope", status=404),
        }
        routes.get(self.path, lambda: self._send(b"?", status=404))()

    def _send(self, body, status=200, length=True):
        self.send_response(status)
        if length:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _redirect(self, to):
        self.send_response(302)
        self.send_header("Location", to)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _slow(self):
        self.send_response(200)
        self.send_header("Content-Length", "1000")
        self.end_headers()
        try:
            for _ in range(100):  # one byte every 50 ms: each read is quick, the whole is not
                self.wfile.write(b"x")
                self.wfile.flush()
                time.sleep(0.05)
        except OSError:
            pass


@pytest.fixture(scope="module")
def server():
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{srv.server_address[1]}"
    srv.shutdown()
    srv.server_close()


def local_fetcher(timeout_s=5.0, **kw):
    only_here = ipaddress.ip_address("127.0.0.1")
    return Fetcher(timeout_s=timeout_s, allowed_ports=None,
                   address_allowed=lambda ip: ip == only_here, **kw)


def test_fetch_downloads_within_limits(server):
    out = io.BytesIO()
    got = local_fetcher().fetch(f"{server}/ok.png", out, max_bytes=100_000)
    assert out.getvalue() == PNG and got.size == len(PNG)


def test_redirects_are_followed_and_each_hop_is_checked(server):
    got = local_fetcher().fetch(f"{server}/to-ok", io.BytesIO(), max_bytes=100_000)
    assert got.url.endswith("/ok.png")
    with pytest.raises(FetchRefused, match="127.0.0.2"):
        local_fetcher().fetch(f"{server}/to-other-loopback", io.BytesIO(), max_bytes=100_000)


def test_redirect_loops_stop(server):
    with pytest.raises(FetchRefused, match="redirects"):
        local_fetcher().fetch(f"{server}/loop", io.BytesIO(), max_bytes=100_000)


@pytest.mark.parametrize("path", ["/big", "/big-unsized"])
def test_bodies_over_the_byte_limit_are_refused(server, path):
    with pytest.raises(FetchRefused, match="limit"):
        local_fetcher().fetch(f"{server}{path}", io.BytesIO(), max_bytes=1000)


def test_a_slow_drip_is_cut_at_the_deadline(server):
    started = time.perf_counter()
    with pytest.raises(FetchRefused, match="longer than the time limit"):
        local_fetcher(timeout_s=0.5).fetch(f"{server}/slow", io.BytesIO(), max_bytes=100_000)
    assert time.perf_counter() - started < 2.0


def test_http_errors_are_refusals(server):
    with pytest.raises(FetchRefused, match="HTTP 404"):
        local_fetcher().fetch(f"{server}/missing", io.BytesIO(), max_bytes=1000)


def test_open_media_fetches_a_url_to_a_temporary_file(server):
    with open_media(f"{server}/ok.png", "image", limits=MediaLimits(),
                    fetcher=local_fetcher()) as media:
        assert media.format == "png" and media.path.read_bytes() == PNG
        path = media.path
    assert not path.exists()


def test_open_media_applies_the_field_byte_limit_to_urls(server):
    with pytest.raises(FetchRefused, match="limit"):
        with open_media(f"{server}/ok.png", "image", limits=MediaLimits(image_max_bytes=100),
                        fetcher=local_fetcher()):
            pass
