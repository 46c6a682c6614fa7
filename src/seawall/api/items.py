"""Native moderation: one item decided, stored and enforced now; or many, or slow media, as a job."""

from __future__ import annotations

import secrets

from fastapi import APIRouter, Depends, Header, Request, Response
from fastapi.responses import JSONResponse

from seawall.api.context import require, state, within_budget
from seawall.api.media import content_from_item
from seawall.api.schemas import Item, JobRequest
from seawall.errors import InvalidInput
from seawall.jobs.base import get_job, job_json

router = APIRouter(tags=["Items and jobs"])

IdemKey = Header(None, alias="Idempotency-Key", max_length=200,
                 description="A retried request with the same key returns the first decision")


def _scoped(key_name: str, idem: str | None, kind: str) -> str | None:
    # Keys are per API key, so two integrators cannot collide (or read each other's decisions).
    return f"{kind}:{key_name}:{idem}" if idem else None


@router.post("/v1/items", summary="Decide one item now (text and images); video and audio become a job")
async def create_item(item: Item, request: Request, response: Response,
                      idempotency_key: str | None = IdemKey, key=Depends(require("moderate"))):
    st = state(request)
    if not item.has_content():
        raise InvalidInput("an item needs text, image, video or audio")
    if item.text and len(item.text) > st.settings.max_text_chars:
        raise InvalidInput(f"text is longer than {st.settings.max_text_chars} characters")
    scoped = _scoped(key.name, idempotency_key, "item")
    if item.video or item.audio:
        # Decoding video and audio does not fit a request's latency budget.
        if not key.allows("jobs"):
            raise InvalidInput("video and audio are decided asynchronously; this key lacks the 'jobs' scope")
        return _submit(st, JobRequest(items=[item]), scoped, key.name)
    data = item.model_dump(exclude_none=True)

    def run():
        prior = st.dispatcher.existing(scoped)
        if prior is not None:
            return prior, False
        with content_from_item(data) as content:
            return st.dispatcher.process(content, idempotency_key=scoped, origin="api")

    decision, created = await within_budget(st, run)
    if created:
        st.metrics.decisions.labels(decision["action"], "items").inc()
    response.headers["Idempotent-Replayed"] = "false" if created else "true"
    return decision


def _submit(st, body: JobRequest, scoped: str | None, key_name: str) -> JSONResponse:
    if body.callback_url:
        st.targets.check(body.callback_url)  # refused now; checked again before each delivery
    secret = body.callback_secret or ("whsec_" + secrets.token_urlsafe(24) if body.callback_url else None)
    job, created = st.queue.submit("moderate", {"items": [i.model_dump(exclude_none=True) for i in body.items],
                                                "submitted_by": key_name},
                                   idempotency_key=scoped, callback_url=body.callback_url,
                                   callback_secret=secret)
    out = job_json(job)
    if created and body.callback_url and not body.callback_secret:
        out["callback_secret"] = secret  # shown once, to verify the callback's signature
    return JSONResponse(out, status_code=202 if created else 200,
                        headers={"Location": f"/v1/jobs/{job.id}",
                                 "Idempotent-Replayed": "false" if created else "true"})


@router.post("/v1/jobs", status_code=202, summary="Decide items asynchronously, with a signed callback")
def create_job(body: JobRequest, request: Request, idempotency_key: str | None = IdemKey,
               key=Depends(require("jobs"))):
    st = state(request)
    for item in body.items:
        if not item.has_content():
            raise InvalidInput(f"item {item.id!r} needs text, image, video or audio")
    return _submit(st, body, _scoped(key.name, idempotency_key, "job"), key.name)


@router.get("/v1/jobs/{job_id}", summary="A job's status and, when done, its decisions")
def read_job(job_id: str, request: Request, _key=Depends(require("jobs"))):
    with state(request).db.read() as session:
        return job_json(get_job(session, job_id))
