"""Where webhooks and job callbacks may go: public http(s) addresses, checked when given and at every send.

A callback URL comes from an API key holder and is later requested by our own servers, so
it is a way into our network (SSRF) unless it is held to the rules media fetching keeps
(`seawall.content.fetch`): http or https only, no credentials in the URL, and every address
the host resolves to must be public. The check runs when the URL is registered or submitted
and again before each delivery, because a DNS answer can change in between; the delivery
then connects to the address that was checked, not to whatever DNS says a moment later.

`SEAWALL_ALLOW_PRIVATE_CALLBACKS=1` (or `Targets(allow_private=True)`) lets receivers on
loopback and private networks through, for tests and for platforms whose receivers live
inside their own network. Link-local addresses (cloud metadata at 169.254.169.254),
multicast and unspecified addresses stay refused even then.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass

from seawall.content.fetch import IPAddress, Resolver, http_url, public_address, system_resolver
from seawall.errors import FetchRefused, InvalidInput

ALLOW_PRIVATE_ENV = "SEAWALL_ALLOW_PRIVATE_CALLBACKS"
MAX_URL = 2000
_TRUE = ("1", "true", "yes", "on")


class TargetRefused(InvalidInput):
    """A webhook or callback URL Seawall will not send to."""

    code = "callback_refused"


@dataclass(frozen=True)
class Target:
    """A checked destination: the URL as given and the address to connect to."""

    url: str
    scheme: str
    host: str
    port: int
    address: str

    @property
    def host_header(self) -> str:
        default = 443 if self.scheme == "https" else 80
        host = f"[{self.host}]" if ":" in self.host else self.host
        return host if self.port == default else f"{host}:{self.port}"


def private_allowed(ip: IPAddress) -> bool:
    """With private receivers allowed: anything but link-local (metadata), multicast, unspecified."""
    inner = ip.ipv4_mapped if ip.version == 6 and ip.ipv4_mapped is not None else ip
    return not (inner.is_link_local or inner.is_multicast or inner.is_unspecified)


class Targets:
    """Checks destination URLs. Pass a `resolver` to test without DNS."""

    def __init__(self, *, allow_private: bool = False, resolver: Resolver = system_resolver):
        self.allow_private = allow_private
        self.resolver = resolver

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **kwargs) -> "Targets":
        env = os.environ if env is None else env
        raw = env.get(ALLOW_PRIVATE_ENV, "").strip().lower()
        return cls(allow_private=raw in _TRUE, **kwargs)

    def allowed(self, ip: IPAddress) -> bool:
        return private_allowed(ip) if self.allow_private else public_address(ip)

    def check(self, url: str) -> Target:
        """The checked target of `url`, resolved now; raises TargetRefused with the reason."""
        scheme, host, port = _parts(url)
        try:
            addresses = self.resolver(host, port)
        except FetchRefused as exc:
            raise TargetRefused(str(exc)) from None
        if not addresses:
            raise TargetRefused(f"host {host!r} has no address")
        for text in addresses:
            try:
                ip = ipaddress.ip_address(text.split("%", 1)[0])
            except ValueError:
                raise TargetRefused(f"host {host!r} resolved to {text!r}, not an address") from None
            # One inside answer refuses the host: a name that points inside is hostile.
            if not self.allowed(ip):
                raise TargetRefused(f"host {host!r} resolves to {ip}, a non-public address "
                                    f"(set {ALLOW_PRIVATE_ENV}=1 to allow receivers on private networks)")
        return Target(url=url, scheme=scheme, host=host, port=port, address=addresses[0].split("%", 1)[0])


def _parts(url: str) -> tuple[str, str, int]:
    if not isinstance(url, str) or not url or len(url) > MAX_URL:
        raise TargetRefused(f"a webhook or callback URL is an http(s) URL of at most {MAX_URL} characters")
    scheme, host, port, _ = http_url(url, TargetRefused, "receive callbacks")
    return scheme, host, port


def fixed_resolver(answers: Mapping[str, list[str]]) -> Resolver:
    """A resolver that knows only `answers` (host → addresses): tests check targets without DNS."""

    def resolve(host: str, port: int) -> list[str]:
        if host in answers:
            return list(answers[host])
        try:
            return [str(ipaddress.ip_address(host.strip("[]")))]  # literal addresses resolve to themselves
        except ValueError:
            raise FetchRefused(f"cannot resolve host {host!r}") from None

    return resolve
