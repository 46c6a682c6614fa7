"""Change how Seawall decides and whom it tells: policy versions, shadow runs, webhooks."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse

from seawall.actions import webhooks
from seawall.api.context import require, state
from seawall.api.schemas import PolicyUpload, WebhookCreate
from seawall.policy import compile_policy
from seawall.storage import policies as policy_store

router = APIRouter(tags=["Policies and webhooks"])


@router.get("/v1/policies", summary="Policy versions; which is live and which run in shadow")
def list_policies(request: Request, _key=Depends(require("read"))):
    st = state(request)
    with st.db.read() as session:
        versions = [policy_store.version_json(r) for r in policy_store.list_versions(session)]
    live = st.dispatcher.policies.current()
    return {"live": live.live.version, "shadow": [p.version for p in live.shadows], "versions": versions}


@router.post("/v1/policies:check", summary="Compile a policy without storing it")
def check_policy(body: PolicyUpload, _key=Depends(require("policies"))):
    policy = compile_policy(body.source, file="<upload>")  # PolicyError → 422 with line and column
    return {"ok": True, "version": policy.version, "rules": [r.name for r in policy.rules]}


@router.post("/v1/policies", status_code=201, summary="Upload a policy version (optionally activate or shadow)")
def upload_policy(body: PolicyUpload, request: Request, _key=Depends(require("policies"))):
    st = state(request)
    with st.db.session() as session:
        row = policy_store.save(session, body.source, note=body.note)
        if body.activate:
            policy_store.activate(session, row.version)
        elif body.shadow:
            policy_store.set_shadow(session, row.version, True)
        out = policy_store.version_json(row)
    st.dispatcher.policies.invalidate()
    return out


@router.get("/v1/policies/{version}", summary="One policy version with its source")
def read_policy(version: str, request: Request, _key=Depends(require("read"))):
    with state(request).db.read() as session:
        return policy_store.version_json(policy_store.get(session, version), source=True)


@router.post("/v1/policies/{version}:activate", summary="Make a version live")
def activate_policy(version: str, request: Request, _key=Depends(require("policies"))):
    st = state(request)
    with st.db.session() as session:
        out = policy_store.version_json(policy_store.activate(session, version))
    st.dispatcher.policies.invalidate()
    return out


@router.post("/v1/policies/{version}:shadow", summary="Run a version in shadow (on=false stops it)")
def shadow_policy(version: str, request: Request, on: bool = True, _key=Depends(require("policies"))):
    st = state(request)
    with st.db.session() as session:
        out = policy_store.version_json(policy_store.set_shadow(session, version, on))
    st.dispatcher.policies.invalidate()
    return out


@router.get("/v1/policies/{version}/shadow-report", summary="How a shadow version differed from live")
def shadow_report(version: str, request: Request, limit: int = Query(10_000, ge=1, le=100_000),
                  _key=Depends(require("read"))):
    with state(request).db.read() as session:
        return policy_store.shadow_report(session, version, limit=limit).to_json()


@router.post("/v1/webhooks", status_code=201, summary="Register a receiver of action events")
def create_webhook(body: WebhookCreate, request: Request, _key=Depends(require("webhooks"))):
    st = state(request)
    with st.db.session() as session:
        hook = webhooks.register(session, body.url, events=body.events, secret=body.secret, targets=st.targets)
        # The secret is shown here only; receivers verify Seawall-Signature with it.
        return JSONResponse({"id": hook.id, "url": hook.url, "events": hook.events, "secret": hook.secret},
                            status_code=201)


@router.get("/v1/webhooks", summary="Registered webhooks")
def list_webhooks(request: Request, _key=Depends(require("webhooks"))):
    from sqlalchemy import select

    from seawall.storage.tables import Webhook

    with state(request).db.read() as session:
        return {"webhooks": [{"id": h.id, "url": h.url, "events": h.events, "active": h.active}
                             for h in session.scalars(select(Webhook).order_by(Webhook.id))]}


@router.get("/v1/webhooks/{webhook_id}/deliveries", summary="Deliveries to a webhook and every attempt")
def list_deliveries(webhook_id: int, request: Request, limit: int = Query(100, ge=1, le=1000),
                    _key=Depends(require("webhooks"))):
    with state(request).db.read() as session:
        webhooks.get_webhook(session, webhook_id)
        return {"deliveries": [webhooks.delivery_json(d, webhooks.attempts_of(session, d.id))
                               for d in webhooks.deliveries(session, webhook_id=webhook_id, limit=limit)]}
