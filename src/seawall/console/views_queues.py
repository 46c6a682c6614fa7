"""A queue: its items most urgent first with SLA timers and filters, and "claim next"."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from seawall.console.auth import Ctx
from seawall.console.deps import Posted, chrome, console_state, posted, signed_in
from seawall.console.render import ConsoleRoute, is_htmx, page, partial, redirect, wants_json
from seawall.review import audit, claims, worklist
from seawall.review.roles import require_queue
from seawall.storage.columns import utcnow

router = APIRouter(route_class=ConsoleRoute)


def _filters(policy: str = "", category: str = "", lang: str = "") -> worklist.Filters:
    return worklist.Filters(policy=policy.strip()[:200], category=category.strip()[:64], lang=lang.strip()[:16])


@router.get("/queues/{queue}")
def queue_page(request: Request, queue: str, policy: str = "", category: str = "", lang: str = "",
               ctx: Ctx = Depends(signed_in)):
    require_queue(ctx.who, queue)
    st = console_state(request)
    filters = _filters(policy, category, lang)
    now = utcnow()
    with st.db.session() as s:
        claims.expire_stale(s, now=now)
        open_rows = worklist.rows(s, queue, filters=filters, limit=100, now=now)
        held = worklist.rows(s, queue, status="claimed", filters=filters, limit=100, now=now)
        if wants_json(request):
            return JSONResponse({"queue": queue, "open": [r.to_json(now) for r in open_rows],
                                 "claimed": [r.to_json(now) for r in held]})
        if is_htmx(request):
            return partial(request, "queue_rows", open_rows, held, now, ctx.who.can("see_claims"))
        audit.record(s, ctx.username, "view_queue", queue=queue)
        mine = claims.active_claim(s, ctx.username, now=now)
        return page(request, "queue.html", queue=queue, rows=open_rows, held=held, filters=filters,
                    rules=worklist.rules_in(s, queue), query=urlencode({k: v for k, v in
                                                                        (("policy", filters.policy),
                                                                         ("category", filters.category),
                                                                         ("lang", filters.lang)) if v}),
                    mine=mine, now=now, **chrome(s, ctx))


@router.post("/queues/{queue}/claim")
def claim_next(request: Request, queue: str, p: Posted = Depends(posted)):
    st = console_state(request)
    filters = _filters(p.get("policy"), p.get("category"), p.get("lang"))
    with st.db.session() as s:
        claim = claims.claim_next(s, p.ctx.who, queue, filters=filters)
        item_id = claim.item_id if claim else None
    if item_id is None:
        q = urlencode({k: v for k, v in (("policy", filters.policy), ("category", filters.category),
                                         ("lang", filters.lang)) if v})
        return redirect(f"/console/queues/{queue}?{q}&empty=1" if q else f"/console/queues/{queue}?empty=1")
    return redirect(f"/console/items/{item_id}")
