"""What console routes share: the console's services, the signed-in person, and checked form posts."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

from fastapi import Depends, Request

from seawall.console.auth import Ctx, SessionPolicy, check_csrf, current
from seawall.errors import TooLarge
from seawall.review.events import Subscriber
from seawall.storage.db import Database

MAX_FORM_BYTES = 64 * 1024


@dataclass
class ConsoleState:
    """The console's services. `subscribers` receive review events (feedback: labels, banks)."""

    db: Database
    subscribers: list[Subscriber] = field(default_factory=list)
    sessions: SessionPolicy = field(default_factory=SessionPolicy)
    policies: Any = None           # a storage.policies.PolicyCache, for rule metadata when enforcing
    limits: Any = None             # content.limits.MediaLimits for opening media
    fetcher: Any = None            # content.fetch.Fetcher for media given by URL
    media: Any = None              # storage.media.MediaStore: inline media kept for review

    def live_policy(self):
        if self.policies is None:
            return None
        try:
            return self.policies.current().live
        except Exception:  # enforcement must not fail because the policy store hiccuped
            return None


def console_state(request: Request) -> ConsoleState:
    return request.app.state.console


def signed_in(request: Request) -> Ctx:
    st = console_state(request)
    ctx = current(st.db, request, st.sessions)
    request.state.console_ctx = ctx
    return ctx


async def form_data(request: Request) -> dict[str, Any]:
    """An urlencoded form (the console sends no files); a key sent several times becomes a list."""
    body = await request.body()
    if len(body) > MAX_FORM_BYTES:
        raise TooLarge("form too large")
    parsed = parse_qs(body.decode("utf-8", errors="replace"), keep_blank_values=True)
    return {k: (v[0] if len(v) == 1 else v) for k, v in parsed.items()}


@dataclass
class Posted:
    ctx: Ctx
    form: dict[str, Any]

    def get(self, key: str, default: str = "") -> str:
        v = self.form.get(key, default)
        return v[0] if isinstance(v, list) else str(v)

    def all(self, key: str) -> list[str]:
        v = self.form.get(key)
        if v is None:
            return []
        return [str(x) for x in (v if isinstance(v, list) else [v]) if str(x)]


def posted(request: Request, ctx: Ctx = Depends(signed_in), form: dict = Depends(form_data)) -> Posted:
    check_csrf(ctx.csrf, request, form)
    return Posted(ctx, form)


def chrome(session, ctx: Ctx) -> dict[str, Any]:
    """What every signed-in page shows around its content: the person and their shift so far."""
    from seawall.review import wellbeing
    from seawall.review.tables import ConsoleUser

    user = session.get(ConsoleUser, ctx.user_id)
    shift = wellbeing.counts(session, user, break_after=int(ctx.settings.get("break_after", 20)))
    return {"ctx": ctx, "shift": shift}
