"""`POST /v1alpha1/comments:analyze`: Perspective's request and response shapes, for its orphaned clients.

Attributes are computed from the taxonomy (PERSPECTIVE_ATTRIBUTES: the max of the
mapped categories). `summaryScore` scores the whole comment; `spanScores` hold one span
for the whole text, or one per sentence when `spanAnnotations` is true.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from seawall import taxonomy
from seawall.api.context import require, state, within_budget
from seawall.errors import InvalidInput
from seawall.types import Content, Decision

router = APIRouter(tags=["Perspective-compatible"])

MAX_SENTENCES = 20
_SENTENCE = re.compile(r"[^.!?\n]+[.!?]*\s*|\n+")
_TAG = re.compile(r"<[^>]{0,1000}>")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class Comment(_Model):
    text: Annotated[str, StringConstraints(max_length=100_000)]
    type: Literal["PLAIN_TEXT", "HTML"] = "PLAIN_TEXT"


class AttributeRequest(_Model):
    scoreType: Literal["PROBABILITY"] = "PROBABILITY"
    scoreThreshold: float | None = Field(None, ge=0.0, le=1.0)


class Context(_Model):
    entries: list[Comment] = Field(default_factory=list, max_length=50)


class AnalyzeRequest(_Model):
    comment: Comment
    requestedAttributes: dict[Annotated[str, StringConstraints(max_length=64)], AttributeRequest] = Field(
        min_length=1, max_length=20)
    languages: list[Annotated[str, StringConstraints(max_length=16)]] | None = Field(None, max_length=10)
    doNotStore: bool | None = None
    clientToken: Annotated[str, StringConstraints(max_length=500)] | None = None
    sessionId: Annotated[str, StringConstraints(max_length=500)] | None = None
    communityId: Annotated[str, StringConstraints(max_length=500)] | None = None
    spanAnnotations: bool | None = None
    context: Context | None = None


def attribute_name(requested: str) -> str:
    base = requested.upper().removesuffix("_EXPERIMENTAL")
    if base not in taxonomy.PERSPECTIVE_ATTRIBUTES:
        raise InvalidInput(f"Attribute {requested} is not supported; supported: "
                           + ", ".join(taxonomy.PERSPECTIVE_ATTRIBUTES))
    return base


def attribute_score(decision: Decision, attribute: str) -> float:
    return max(float(decision.category_scores[c]) for c in taxonomy.PERSPECTIVE_ATTRIBUTES[attribute])


def sentences(text: str) -> list[tuple[int, int]]:
    spans = [(m.start(), m.end()) for m in _SENTENCE.finditer(text) if m.group().strip()]
    return spans or [(0, len(text))]


def _score(value: float) -> dict[str, Any]:
    return {"value": round(value, 6), "type": "PROBABILITY"}


@router.post("/v1alpha1/comments:analyze", summary="Score a comment (Perspective API shape)")
async def analyze(body: AnalyzeRequest, request: Request, _key=Depends(require("moderate"))):
    st = state(request)
    text = _TAG.sub(" ", body.comment.text) if body.comment.type == "HTML" else body.comment.text
    if not text.strip():
        raise InvalidInput("Comment must be non-empty.")
    attrs = {name: attribute_name(name) for name in body.requestedAttributes}
    lang = body.languages[0] if body.languages else None
    live = st.dispatcher.policies.current().live

    def run():
        whole = st.dispatcher.moderate(Content(id="comment", text=text, lang=lang), policy=live)
        spans = sentences(text)
        per_span: list[tuple[int, int, Decision]] = []
        if body.spanAnnotations and 1 < len(spans) <= MAX_SENTENCES:
            for begin, end in spans:
                per_span.append((begin, end, st.dispatcher.moderate(
                    Content(id=f"span-{begin}", text=text[begin:end], lang=lang), policy=live)))
        return whole, per_span

    whole, per_span = await within_budget(st, run)
    st.metrics.decisions.labels(whole.action, "perspective").inc()
    scores: dict[str, Any] = {}
    for requested, attribute in attrs.items():
        summary = attribute_score(whole, attribute)
        threshold = body.requestedAttributes[requested].scoreThreshold
        if threshold is not None and summary < threshold:
            continue  # Perspective omits attributes under the requested threshold
        spans = [{"begin": b, "end": e, "score": _score(attribute_score(d, attribute))} for b, e, d in per_span] \
            or [{"begin": 0, "end": len(text), "score": _score(summary)}]
        scores[requested] = {"spanScores": spans, "summaryScore": _score(summary)}
    detected = sorted({str(s["meta"].get("lang")) for s in whole.meta.get("signals", [])
                       if isinstance(s.get("meta"), dict) and s["meta"].get("lang")})
    out: dict[str, Any] = {"attributeScores": scores, "languages": body.languages or detected or ["en"],
                           "detectedLanguages": detected or (body.languages or ["en"])}
    if body.clientToken is not None:
        out["clientToken"] = body.clientToken
    return out
