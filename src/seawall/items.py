"""Items as JSON: the one parser of incoming items and writer of outgoing decisions,
shared by `seawall scan` and the HTTP API so both edges accept and answer the same."""

from __future__ import annotations

from typing import Any

from seawall import taxonomy
from seawall.errors import InvalidInput, TooLarge
from seawall.types import Content, Decision

ITEM_FIELDS = frozenset({"id", "text", "image", "video", "audio", "author_id", "surface", "lang", "meta"})
MEDIA_FIELDS = ("image", "video", "audio")
MAX_TEXT_CHARS = 100_000
MAX_FIELD_CHARS = 4096


def content_from_json(obj: Any, *, max_text_chars: int = MAX_TEXT_CHARS) -> Content:
    """Validate one item; every problem is an InvalidInput/TooLarge with a clear message."""
    if not isinstance(obj, dict):
        raise InvalidInput(f"an item must be a JSON object, got {type(obj).__name__}")
    unknown = sorted(set(obj) - ITEM_FIELDS)
    if unknown:
        raise InvalidInput(f"unknown field(s) {unknown}; valid: {sorted(ITEM_FIELDS)}", code="unknown_field")
    item_id = obj.get("id")
    if item_id is None or isinstance(item_id, bool) or not isinstance(item_id, (str, int)):
        raise InvalidInput("`id` is required and must be a string or an integer", code="missing_id")
    if isinstance(item_id, str) and len(item_id) > MAX_FIELD_CHARS:
        raise TooLarge("`id` is too long")
    text = obj.get("text")
    if text is not None:
        if not isinstance(text, str):
            raise InvalidInput("`text` must be a string")
        if len(text) > max_text_chars:
            raise TooLarge(f"`text` has {len(text):,} characters; the limit is {max_text_chars:,}")
        if "\x00" in text:
            text = text.replace("\x00", "")  # NUL is never content; databases reject it
    for f in (*MEDIA_FIELDS, "author_id", "surface", "lang"):
        v = obj.get(f)
        if v is not None and (not isinstance(v, str) or not v or len(v) > MAX_FIELD_CHARS):
            raise InvalidInput(f"`{f}` must be a non-empty string of at most {MAX_FIELD_CHARS} characters")
    meta = obj.get("meta") or {}
    if not isinstance(meta, dict):
        raise InvalidInput("`meta` must be an object")
    if not (text is not None and text.strip()) and not any(obj.get(f) for f in MEDIA_FIELDS):
        raise InvalidInput("an item needs a non-empty `text` or one of `image`, `video`, `audio`",
                           code="empty_item")
    return Content(id=str(item_id), text=text if text and text.strip() else None,
                   image=obj.get("image"), video=obj.get("video"), audio=obj.get("audio"),
                   author_id=obj.get("author_id"), surface=obj.get("surface"), lang=obj.get("lang"),
                   meta=meta)


def decision_to_json(item_id: Any, d: Decision) -> dict:
    """The scan contract's output line (DESIGN.md), extended compatibly."""
    scores = {n: round(float(d.category_scores.get(n, 0.0)), 6) for n in taxonomy.NAMES}
    cats = {n: bool(d.categories.get(n, False)) for n in taxonomy.NAMES}
    out = {"id": item_id, "flagged": d.flagged, "action": d.action, "categories": cats,
           "category_scores": scores, "evidence": [e.to_json() for e in d.evidence]}
    if d.rules:
        out["rules"] = list(d.rules)
    if d.policy_version:
        out["policy_version"] = d.policy_version
    for k in ("lang", "tier", "models"):
        if k in d.meta:
            out[k] = d.meta[k]
    return out


def error_to_json(item_id: Any, code: str, message: str) -> dict:
    return {"id": item_id, "error": {"code": code, "message": message}}
