"""Console sign-in: server-side sessions that expire, CSRF tokens, and who the request is from.

The cookie holds a random token; the database holds only its SHA-256, so reading the
sessions table signs no one in. Sessions end after `idle` without a request and after
`absolute` whatever happens. Every state-changing request carries the session's CSRF
token (a form field, or the X-CSRF-Token header htmx sends); the cookie is SameSite=Strict
as a second line.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from fastapi import Request
from sqlalchemy import update

from seawall.errors import SeawallError
from seawall.review.roles import Principal
from seawall.review.tables import ConsoleSession, ConsoleUser
from seawall.review.users import principal, settings_of
from seawall.storage.columns import utcnow

COOKIE = "seawall_console"
LOGIN_COOKIE = "seawall_console_login"   # double-submit token for the sign-in form itself
TOUCH_EVERY = timedelta(seconds=60)      # write last_seen at most this often


class SignInRequired(SeawallError):
    code = "sign_in_required"
    http_status = 401


class CsrfFailed(SeawallError):
    code = "csrf_failed"
    http_status = 403


@dataclass(frozen=True)
class SessionPolicy:
    idle: timedelta = timedelta(minutes=30)
    absolute: timedelta = timedelta(hours=12)
    secure_cookie: bool | None = None     # None: Secure when the request came over https


def token_id(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start(session, user: ConsoleUser, policy: SessionPolicy, *,
          now: datetime | None = None) -> tuple[str, ConsoleSession]:
    """A new session for a user who just proved who they are; returns (cookie token, row)."""
    now = now or utcnow()
    token = secrets.token_urlsafe(32)
    row = ConsoleSession(id=token_id(token), user_id=user.id, csrf=secrets.token_urlsafe(32), created_at=now,
                         last_seen_at=now, expires_at=now + policy.absolute)
    session.add(row)
    return token, row


def end(session, token: str | None, *, now: datetime | None = None) -> None:
    if token:
        session.execute(update(ConsoleSession).where(ConsoleSession.id == token_id(token))
                        .values(revoked_at=now or utcnow()))


@dataclass
class Ctx:
    """The signed-in person for one request."""

    user_id: int
    username: str
    display_name: str
    who: Principal
    session_id: str
    session_started: datetime
    csrf: str
    settings: dict[str, Any] = field(default_factory=dict)


def current(db, request: Request, policy: SessionPolicy, *, now: datetime | None = None) -> Ctx:
    """The request's signed-in person, or SignInRequired."""
    now = now or utcnow()
    token = request.cookies.get(COOKIE)
    if not token:
        raise SignInRequired("please sign in")
    with db.session() as s:
        row = s.get(ConsoleSession, token_id(token))
        if (row is None or row.revoked_at is not None or row.expires_at <= now
                or now - row.last_seen_at > policy.idle):
            raise SignInRequired("your session has ended; please sign in again")
        user = s.get(ConsoleUser, row.user_id)
        if user is None or not user.active:
            raise SignInRequired("this account is disabled")
        if now - row.last_seen_at > TOUCH_EVERY:
            row.last_seen_at = now
        return Ctx(user_id=user.id, username=user.username, display_name=user.display_name or user.username,
                   who=principal(user), session_id=row.id, session_started=row.created_at, csrf=row.csrf,
                   settings=settings_of(user))


def check_csrf(expected: str, request: Request, form: dict[str, str]) -> None:
    presented = request.headers.get("x-csrf-token") or form.get("csrf") or ""
    if not expected or not hmac.compare_digest(presented.encode(), expected.encode()):
        raise CsrfFailed("the form expired or did not come from this console; reload the page and try again")
    # Browsers send Origin on POST; one from another site is refused even with a token.
    origin = request.headers.get("origin")
    if origin and origin != "null":
        host = request.headers.get("host", "")
        if origin.split("://", 1)[-1] != host:
            raise CsrfFailed("request from another site refused")


def set_cookie(response, request: Request, name: str, value: str, policy: SessionPolicy, *,
               max_age: int | None = None) -> None:
    secure = policy.secure_cookie if policy.secure_cookie is not None else request.url.scheme == "https"
    response.set_cookie(name, value, max_age=max_age, httponly=True, samesite="strict", secure=secure,
                        path="/console")
