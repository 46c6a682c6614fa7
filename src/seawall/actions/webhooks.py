"""Webhooks and job callbacks: HMAC-signed, retried with backoff, every attempt recorded.

Delivery is at least once. Each request carries `Seawall-Delivery` (stable across retries)
so a receiver can drop duplicates, and `Seawall-Signature: t=<unix>,v1=<hex>` where hex is
HMAC-SHA256(secret, "<t>.<body>") so it can check origin and freshness. Destinations are
held to `seawall.actions.targets` (public http(s) addresses) when registered and at every
attempt.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import random
import secrets
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from seawall.actions.targets import Target, TargetRefused, Targets
from seawall.errors import NotFound
from seawall.storage.columns import utcnow
from seawall.storage.tables import Delivery, DeliveryAttempt, Webhook

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "Seawall-Signature"
MAX_ATTEMPTS = 12          # with the backoff below: about a day and a half of retries
BASE_DELAY_S = 5.0
MAX_DELAY_S = 6 * 3600.0


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(24)


def sign(secret: str, body: bytes, *, timestamp: int | None = None) -> str:
    t = int(time.time()) if timestamp is None else int(timestamp)
    mac = hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={t},v1={mac}"


def verify(secret: str, header: str, body: bytes, *, tolerance_s: int = 300, now: float | None = None) -> bool:
    """Check a signature header as a receiver would (constant-time, with a freshness window)."""
    try:
        parts = dict(p.split("=", 1) for p in header.split(","))
        t = int(parts["t"])
    except (ValueError, KeyError):
        return False
    if abs((time.time() if now is None else now) - t) > tolerance_s:
        return False
    expected = hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, parts.get("v1", ""))


def backoff(attempt: int, *, rng: random.Random | None = None) -> float:
    """Seconds before retry `attempt` (1-based): exponential, capped, with ±20% jitter."""
    delay = min(MAX_DELAY_S, BASE_DELAY_S * 2 ** max(0, attempt - 1))
    return delay * (0.8 + 0.4 * (rng or random).random())


def register(session: Session, url: str, *, events: list[str] | None = None,
             secret: str | None = None, targets: Targets | None = None) -> Webhook:
    """Add a receiver; its URL must pass `targets` (by default from the environment) now."""
    (targets or Targets.from_env()).check(url)
    hook = Webhook(url=url, secret=secret or new_secret(), events=list(events or ["*"]))
    session.add(hook)
    session.flush()
    return hook


def get_webhook(session: Session, webhook_id: int) -> Webhook:
    hook = session.get(Webhook, webhook_id)
    if hook is None:
        raise NotFound(f"no webhook {webhook_id}")
    return hook


def _enqueue(session: Session, *, dedupe_key: str, url: str, secret: str, event: str, event_id: str,
             payload: dict[str, Any], webhook_id: int | None, now: datetime) -> Delivery:
    existing = session.scalar(select(Delivery).where(Delivery.dedupe_key == dedupe_key))
    if existing is not None:
        return existing
    d = Delivery(dedupe_key=dedupe_key, webhook_id=webhook_id, url=url, secret=secret, event=event,
                 event_id=event_id, payload=payload, next_attempt_at=now, created_at=now)
    try:
        with session.begin_nested():
            session.add(d)
    except IntegrityError:
        return session.scalars(select(Delivery).where(Delivery.dedupe_key == dedupe_key)).one()
    return d


def enqueue_event(session: Session, event: str, event_id: str, payload: dict[str, Any], *,
                  action: str | None = None, now: datetime | None = None) -> list[Delivery]:
    """Queue an event for every active webhook subscribed to it (by action name or "*")."""
    now = now or utcnow()
    out = []
    for hook in session.scalars(select(Webhook).where(Webhook.active.is_(True))):
        if "*" in hook.events or event in hook.events or (action and action in hook.events):
            out.append(_enqueue(session, dedupe_key=f"{hook.id}:{event}:{event_id}", url=hook.url,
                                secret=hook.secret, event=event, event_id=event_id, payload=payload,
                                webhook_id=hook.id, now=now))
    return out


def enqueue_callback(session: Session, url: str, secret: str, event: str, event_id: str,
                     payload: dict[str, Any], *, now: datetime | None = None) -> Delivery:
    return _enqueue(session, dedupe_key=f"callback:{event}:{event_id}", url=url, secret=secret,
                    event=event, event_id=event_id, payload=payload, webhook_id=None, now=now or utcnow())


class Deliverer:
    """Sends due deliveries. Run it in a loop (the worker does); safe to run in several processes.

    Before each attempt the destination is checked again (`targets`) and the request goes to
    the address that passed, so a host whose DNS now points inside is refused, not reached.
    """

    def __init__(self, sessions: Callable, *, client: httpx.Client | None = None,
                 max_attempts: int = MAX_ATTEMPTS, clock: Callable[[], datetime] = utcnow,
                 lease_s: float = 60.0, rng: random.Random | None = None, targets: Targets | None = None):
        self._sessions = sessions
        # No kept-alive connections: each is pinned to one checked address for one host name.
        self.client = client or httpx.Client(timeout=10.0, follow_redirects=False,
                                             limits=httpx.Limits(max_keepalive_connections=0))
        self.targets = targets or Targets.from_env()
        self.max_attempts = max_attempts
        self.clock = clock
        self.lease_s = lease_s
        self.rng = rng

    def _claim(self, limit: int) -> list[Delivery]:
        now = self.clock()
        with self._sessions() as session:
            stmt = (select(Delivery).where(Delivery.status == "pending", Delivery.next_attempt_at <= now,
                                           or_(Delivery.lease_until.is_(None), Delivery.lease_until < now))
                    .order_by(Delivery.next_attempt_at).limit(limit))
            if session.get_bind().dialect.name == "postgresql":
                stmt = stmt.with_for_update(skip_locked=True)
            rows = list(session.scalars(stmt))
            for d in rows:
                d.lease_until = now + timedelta(seconds=self.lease_s)
            return rows

    def run_due(self, limit: int = 50) -> int:
        """Attempt every due delivery once; returns how many were delivered."""
        delivered = 0
        for d in self._claim(limit):
            delivered += self._attempt(d)
        return delivered

    def _attempt(self, d: Delivery) -> int:
        body = json.dumps({"event": d.event, "id": d.event_id, "data": d.payload},
                          separators=(",", ":"), sort_keys=True).encode()
        headers = {"Content-Type": "application/json", SIGNATURE_HEADER: sign(d.secret, body),
                   "Seawall-Event": d.event, "Seawall-Delivery": d.dedupe_key,
                   "User-Agent": "seawall-webhooks/1"}
        started = time.perf_counter()
        status, error = None, ""
        try:
            resp = self.client.send(_pinned(self.client, self.targets.check(d.url), body, headers))
            status = resp.status_code
            if not 200 <= status < 300:
                error = f"HTTP {status}"
        except TargetRefused as exc:
            # Recorded and retried like any failure: DNS that points inside now may not later.
            error = f"refused: {exc}"[:500]
        except httpx.HTTPError as exc:
            error = f"{type(exc).__name__}: {exc}"[:500]
        took = (time.perf_counter() - started) * 1000
        now = self.clock()
        with self._sessions() as session:
            row = session.get(Delivery, d.id)
            if row is None or row.status != "pending":
                return 0
            row.attempts += 1
            row.last_status = status
            row.last_error = error
            row.lease_until = None
            session.add(DeliveryAttempt(delivery_id=row.id, attempt=row.attempts, status_code=status,
                                        error=error, duration_ms=round(took, 2), at=now))
            if not error:
                row.status = "delivered"
                row.delivered_at = now
                return 1
            if row.attempts >= self.max_attempts:
                row.status = "failed"
                log.warning("delivery %s to %s gave up after %d attempts: %s", row.id, row.url,
                            row.attempts, error)
            else:
                row.next_attempt_at = now + timedelta(seconds=backoff(row.attempts, rng=self.rng))
            return 0


def _pinned(client: httpx.Client, target: Target, body: bytes, headers: dict[str, str]) -> httpx.Request:
    """A POST to the checked address, still naming the host (Host header, TLS SNI and certificate)."""
    url = httpx.URL(target.url).copy_with(host=target.address)
    extensions = {"sni_hostname": target.host} if target.scheme == "https" else {}
    return client.build_request("POST", url, content=body, headers={**headers, "Host": target.host_header},
                                extensions=extensions)


def delivery_json(d: Delivery, attempts: list[DeliveryAttempt] | None = None) -> dict[str, Any]:
    out = {"id": d.id, "webhook_id": d.webhook_id, "url": d.url, "event": d.event, "event_id": d.event_id,
           "status": d.status, "attempts": d.attempts, "last_status": d.last_status,
           "last_error": d.last_error, "next_attempt_at": d.next_attempt_at.isoformat(),
           "delivered_at": d.delivered_at.isoformat() if d.delivered_at else None}
    if attempts is not None:
        out["history"] = [{"attempt": a.attempt, "status_code": a.status_code, "error": a.error,
                           "duration_ms": a.duration_ms, "at": a.at.isoformat()} for a in attempts]
    return out


def deliveries(session: Session, *, webhook_id: int | None = None, limit: int = 100) -> list[Delivery]:
    stmt = select(Delivery)
    if webhook_id is not None:
        stmt = stmt.where(Delivery.webhook_id == webhook_id)
    return list(session.scalars(stmt.order_by(Delivery.id.desc()).limit(limit)))


def attempts_of(session: Session, delivery_id: int) -> list[DeliveryAttempt]:
    return list(session.scalars(select(DeliveryAttempt).where(DeliveryAttempt.delivery_id == delivery_id)
                                .order_by(DeliveryAttempt.attempt)))
