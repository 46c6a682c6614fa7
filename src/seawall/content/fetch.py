"""Fetch media by http(s) URL without letting a caller reach our own network (SSRF)."""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import BinaryIO
from urllib.parse import SplitResult, urljoin, urlsplit

from seawall.errors import FetchRefused

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], list[str]]

# IPv6 prefixes that embed an IPv4 address a gateway may forward to.
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_NAT64_LOCAL = ipaddress.ip_network("64:ff9b:1::/48")


def public_address(ip: IPAddress) -> bool:
    """True only for globally routable unicast addresses, looking through IPv4-in-IPv6 forms."""
    embedded = _embedded_ipv4(ip)
    if embedded is not None:
        return public_address(embedded)
    if ip.version == 6 and ip in _NAT64_LOCAL:
        return False
    return ip.is_global and not (ip.is_multicast or ip.is_private or ip.is_loopback
                                 or ip.is_link_local or ip.is_reserved or ip.is_unspecified
                                 or getattr(ip, "is_site_local", False))


def _embedded_ipv4(ip: IPAddress) -> ipaddress.IPv4Address | None:
    if ip.version != 6:
        return None
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    # IPv4-compatible (deprecated) ::a.b.c.d, e.g. ::127.0.0.1
    if int(ip) >> 32 == 0 and int(ip) > 1:
        return ipaddress.IPv4Address(int(ip))
    return None


def http_url(url: str, refused: type[Exception], verb: str) -> tuple[str, str, int, SplitResult]:
    """Scheme, host, port and parts of an http(s) URL without credentials, else `refused`.

    One rule for every URL our servers request on someone's behalf (media fetching,
    webhooks and job callbacks), so the two paths cannot drift apart. `verb` says what
    such URLs are for in the refusal ("are fetched", "receive callbacks").
    """
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise refused(f"malformed URL {url!r}: {exc}") from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise refused(f"only http and https URLs {verb}, not {scheme or 'none'}")
    if parts.username is not None or parts.password is not None:
        raise refused(f"URLs with credentials are refused (only http and https URLs without them {verb})")
    if not parts.hostname:
        raise refused(f"URL has no host: {url!r}")
    return scheme, parts.hostname, port or (443 if scheme == "https" else 80), parts


def system_resolver(host: str, port: int) -> list[str]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise FetchRefused(f"cannot resolve host {host!r}: {exc}") from None
    return list(dict.fromkeys(info[4][0] for info in infos))


@dataclass(frozen=True)
class Fetched:
    url: str            # the final URL, after redirects
    size: int
    content_type: str | None


class Fetcher:
    """Downloads one URL into a file under a byte limit and a wall-clock deadline.

    Every hop (the first URL and each redirect) is resolved once, each resolved address must
    pass `address_allowed`, and the connection goes to that checked address, so a DNS answer
    that changes between check and connect (rebinding) cannot reach a private host.
    """

    def __init__(self, *, timeout_s: float = 20.0, max_redirects: int = 3,
                 allowed_ports: Iterable[int] | None = (80, 443, 8080, 8443),
                 resolver: Resolver = system_resolver,
                 address_allowed: Callable[[IPAddress], bool] = public_address,
                 ssl_context: ssl.SSLContext | None = None,
                 user_agent: str = "seawall-media-fetch/1"):
        self.timeout_s = timeout_s
        self.max_redirects = max_redirects
        self.allowed_ports = None if allowed_ports is None else frozenset(allowed_ports)
        self.resolver = resolver
        self.address_allowed = address_allowed
        self.ssl_context = ssl_context or ssl.create_default_context()
        self.user_agent = user_agent

    def fetch(self, url: str, out: BinaryIO, *, max_bytes: int) -> Fetched:
        deadline = time.monotonic() + self.timeout_s
        for _ in range(self.max_redirects + 1):
            scheme, host, port, target = self._check_url(url)
            ip = self._checked_address(host, port)
            conn = self._connect(scheme, host, port, ip, deadline)
            watchdog = _Watchdog(conn, deadline)
            try:
                resp = self._request(conn, host, port, scheme, target, deadline)
                if resp.status in (301, 302, 303, 307, 308):
                    location = resp.getheader("Location")
                    if not location:
                        raise FetchRefused(f"redirect without a Location from {url}")
                    url = urljoin(url, location)
                    continue
                if resp.status != 200:
                    raise FetchRefused(f"{url} answered HTTP {resp.status}")
                size = self._read_body(resp, out, max_bytes, deadline, url)
                if watchdog.fired:  # the body "ended" because we cut the connection
                    raise FetchRefused(f"fetching {url} took longer than the time limit")
                return Fetched(url=url, size=size, content_type=resp.getheader("Content-Type"))
            except FetchRefused:
                if watchdog.fired:
                    raise FetchRefused(f"fetching {url} took longer than the time limit") from None
                raise
            finally:
                watchdog.cancel()
                conn.close()
        raise FetchRefused(f"more than {self.max_redirects} redirects")

    def _check_url(self, url: str) -> tuple[str, str, int, str]:
        scheme, host, port, parts = http_url(url, FetchRefused, "are fetched")
        if self.allowed_ports is not None and port not in self.allowed_ports:
            raise FetchRefused(f"port {port} is not allowed "
                               f"(allowed: {', '.join(map(str, sorted(self.allowed_ports)))})")
        target = parts.path or "/"
        if parts.query:
            target += "?" + parts.query
        return scheme, host, port, target

    def _checked_address(self, host: str, port: int) -> str:
        addresses = self.resolver(host, port)
        if not addresses:
            raise FetchRefused(f"host {host!r} has no address")
        for text in addresses:
            ip = ipaddress.ip_address(text.split("%", 1)[0])
            # Any disallowed answer refuses the host: a name that points inside is hostile.
            if not self.address_allowed(ip):
                raise FetchRefused(f"host {host!r} resolves to {ip}, a non-public address")
        return addresses[0]

    def _connect(self, scheme: str, host: str, port: int, ip: str, deadline: float):
        timeout = _remaining(deadline, host)
        if scheme == "https":
            return _PinnedHTTPS(host, port, ip, timeout=timeout, context=self.ssl_context)
        return _PinnedHTTP(host, port, ip, timeout=timeout)

    def _request(self, conn, host, port, scheme, target, deadline) -> http.client.HTTPResponse:
        default = 443 if scheme == "https" else 80
        headers = {"Host": host if port == default else f"{host}:{port}",
                   "User-Agent": self.user_agent, "Accept-Encoding": "identity",
                   "Connection": "close"}
        try:
            conn.request("GET", target, headers=headers)
            if conn.sock is not None:
                conn.sock.settimeout(_remaining(deadline, host))
            return conn.getresponse()
        except FetchRefused:
            raise
        except (OSError, http.client.HTTPException) as exc:
            raise _network_error(host, exc, deadline) from None

    def _read_body(self, resp, out: BinaryIO, max_bytes: int, deadline: float, url: str) -> int:
        length = resp.getheader("Content-Length")
        if length and length.isdigit() and int(length) > max_bytes:
            raise FetchRefused(f"{url} is {int(length)} bytes, over the limit of {max_bytes}")
        size = 0
        while True:
            _remaining(deadline, url)
            try:
                # read1 returns after one socket read, so the deadline is checked between them.
                chunk = resp.read1(64 * 1024)
            except (OSError, http.client.HTTPException) as exc:
                raise _network_error(url, exc, deadline) from None
            if not chunk:
                return size
            size += len(chunk)
            if size > max_bytes:
                raise FetchRefused(f"{url} is over the limit of {max_bytes} bytes")
            out.write(chunk)


class _Watchdog:
    """Cuts the connection at the deadline: socket timeouts alone restart on every byte a
    slow server drips, so they cannot bound the whole exchange."""

    def __init__(self, conn: http.client.HTTPConnection, deadline: float):
        self.fired = False
        self._conn = conn
        self._timer = threading.Timer(max(0.0, deadline - time.monotonic()), self._fire)
        self._timer.daemon = True
        self._timer.start()

    def _fire(self) -> None:
        self.fired = True
        sock = self._conn.sock
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def cancel(self) -> None:
        self._timer.cancel()


def _remaining(deadline: float, what: str) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise FetchRefused(f"fetching {what} took longer than the time limit")
    return left


def _network_error(what: str, exc: Exception, deadline: float) -> FetchRefused:
    if isinstance(exc, (socket.timeout, TimeoutError)) or time.monotonic() >= deadline:
        return FetchRefused(f"fetching {what} took longer than the time limit")
    return FetchRefused(f"could not fetch {what}: {exc}")


class _PinnedHTTP(http.client.HTTPConnection):
    """An HTTP connection to an address we already checked, whatever DNS says now."""

    def __init__(self, host: str, port: int, ip: str, *, timeout: float):
        super().__init__(host, port, timeout=timeout)
        self._ip = ip

    def connect(self) -> None:
        self.sock = socket.create_connection((self._ip, self.port), self.timeout)


class _PinnedHTTPS(http.client.HTTPSConnection):
    def __init__(self, host: str, port: int, ip: str, *, timeout: float, context: ssl.SSLContext):
        super().__init__(host, port, timeout=timeout, context=context)
        self._ip = ip

    def connect(self) -> None:
        sock = socket.create_connection((self._ip, self.port), self.timeout)
        # Certificate and SNI are checked against the host name, not the pinned address.
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)
