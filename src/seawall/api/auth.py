"""API keys with scopes and per-key rate limits, read from SEAWALL_API_KEYS.

Format: entries separated by `;` or new lines, each `NAME:SECRET:SCOPES[:RATE]`.

    SEAWALL_API_KEYS="ingest:sk_live_3f9a:moderate,jobs:50/s; ops:sha256=9b71…:*"

- NAME names the key in logs, metrics and idempotency scopes.
- SECRET is what clients send (`Authorization: Bearer`, `X-API-Key`, or `?key=` as
  Perspective clients do); `sha256=<hex>` stores only the secret's SHA-256.
- SCOPES: comma-separated from SCOPES below; `*` or `admin` grants all.
- RATE (optional): `N/s`, `N/m` or `N/h`; a token bucket holding N, refilled over the period.
"""

from __future__ import annotations

import hashlib
import hmac
import threading
import time
from dataclasses import dataclass

from seawall.errors import SeawallError

SCOPES = ("moderate", "jobs", "read", "review", "policies", "webhooks", "banks", "admin")
_PERIODS = {"s": 1.0, "m": 60.0, "h": 3600.0}


class Unauthorized(SeawallError):
    code = "unauthorized"
    http_status = 401


class Forbidden(SeawallError):
    code = "forbidden"
    http_status = 403


class RateLimited(SeawallError):
    code = "rate_limited"
    http_status = 429

    def __init__(self, message: str, retry_after: float):
        super().__init__(message)
        self.retry_after = retry_after


@dataclass(frozen=True)
class ApiKey:
    name: str
    digest: str                       # sha256 hex of the secret
    scopes: frozenset[str]
    rate: float | None = None         # tokens per second
    burst: float | None = None        # bucket size

    def allows(self, scope: str) -> bool:
        return "admin" in self.scopes or scope in self.scopes


# The identity of requests when no keys are configured (loopback only; `seawall serve` checks).
OPEN = ApiKey(name="open", digest="", scopes=frozenset(SCOPES))


def parse_keys(text: str | None) -> list[ApiKey]:
    """Parse SEAWALL_API_KEYS; a malformed entry fails naming its position, never silently."""
    keys: list[ApiKey] = []
    if not text:
        return keys
    entries = [e.strip() for chunk in text.splitlines() for e in chunk.split(";")]
    for n, entry in enumerate(e for e in entries if e):
        parts = entry.split(":")
        if len(parts) not in (3, 4) or not parts[0] or not parts[1]:
            raise ValueError(f"SEAWALL_API_KEYS entry {n + 1} must be NAME:SECRET:SCOPES[:RATE]")
        name, secret, scopes_text = parts[0].strip(), parts[1].strip(), parts[2].strip()
        if secret.startswith("sha256="):
            digest = secret[len("sha256="):].lower()
            if len(digest) != 64:
                raise ValueError(f"SEAWALL_API_KEYS entry {n + 1} ({name}): sha256= needs 64 hex digits")
        else:
            if len(secret) < 12:
                raise ValueError(f"SEAWALL_API_KEYS entry {n + 1} ({name}): secrets need 12+ characters")
            digest = hashlib.sha256(secret.encode()).hexdigest()
        scopes = {s.strip() for s in scopes_text.split(",") if s.strip()}
        if "*" in scopes:
            scopes = {"admin"}
        unknown = scopes - set(SCOPES)
        if unknown or not scopes:
            raise ValueError(f"SEAWALL_API_KEYS entry {n + 1} ({name}): unknown scope "
                             f"{', '.join(sorted(unknown)) or '(none)'}; valid: {', '.join(SCOPES)}, *")
        rate = burst = None
        if len(parts) == 4 and parts[3].strip():
            try:
                count, per = parts[3].strip().split("/")
                burst = float(count)
                rate = burst / _PERIODS[per.strip()]
            except (ValueError, KeyError):
                raise ValueError(f"SEAWALL_API_KEYS entry {n + 1} ({name}): rate must be N/s, N/m or N/h") from None
        if any(k.name == name for k in keys):
            raise ValueError(f"SEAWALL_API_KEYS: key name {name!r} appears twice")
        keys.append(ApiKey(name=name, digest=digest, scopes=frozenset(scopes), rate=rate, burst=burst))
    return keys


class KeyRing:
    """Looks up a presented secret (constant-time per key) and enforces each key's rate."""

    def __init__(self, keys: list[ApiKey]):
        self.keys = list(keys)
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    @property
    def open(self) -> bool:
        return not self.keys

    def identify(self, secret: str | None) -> ApiKey:
        if self.open:
            return OPEN
        if not secret:
            raise Unauthorized("an API key is required (Authorization: Bearer <key>)")
        digest = hashlib.sha256(secret.encode()).hexdigest()
        found = None
        for key in self.keys:  # compare against every key so timing does not tell which matched
            if hmac.compare_digest(key.digest, digest):
                found = key
        if found is None:
            raise Unauthorized("unknown API key")
        return found

    def charge(self, key: ApiKey, cost: float = 1.0, now: float | None = None) -> None:
        if key.rate is None or key.burst is None:
            return
        now = time.monotonic() if now is None else now
        with self._lock:
            tokens, last = self._buckets.get(key.name, (key.burst, now))
            tokens = min(key.burst, tokens + (now - last) * key.rate)
            if tokens < cost:
                self._buckets[key.name] = (tokens, now)
                raise RateLimited(f"rate limit of key {key.name!r} exceeded",
                                  retry_after=(cost - tokens) / key.rate)
            self._buckets[key.name] = (tokens - cost, now)


def presented_secret(headers, query) -> str | None:
    auth = headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        return auth[7:].strip()
    return headers.get("x-api-key") or query.get("key")
