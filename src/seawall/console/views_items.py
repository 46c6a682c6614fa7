"""The item page and what a person does there: reveal media, decide, skip, escalate, reassign, judge appeals."""

from __future__ import annotations

import logging
from datetime import datetime

from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse, Response
from sqlalchemy import select

from seawall.console import blur
from seawall.console.auth import Ctx
from seawall.console.deps import ConsoleState, Posted, chrome, console_state, posted, signed_in
from seawall.console.render import ConsoleRoute, is_htmx, page, partial, redirect
from seawall.errors import InvalidInput, NotFound, SeawallError
from seawall.feedback.banking import banked_for
from seawall.review import appeals, audit, case, claims, verdicts, wellbeing
from seawall.review.media import open_item_media, reference
from seawall.review.queue import ReviewItem
from seawall.review.roles import APPEALS_QUEUE, ESCALATIONS_QUEUE, require_queue
from seawall.review.tables import AuditEvent, ConsoleUser
from seawall.review.users import principal
from seawall.storage.columns import utcnow

log = logging.getLogger(__name__)
router = APIRouter(route_class=ConsoleRoute)

# Where a person may send an item they cannot settle.
ESCALATION_TARGETS = (ESCALATIONS_QUEUE, "child-safety", "terrorism", "self-harm-support")
# One key per verdict, in ladder order; the same keys on every item page.
VERDICT_KEYS = {"allow": "1", "label": "2", "age_restrict": "3", "limit_reach": "4", "remove": "5",
                "remove_with_strike": "6", "suspend": "7", "ban": "8", "report": "9"}
MAX_PLAY_BYTES = 200 * 1024 * 1024


class NotRevealed(SeawallError):
    """The original media is served only after an audited reveal in this session."""

    code = "not_revealed"
    http_status = 403


def _item(s, ctx: Ctx, item_id: int) -> ReviewItem:
    item = s.get(ReviewItem, item_id)
    if item is None:
        raise NotFound(f"no review item {item_id}")
    require_queue(ctx.who, item.queue)
    return item


def revealed(s, ctx: Ctx, item_id: int) -> bool:
    """Whether this person revealed this item's media in this session (the audit log is the record)."""
    return s.scalar(select(AuditEvent.id).where(AuditEvent.actor == ctx.username, AuditEvent.item_id == item_id,
                                                 AuditEvent.action == "reveal_media",
                                                 AuditEvent.at >= ctx.session_started).limit(1)) is not None


@router.get("/items/{item_id}")
def item_page(request: Request, item_id: int, ctx: Ctx = Depends(signed_in)):
    st = console_state(request)
    now = utcnow()
    with st.db.session() as s:
        item = _item(s, ctx, item_id)
        c = case.load(s, item.id, viewer=ctx.username, now=now)
        sensitive = c.graphic or item.queue in ctx.who.restricted
        audit.record(s, ctx.username, "view_item", item_id=item.id, decision_id=item.decision_id, queue=item.queue,
                     sensitive=sensitive, now=now)
        user = s.get(ConsoleUser, ctx.user_id)
        wellbeing.note_seen(s, user, item.id, graphic=c.graphic, now=now)
        held_by_other = item.claimed_by if item.status == "claimed" and item.claimed_by != ctx.username else None
        reviewers = []
        if ctx.who.can("reassign"):
            reviewers = [u.username for u in s.scalars(select(ConsoleUser).where(ConsoleUser.active.is_(True)))
                         if principal(u).can("review") and principal(u).can_open_queue(item.queue)]
        return page(request, "item.html", case=c, item=item, revealed=revealed(s, ctx, item.id),
                    banked=banked_for(s, c.decision.content_id), held_by_other=held_by_other,
                    verdict_keys=VERDICT_KEYS, escalation_targets=[q for q in ESCALATION_TARGETS if q != item.queue],
                    reviewers=reviewers, now=now, **chrome(s, ctx))


@router.post("/items/{item_id}/reveal")
def reveal(request: Request, item_id: int, p: Posted = Depends(posted)):
    st = console_state(request)
    kind = p.get("kind", "image")
    if kind not in ("image", "video", "audio"):
        raise InvalidInput("reveal an image, video or audio")
    with st.db.session() as s:
        item = _item(s, p.ctx, item_id)
        c = case.load(s, item.id, viewer=p.ctx.username)
        audit.record(s, p.ctx.username, "reveal_media", item_id=item.id, decision_id=item.decision_id,
                     queue=item.queue, sensitive=True, detail={"kind": kind})
        wellbeing.note_seen(s, s.get(ConsoleUser, p.ctx.user_id), item.id, graphic=c.graphic, revealed=True)
    if is_htmx(request):
        return partial(request, "media_panel", c, True, p.ctx)
    return redirect(f"/console/items/{item_id}")


def _render_image(st: ConsoleState, content: dict, boxes: list, *, reveal: bool, settings: dict) -> bytes:
    from seawall.content.load import decode_image

    try:
        with open_item_media(content, "image", limits=st.limits, fetcher=st.fetcher, kept=st.media) as media:
            decoded = decode_image(media, limits=st.limits or _limits(), max_side=blur.MAX_SIDE)
        return blur.render(decoded.rgb, width=decoded.width, height=decoded.height, boxes=boxes, reveal=reveal,
                           blur=str(settings.get("blur", "strong")), grayscale=bool(settings.get("grayscale", True)))
    except SeawallError as exc:
        log.info("image unavailable for review: %s", exc)
        return blur.placeholder(f"image unavailable: {exc}")


def _limits():
    from seawall.content.limits import MediaLimits

    return MediaLimits()


@router.get("/items/{item_id}/media/image")
def image(request: Request, item_id: int, view: str = "protected", ctx: Ctx = Depends(signed_in)):
    st = console_state(request)
    with st.db.session() as s:
        item = _item(s, ctx, item_id)
        c = case.load(s, item.id, viewer=ctx.username)
        original = view == "original"
        if original and not revealed(s, ctx, item.id):
            raise NotRevealed("reveal the image first")
        content = c.content
        boxes = [e["box"] for e in c.evidence.get("image", []) if e.get("box")]
    picture = _render_image(st, content, boxes, reveal=original, settings=ctx.settings)
    # The placeholder is a PNG; rendered pictures are JPEG.
    kind = "image/png" if picture[:4] == b"\x89PNG" else "image/jpeg"
    return Response(picture, media_type=kind)


@router.get("/items/{item_id}/media/{kind}")
def play(request: Request, item_id: int, kind: str, ctx: Ctx = Depends(signed_in)):
    """Video or audio, only after an audited reveal; the page plays it muted."""
    if kind not in ("video", "audio"):
        raise NotFound(f"no {kind} here")
    st = console_state(request)
    with st.db.session() as s:
        item = _item(s, ctx, item_id)
        c = case.load(s, item.id, viewer=ctx.username)
        if not revealed(s, ctx, item.id):
            raise NotRevealed(f"reveal the {kind} first")
    ref = reference(c.content, kind)
    if not ref:
        raise NotFound(f"the item has no {kind}")
    with open_item_media(c.content, kind, limits=st.limits, fetcher=st.fetcher, kept=st.media) as media:
        mime = f"{kind}/{media.format}"
        if media.path == _local(ref):
            return FileResponse(media.path, media_type=mime)   # a local file: served with Range support
        if media.size > MAX_PLAY_BYTES:
            raise SeawallError(f"this {kind} is too large to play in the console", code="too_large")
        return Response(media.path.read_bytes(), media_type=mime)


def _local(ref: str):
    from pathlib import Path

    return Path(ref) if "://" not in ref and not ref.startswith("data:") else None


@router.post("/claims/{claim_id}/decide")
def decide(request: Request, claim_id: int, p: Posted = Depends(posted)):
    st = console_state(request)
    with st.db.session() as s:
        result = verdicts.decide(s, p.ctx.who, claim_id, p.get("action"), categories=p.all("category"),
                                 reason=p.get("reason"), subscribers=st.subscribers, policy=st.live_policy())
        item_id = result.verdict.item_id
    return redirect(f"/console/items/{item_id}?decided=1")


@router.post("/claims/{claim_id}/appeal")
def decide_appeal(request: Request, claim_id: int, p: Posted = Depends(posted)):
    st = console_state(request)
    with st.db.session() as s:
        claim = claims.get_claim(s, claim_id)
        appeals.decide_appeal(s, p.ctx.who, claim_id, p.get("outcome"), reason=p.get("reason"),
                              subscribers=st.subscribers)
        item_id = claim.item_id
    return redirect(f"/console/items/{item_id}?decided=1")


@router.post("/claims/{claim_id}/release")
def release(request: Request, claim_id: int, p: Posted = Depends(posted)):
    with console_state(request).db.session() as s:
        claim = claims.release(s, p.ctx.who, claim_id)
        queue = s.get(ReviewItem, claim.item_id).queue
    return redirect(f"/console/queues/{queue}")


@router.post("/claims/{claim_id}/renew")
def renew(request: Request, claim_id: int, p: Posted = Depends(posted)):
    with console_state(request).db.session() as s:
        claim = claims.renew(s, p.ctx.who, claim_id)
        expires: datetime = claim.expires_at
    return Response(status_code=204, headers={"X-Claim-Expires": expires.isoformat()})


@router.post("/claims/{claim_id}/escalate")
def escalate(request: Request, claim_id: int, p: Posted = Depends(posted)):
    target = p.get("to", ESCALATIONS_QUEUE)
    if target not in ESCALATION_TARGETS:
        raise InvalidInput(f"escalate to one of {', '.join(ESCALATION_TARGETS)}")
    with console_state(request).db.session() as s:
        claim = claims.get_claim(s, claim_id)
        queue = s.get(ReviewItem, claim.item_id).queue
        verdicts.escalate(s, p.ctx.who, claim_id, reason=p.get("reason"), to_queue=target)
    return redirect(f"/console/queues/{queue}?escalated=1")


@router.post("/items/{item_id}/reassign")
def reassign(request: Request, item_id: int, p: Posted = Depends(posted)):
    from seawall.review.users import get_user

    with console_state(request).db.session() as s:
        to = principal(get_user(s, p.get("to")))
        claims.reassign(s, p.ctx.who, item_id, to)
    return redirect(f"/console/items/{item_id}")


@router.get("/appeals")
def appeals_queue(request: Request, ctx: Ctx = Depends(signed_in)):
    return redirect(f"/console/queues/{APPEALS_QUEUE}")
