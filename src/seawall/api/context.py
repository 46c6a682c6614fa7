"""What every route needs: the app's services, the caller's key, scope checks, and the sync budget."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any, Callable

from fastapi import Request
from starlette.concurrency import run_in_threadpool

from seawall.actions.dispatch import Dispatcher
from seawall.actions.targets import Targets
from seawall.api.auth import ApiKey, Forbidden, KeyRing, presented_secret
from seawall.api.metrics import Metrics
from seawall.errors import SeawallError
from seawall.jobs.base import JobQueue
from seawall.settings import Settings
from seawall.storage.db import Database


class OverBudget(SeawallError):
    code = "over_budget"
    http_status = 503


@dataclass
class ApiState:
    settings: Settings
    db: Database
    dispatcher: Dispatcher
    queue: JobQueue
    keys: KeyRing
    metrics: Metrics
    sync_budget_s: float = 10.0
    max_inputs: int = 64
    # Where webhooks and job callbacks may point (public addresses unless configured otherwise).
    targets: Targets = field(default_factory=Targets.from_env)
    extra: dict[str, Any] = field(default_factory=dict)


def state(request: Request) -> ApiState:
    return request.app.state.seawall


def caller(request: Request) -> ApiKey:
    key = getattr(request.state, "api_key", None)
    if key is None:
        st = state(request)
        key = st.keys.identify(presented_secret(request.headers, request.query_params))
        st.keys.charge(key)
        request.state.api_key = key
    return key


def require(scope: str) -> Callable[[Request], ApiKey]:
    """A FastAPI dependency: the caller's key, if it holds `scope`."""

    def dependency(request: Request) -> ApiKey:
        key = caller(request)
        if not key.allows(scope):
            raise Forbidden(f"key {key.name!r} lacks the {scope!r} scope")
        return key

    dependency.__name__ = f"require_{scope}"
    return dependency


async def within_budget(st: ApiState, fn: Callable, *args, **kwargs):
    """Run blocking moderation in the thread pool; past the budget answer 503 (use /v1/jobs)."""
    try:
        return await asyncio.wait_for(run_in_threadpool(fn, *args, **kwargs), timeout=st.sync_budget_s)
    except asyncio.TimeoutError:
        raise OverBudget(f"synchronous moderation took longer than {st.sync_budget_s:.1f}s; "
                         "submit large or slow items to POST /v1/jobs") from None
