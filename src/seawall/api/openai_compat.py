"""`POST /v1/moderations`: the OpenAI moderation request and response shapes, exactly.

Nothing is stored: like the endpoint it mirrors, this classifies. Use `POST /v1/items`
for decisions that are recorded and enforced.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Literal, Union

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from seawall import taxonomy
from seawall.api.context import require, state, within_budget
from seawall.api.media import local_media
from seawall.errors import InvalidInput
from seawall.types import Content, Decision

router = APIRouter(tags=["OpenAI-compatible"])

MODEL = "seawall-moderation-1"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ImageURL(_Model):
    url: Annotated[str, StringConstraints(min_length=1, max_length=12_000_000)]
    detail: Literal["auto", "low", "high"] | None = None


class TextPart(_Model):
    type: Literal["text"]
    text: str


class ImagePart(_Model):
    type: Literal["image_url"]
    image_url: ImageURL


Part = Annotated[Union[TextPart, ImagePart], Field(discriminator="type")]


class ModerationRequest(_Model):
    input: Union[str, list[str], list[Part]]
    model: Annotated[str, StringConstraints(max_length=200)] | None = None


def _contents(req: ModerationRequest, max_inputs: int, max_chars: int) -> list[Content]:
    items = req.input
    if isinstance(items, str):
        items = [items]
    if not items:
        raise InvalidInput("input must not be empty")
    if isinstance(items[0], str):
        if len(items) > max_inputs:
            raise InvalidInput(f"at most {max_inputs} inputs per request")
        out = []
        for i, text in enumerate(items):
            if len(text) > max_chars:
                raise InvalidInput(f"input[{i}] is longer than {max_chars} characters")
            out.append(Content(id=f"input-{i}", text=text))
        return out
    # A list of parts is one multimodal input, as in the OpenAI API.
    texts = [p.text for p in items if isinstance(p, TextPart)]
    images = [p.image_url.url for p in items if isinstance(p, ImagePart)]
    if len(images) > 1:
        raise InvalidInput("at most one image_url part per request")
    text = "\n".join(texts) or None
    if text and len(text) > max_chars:
        raise InvalidInput(f"input text is longer than {max_chars} characters")
    return [Content(id="input-0", text=text, image=images[0] if images else None)]


def result_json(decision: Decision, content: Content) -> dict:
    present = [t for t in ("text", "image") if getattr(content, t)]
    return {
        "flagged": any(decision.categories[n] for n in taxonomy.OPENAI_NAMES),
        "categories": {n: bool(decision.categories[n]) for n in taxonomy.OPENAI_NAMES},
        "category_scores": {n: float(decision.category_scores[n]) for n in taxonomy.OPENAI_NAMES},
        "category_applied_input_types": {
            n: [t for t in present if t in taxonomy.get(n).input_types] for n in taxonomy.OPENAI_NAMES},
    }


@router.post("/v1/moderations", summary="Classify text and images (OpenAI moderation shape)")
async def moderations(body: ModerationRequest, request: Request, _key=Depends(require("moderate"))):
    st = state(request)
    contents = _contents(body, st.max_inputs, st.settings.max_text_chars)
    live = st.dispatcher.policies.current().live

    def run() -> list[dict]:
        out = []
        for content in contents:
            if content.image:
                with local_media(content.image, "image") as path:
                    decision = st.dispatcher.moderate(Content(id=content.id, text=content.text, image=path),
                                                      policy=live)
            else:
                decision = st.dispatcher.moderate(content, policy=live)
            st.metrics.decisions.labels(decision.action, "openai").inc()
            out.append(result_json(decision, content))
        return out

    results = await within_budget(st, run)
    return {"id": f"modr-{uuid.uuid4().hex}", "model": MODEL, "results": results}
