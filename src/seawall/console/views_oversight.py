"""Oversight: QA agreement, the audit log, accounts, training-data export and active-learning sampling."""

from __future__ import annotations

import io

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from seawall.console.auth import Ctx
from seawall.console.deps import Posted, chrome, console_state, posted, signed_in
from seawall.console.render import ConsoleRoute, page, redirect
from seawall.feedback import export_jsonl, sample_uncertain
from seawall.review import audit, qa, users, worklist
from seawall.review.roles import ROLES, require

router = APIRouter(route_class=ConsoleRoute)


@router.get("/qa")
def qa_page(request: Request, ctx: Ctx = Depends(signed_in)):
    require(ctx.who, "qa_stats")
    with console_state(request).db.session() as s:
        return page(request, "qa.html", by_moderator=qa.agreement(s, "moderator"), by_policy=qa.agreement(s, "policy"),
                    pending=qa.pending(s), **chrome(s, ctx))


@router.get("/audit")
def audit_page(request: Request, actor: str = "", action: str = "", item: int | None = None,
               before: int | None = None, ctx: Ctx = Depends(signed_in)):
    require(ctx.who, "audit")
    with console_state(request).db.session() as s:
        events = audit.events(s, actor=actor or None, action=action or None, item_id=item, before_id=before, limit=200)
        audit.record(s, ctx.username, "view_audit", detail={"actor": actor, "action": action, "item": item})
        return page(request, "audit.html", events=events, actor=actor, action=action, item=item,
                    actions=sorted(audit.ACTIONS), **chrome(s, ctx))


@router.get("/stats")
def stats_page(request: Request, sampled: int | None = None, ctx: Ctx = Depends(signed_in)):
    require(ctx.who, "stats")
    with console_state(request).db.session() as s:
        return page(request, "stats.html", summaries=worklist.summaries(s), sampled=sampled,
                    by_policy=qa.agreement(s, "policy"), **chrome(s, ctx))


@router.get("/export/labels.jsonl")
def export_labels(request: Request, ctx: Ctx = Depends(signed_in)):
    require(ctx.who, "export")
    buf = io.StringIO()
    with console_state(request).db.session() as s:
        n = export_jsonl(s, buf)
        audit.record(s, ctx.username, "export_labels", detail={"examples": n})
    return Response(buf.getvalue(), media_type="application/x-ndjson",
                    headers={"Content-Disposition": 'attachment; filename="reviewed-labels.jsonl"'})


@router.post("/sample")
def sample(request: Request, p: Posted = Depends(posted)):
    require(p.ctx.who, "stats")
    try:
        k = max(1, min(500, int(p.get("k", "20"))))
    except ValueError:
        k = 20
    with console_state(request).db.session() as s:
        items = sample_uncertain(s, k=k, actor=p.ctx.username)
    return redirect(f"/console/stats?sampled={len(items)}")


@router.get("/users")
def users_page(request: Request, ctx: Ctx = Depends(signed_in), created: str = ""):
    require(ctx.who, "users")
    with console_state(request).db.session() as s:
        return page(request, "users.html", users=users.list_users(s), roles=ROLES, created=created, **chrome(s, ctx))


@router.post("/users")
def create_user(request: Request, p: Posted = Depends(posted)):
    require(p.ctx.who, "users")
    queues = [q.strip() for q in p.get("queues").split(",") if q.strip()]
    with console_state(request).db.session() as s:
        user = users.create_user(s, p.get("username"), p.get("password"), role=p.get("role"), queues=queues,
                                 display_name=p.get("display_name"))
        # Grants to restricted queues are the ones an auditor asks about first.
        audit.record(s, p.ctx.username, "user_created",
                     detail={"username": user.username, "role": user.role, "queues": queues})
        name = user.username
    return redirect(f"/console/users?created={name}")
