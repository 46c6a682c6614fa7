"""Read what was decided: decisions and why, DSA statements, strike ledgers, review queues."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import PlainTextResponse

from seawall.actions import dsa, strikes
from seawall.api.context import require, state
from seawall.api.schemas import Appeal, Reverse
from seawall.errors import NotFound
from seawall.policy import compile_policy, explain_json, outcome_for, render
from seawall.policy.shadow import signals_of
from seawall.review import queue as review_queue
from seawall.storage import decisions as store
from seawall.storage import policies as policy_store
from seawall.storage.tables import Statement

router = APIRouter(tags=["Decisions and enforcement"])


@router.get("/v1/decisions", summary="Recent decisions, filtered")
def list_decisions(request: Request, content_id: str | None = Query(None, max_length=300),
                   author_id: str | None = Query(None, max_length=300),
                   action: str | None = Query(None, max_length=32), limit: int = Query(50, ge=1, le=500),
                   _key=Depends(require("read"))):
    with state(request).db.read() as session:
        rows = store.list_decisions(session, content_id=content_id, author_id=author_id, action=action,
                                    limit=limit)
        return {"decisions": [store.row_json(r, full=False) for r in rows]}


@router.get("/v1/decisions/{decision_id}", summary="One decision with its signals, rules and versions")
def read_decision(decision_id: str, request: Request, _key=Depends(require("read"))):
    with state(request).db.read() as session:
        return store.row_json(store.get(session, decision_id))


@router.get("/v1/decisions/{decision_id}/explain", summary="Why: each rule, the facts it read, the result")
def explain_decision(decision_id: str, request: Request, format: str = Query("json", pattern="^(json|text)$"),
                     _key=Depends(require("read"))):
    st = state(request)
    with st.db.read() as session:
        row = store.get(session, decision_id)
        decision = store.to_decision(row)
        content = store.content_of(row)
        try:
            source = policy_store.get(session, row.policy_version).source
            policy = compile_policy(source, file=f"policy:{row.policy_version}")
        except NotFound:
            policy = st.dispatcher.policies.current().live
            if policy.version != row.policy_version:
                raise NotFound(f"policy {row.policy_version!r} that made this decision is not stored") from None
    outcome = outcome_for(content, signals_of(decision), policy)
    if format == "text":
        return PlainTextResponse(render(outcome, item_id=row.content_id, verbose=True) + "\n")
    return {"decision_id": decision_id, **explain_json(outcome)}


@router.get("/v1/decisions/{decision_id}/statement", summary="The DSA statement of reasons for a decision")
def read_statement(decision_id: str, request: Request, _key=Depends(require("read"))):
    from sqlalchemy import select

    with state(request).db.read() as session:
        st = session.scalar(select(Statement).where(Statement.decision_id == decision_id))
        if st is None:
            raise NotFound(f"decision {decision_id!r} has no statement of reasons (nothing was restricted)")
        return {"id": st.id, "platform_id": st.platform_id, "statement": st.body,
                "exported_at": st.exported_at.isoformat() if st.exported_at else None}


@router.get("/v1/statements", summary="DSA statements for the Transparency Database, ≤100 a batch")
def export_statements(request: Request, after: int = Query(0, ge=0), limit: int = Query(100, ge=1, le=100),
                      only_new: bool = False, mark_exported: bool = False, _key=Depends(require("read"))):
    with state(request).db.session() as session:
        return dsa.export_batch(session, after=after, limit=limit, only_new=only_new, mark=mark_exported)


@router.get("/v1/authors/{author_id}/strikes", summary="An author's strike ledger and account status")
def author_strikes(author_id: str, request: Request, _key=Depends(require("read"))):
    with state(request).db.read() as session:
        return {"author_id": author_id, **strikes.account_status(session, author_id),
                "active_strikes": strikes.active_strikes(session, author_id),
                "ledger": [strikes.entry_json(e) for e in strikes.ledger(session, author_id)]}


@router.post("/v1/decisions/{decision_id}:appeal", status_code=202,
             summary="File the author's appeal against a decision; it joins the appeals review queue")
def appeal_decision(decision_id: str, body: Appeal, request: Request, _key=Depends(require("moderate"))):
    from seawall.review.appeals import file_appeal

    with state(request).db.session() as session:
        appeal = file_appeal(session, decision_id, statement=body.statement, author_id=body.author_id)
        return {"appeal_id": appeal.id, "decision_id": decision_id, "review_item_id": appeal.item_id,
                "status": "queued"}


@router.post("/v1/strikes/{entry_id}:reverse", summary="Reverse a strike, suspension or ban (appeal upheld)")
def reverse_strike(entry_id: int, body: Reverse, request: Request, _key=Depends(require("review"))):
    with state(request).db.session() as session:
        return strikes.entry_json(strikes.reverse(session, entry_id, body.reason))


@router.get("/v1/review/queues", summary="Review queues and how many items wait in each")
def review_queues(request: Request, _key=Depends(require("review"))):
    with state(request).db.read() as session:
        return {"queues": [{"queue": q.queue, "open": q.open} for q in review_queue.queues(session)]}


@router.get("/v1/review/queues/{queue}", summary="Items waiting in a queue, most urgent first")
def review_items(queue: str, request: Request, limit: int = Query(50, ge=1, le=500),
                 _key=Depends(require("review"))):
    with state(request).db.read() as session:
        return {"queue": queue,
                "items": [review_queue.item_json(i) for i in review_queue.list_queue(session, queue, limit=limit)]}
