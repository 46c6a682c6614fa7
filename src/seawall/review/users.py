"""Console accounts: create, check passwords (scrypt, no extra dependency), lock out guessing, settings."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from seawall.errors import Conflict, InvalidInput, NotFound
from seawall.review.roles import Principal, check_role, restricted_queues
from seawall.review.tables import ConsoleUser
from seawall.storage.columns import utcnow

# scrypt cost: about 30 ms and 16 MiB per check on a laptop core; OWASP's minimum is N=2**17
# with r=8 for scrypt-only stores, but a console behind sign-in lockout can afford less CPU.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2 ** 14, 8, 1
MIN_PASSWORD = 10
MAX_FAILED = 5
LOCKOUT = timedelta(minutes=15)

# Personal settings and their defaults: protective unless the person chooses otherwise.
DEFAULT_SETTINGS: dict[str, Any] = {
    "blur": "strong",          # strong | light: how much detected regions are blurred
    "grayscale": True,         # media shown without colour until revealed
    "break_after": 20,         # graphic items per shift before a break is suggested
    "text_size": "normal",     # normal | large
}
SETTING_CHOICES: dict[str, tuple[Any, ...]] = {
    "blur": ("strong", "light"),
    "grayscale": (True, False),
    "text_size": ("normal", "large"),
}


def hash_password(password: str, *, salt: bytes | None = None) -> str:
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=32)
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${salt.hex()}${digest.hex()}"


def verify_password(password: str, stored: str) -> bool:
    try:
        kind, n, r, p, salt, digest = stored.split("$")
        if kind != "scrypt":
            return False
        got = hashlib.scrypt(password.encode(), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p),
                             dklen=len(digest) // 2)
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got.hex(), digest)


# A hash to check against when the user does not exist, so timing does not tell names apart.
_DUMMY = hash_password("not a password", salt=b"\0" * 16)


def create_user(session: Session, username: str, password: str, *, role: str,
                queues: list[str] | None = None, display_name: str = "") -> ConsoleUser:
    check_role(role)
    username = username.strip()
    if not username or len(username) > 200 or any(c.isspace() for c in username):
        raise InvalidInput("a user name is 1 to 200 characters without spaces")
    if len(password) < MIN_PASSWORD:
        raise InvalidInput(f"a password needs at least {MIN_PASSWORD} characters")
    if session.scalar(select(ConsoleUser).where(ConsoleUser.username == username)) is not None:
        raise Conflict(f"user {username!r} exists")
    user = ConsoleUser(username=username, display_name=display_name or username, role=role,
                       queues=list(queues or []), password_hash=hash_password(password),
                       settings=dict(DEFAULT_SETTINGS))
    session.add(user)
    session.flush()
    return user


def get_user(session: Session, username: str) -> ConsoleUser:
    user = session.scalar(select(ConsoleUser).where(ConsoleUser.username == username))
    if user is None:
        raise NotFound(f"no user {username!r}")
    return user


def list_users(session: Session) -> list[ConsoleUser]:
    return list(session.scalars(select(ConsoleUser).order_by(ConsoleUser.username)))


def authenticate(session: Session, username: str, password: str, *,
                 now: datetime | None = None) -> ConsoleUser | None:
    """The user when the password is right and the account open; None otherwise (never says why)."""
    now = now or utcnow()
    user = session.scalar(select(ConsoleUser).where(ConsoleUser.username == username))
    if user is None:
        verify_password(password, _DUMMY)
        return None
    if not user.active or (user.locked_until is not None and user.locked_until > now):
        verify_password(password, _DUMMY)
        return None
    if not verify_password(password, user.password_hash):
        user.failed_logins += 1
        if user.failed_logins >= MAX_FAILED:
            user.locked_until = now + LOCKOUT
            user.failed_logins = 0
        return None
    user.failed_logins = 0
    user.locked_until = None
    return user


def principal(user: ConsoleUser) -> Principal:
    return Principal(username=user.username, role=user.role, queues=tuple(user.queues or ()),
                     restricted=restricted_queues())


def settings_of(user: ConsoleUser) -> dict[str, Any]:
    return {**DEFAULT_SETTINGS, **(user.settings or {})}


def update_settings(user: ConsoleUser, changes: dict[str, Any]) -> dict[str, Any]:
    """Validate and store personal settings; unknown keys and values are refused, not ignored."""
    current = settings_of(user)
    for key, value in changes.items():
        if key not in DEFAULT_SETTINGS:
            raise InvalidInput(f"unknown setting {key!r}; valid: {', '.join(DEFAULT_SETTINGS)}")
        if key == "break_after":
            try:
                value = int(value)
            except (TypeError, ValueError):
                raise InvalidInput("break_after must be a whole number") from None
            if not 1 <= value <= 200:
                raise InvalidInput("break_after must be between 1 and 200")
        elif value not in SETTING_CHOICES[key]:
            raise InvalidInput(f"{key} must be one of {', '.join(map(str, SETTING_CHOICES[key]))}")
        current[key] = value
    user.settings = current
    return current
