"""HTTP routes for banks: native /v1/banks and HMA-compatible /h/hash and /m/lookup.

The HMA routes keep HMA's request parameters and response shapes, so an HMA client can
switch by changing its base URL: /h/hash answers {signal_type: hash}; /m/lookup answers
{bank_name: [{"bank_content_id", "distance"}]} (keyed by signal type first when media is
given instead of a hash); errors are {"message": ...} with HMA's status codes.
"""

from __future__ import annotations

import functools
import io
import random
import tempfile
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, File, Query, Request, UploadFile
from fastapi.responses import JSONResponse, Response, StreamingResponse
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from seawall.banks.service import BankService, get_service
from seawall.errors import InvalidInput, SeawallError, TooLarge

router = APIRouter()

# HMA signal type names → our kinds (HMA's names first, ours also accepted).
SIGNAL_TYPES = {"pdq": "pdq", "vpdq": "vpdq", "video_md5": "md5", "video_sha256": "sha256",
                "md5": "md5", "sha256": "sha256", "text": "text"}
_HMA_NAME = {"pdq": "pdq", "vpdq": "vpdq", "md5": "video_md5", "sha256": "video_sha256",
             "text": "text"}
_CONTENT_TYPES = {"photo": ("pdq",), "video": ("video_md5", "vpdq")}


def bank_service() -> BankService:
    """The dependency every route uses; an app may override it (tests, multi-tenant)."""
    return get_service()


def _errors(hma: bool = False):
    """Seawall errors as JSON with their status: HMA's {"message"} on HMA routes."""
    def wrap(fn):
        @functools.wraps(fn)
        def inner(*args, **kwargs):
            try:
                return fn(*args, **kwargs)
            except SeawallError as exc:
                body = {"message": str(exc)} if hma else {"error": exc.to_json()}
                return JSONResponse(body, status_code=exc.http_status)
        return inner
    return wrap


# -- native ----------------------------------------------------------------------------------
class BankIn(BaseModel):
    name: str
    kind: str
    distance: int | None = None
    negative: bool = False
    enabled: bool = True
    category: str | None = None
    description: str = ""
    options: dict[str, Any] = Field(default_factory=dict)


class BankPatch(BaseModel):
    enabled: bool | None = None
    distance: int | None = None
    negative: bool | None = None
    category: str | None = None
    description: str | None = None
    options: dict[str, Any] | None = None
    name: str | None = None


class EntriesIn(BaseModel):
    hashes: list[str]
    category: str | None = None
    reason: str | None = None
    source: str | None = None
    added_by: str | None = None
    external_id: str | None = None


class EntriesOut(BaseModel):
    entry_ids: list[int] = Field(default_factory=list)
    hashes: list[str] = Field(default_factory=list)


class MatchIn(BaseModel):
    kind: str
    hashes: list[str] = Field(max_length=10_000)
    banks: list[str] | None = None
    # Per hash, the PDQ of its picture's edits ({"mirror": ..., "middle": ...}); see robust.
    edits: list[dict[str, str]] | None = None


@router.get("/v1/banks", tags=["banks"])
@_errors()
def list_banks(svc: BankService = Depends(bank_service)):
    return {"banks": [b.to_json() for b in svc.list_banks(fresh=True)]}


@router.post("/v1/banks", tags=["banks"], status_code=201)
@_errors()
def create_bank(body: BankIn, svc: BankService = Depends(bank_service)):
    return svc.create_bank(body.name, body.kind, distance=body.distance, negative=body.negative,
                           category=body.category, description=body.description,
                           options=body.options, enabled=body.enabled).to_json()


@router.get("/v1/banks/{name}", tags=["banks"])
@_errors()
def get_bank(name: str, svc: BankService = Depends(bank_service)):
    return svc.stats(name)


@router.patch("/v1/banks/{name}", tags=["banks"])
@_errors()
def update_bank(name: str, body: BankPatch, svc: BankService = Depends(bank_service)):
    return svc.update_bank(name, enabled=body.enabled, distance=body.distance,
                           negative=body.negative, category=body.category,
                           description=body.description, options=body.options,
                           new_name=body.name).to_json()


@router.delete("/v1/banks/{name}", tags=["banks"], status_code=204)
@_errors()
def delete_bank(name: str, svc: BankService = Depends(bank_service)):
    svc.delete_bank(name)
    return Response(status_code=204)


@router.post("/v1/banks/{name}/entries", tags=["banks"], status_code=201)
@_errors()
def add_entries(name: str, body: EntriesIn, svc: BankService = Depends(bank_service)):
    return svc.add_entries(name, body.hashes, category=body.category, reason=body.reason,
                           source=body.source, added_by=body.added_by,
                           external_id=body.external_id).to_json()


@router.post("/v1/banks/{name}/images", tags=["banks"], status_code=201)
@_errors()
def add_images(name: str, photo: list[UploadFile] = File(...), category: str | None = None,
               reason: str | None = None, source: str | None = None,
               added_by: str | None = None, external_id: str | None = None,
               svc: BankService = Depends(bank_service)):
    """Bank pictures themselves (multipart, each file named `photo`): a robust bank then also
    finds cropped, turned, mirrored and captioned copies (docs/banks.md)."""
    from seawall.content.limits import MediaLimits
    from seawall.content.load import decode_image

    limits = MediaLimits()
    pictures = []
    for upload in photo:
        buf = io.BytesIO()
        _copy_upload(upload, buf, limits.max_bytes("image"), "photo")
        pictures.append(decode_image(buf.getvalue(), limits=limits).rgb)
    return svc.add_images(name, pictures, category=category, reason=reason, source=source,
                          added_by=added_by, external_id=external_id).to_json()


@router.post("/v1/banks/{name}/entries/remove", tags=["banks"])
@_errors()
def remove_entries(name: str, body: EntriesOut, svc: BankService = Depends(bank_service)):
    return {"removed": svc.remove_entries(name, entry_ids=body.entry_ids, hashes=body.hashes)}


@router.post("/v1/banks/{name}/entries/{entry_id}/release", tags=["banks"])
@_errors()
def release_entry(name: str, entry_id: int, by: str | None = None,
                  svc: BankService = Depends(bank_service)):
    svc.release_entry(name, entry_id, by=by)
    return {"released": entry_id}


@router.post("/v1/banks/{name}/import", tags=["banks"])
async def import_entries(name: str, request: Request, format: str | None = None,
                         source: str | None = None, added_by: str | None = None,
                         reason: str | None = None, category: str | None = None,
                         svc: BankService = Depends(bank_service)):
    """The request body is the file itself (any format banks.formats reads)."""
    from seawall.banks.formats import MAX_IMPORT_BYTES

    try:
        data = bytearray()
        async for chunk in request.stream():
            data += chunk
            if len(data) > MAX_IMPORT_BYTES:
                raise TooLarge(f"import is over the limit of {MAX_IMPORT_BYTES} bytes")
        defaults = {"source": source, "added_by": added_by, "reason": reason,
                    "category": category}
        report = await run_in_threadpool(svc.import_file, name, io.BytesIO(bytes(data)),
                                         fmt=format, defaults=defaults)
        return report.to_json()
    except SeawallError as exc:
        return JSONResponse({"error": exc.to_json()}, status_code=exc.http_status)


@router.get("/v1/banks/{name}/export", tags=["banks"])
@_errors()
def export_entries(name: str, format: str = "csv", include_quarantined: bool = False,
                   svc: BankService = Depends(bank_service)):
    from seawall.banks.formats import FORMATS

    if format not in FORMATS or format == "te-csv":
        raise InvalidInput(f"cannot export as {format!r}; valid: csv, te, jsonl")
    svc.get_bank(name)  # a missing bank is a 404 now, not a broken stream later
    media = {"csv": "text/csv", "jsonl": "application/x-ndjson"}.get(format, "text/plain")

    def body():
        buf = io.StringIO()
        for _ in svc.export_chunks(name, buf, format, include_quarantined=include_quarantined):
            yield buf.getvalue()
            buf.seek(0)
            buf.truncate()

    return StreamingResponse(body(), media_type=media)


@router.post("/v1/match", tags=["banks"])
@_errors()
def match(body: MatchIn, svc: BankService = Depends(bank_service)):
    results = svc.match(body.kind, body.hashes, banks=body.banks, edits=body.edits)
    return {"results": [{"hash": h, "matches": [m.to_json() for m in ms]}
                        for h, ms in zip(body.hashes, results)]}


# -- HMA compatible ---------------------------------------------------------------------------
def _kind(signal_type: str) -> str:
    kind = SIGNAL_TYPES.get(signal_type)
    if kind is None:
        raise InvalidInput(f"No such SignalType '{signal_type}'")
    return kind


def _hma_lookup(svc: BankService, signal: str, signal_type: str, banks: str | None,
                seed: str | None, bypass_coinflip: bool = False,
                edits: dict[str, str] | None = None) -> dict[str, list[dict]]:
    kind = _kind(signal_type)
    wanted = set(banks.split(",")) if banks else None
    matches = svc.match(kind, [signal], edits=[edits] if edits else None)[0]
    # HMA's matching_enabled_ratio: a bank may act on a seeded share of lookups only.
    coin = 0.0 if bypass_coinflip else random.Random(seed).random()
    by_bank: dict[str, list[dict]] = {}
    ratios = {b.name: float(b.options.get("matching_enabled_ratio", 1.0)) for b in svc.list_banks()}
    for m in matches:
        if not m.actionable or (wanted and m.bank not in wanted) or ratios.get(m.bank, 1) < coin:
            continue
        by_bank.setdefault(m.bank, []).append({"bank_content_id": m.entry_id,
                                               "distance": str(m.distance)})
    return by_bank


@router.get("/m/lookup", tags=["hma"])
@_errors(hma=True)
def hma_lookup(signal: str | None = None, signal_type: str | None = None,
               url: str | None = None, content_type: str | None = None,
               types: str | None = None, banks: str | None = None, seed: str | None = None,
               svc: BankService = Depends(bank_service)):
    if url:
        edits = {} if svc.wants_query_edits() else None
        hashes = _hash_url(url, content_type, types, edits)
        resp = {st: _hma_lookup(svc, h, st, banks, seed, edits=(edits or {}).get(st))
                for st, h in hashes.items() if h}
        return resp.get(signal_type, {}) if signal_type else resp
    if not signal or not signal_type:
        raise InvalidInput("Either url or both signal and signal_type are required")
    return _hma_lookup(svc, signal, signal_type, banks, seed)


@router.post("/m/lookup", tags=["hma"])
@_errors(hma=True)
def hma_lookup_post(photo: UploadFile | None = File(None), video: UploadFile | None = File(None),
                    banks: str | None = None, seed: str | None = None,
                    bypass_coinflip: bool = False, types: str | None = None,
                    svc: BankService = Depends(bank_service)):
    edits = {} if svc.wants_query_edits() else None
    hashes = _hash_upload(photo, video, types, edits)
    return {st: _hma_lookup(svc, h, st, banks, seed, bypass_coinflip, (edits or {}).get(st))
            for st, h in hashes.items() if h}


@router.get("/m/raw_lookup", tags=["hma"])
@_errors(hma=True)
def hma_raw_lookup(signal: str, signal_type: str, include_distance: bool = False,
                   banks: str | None = None, svc: BankService = Depends(bank_service)):
    wanted = set(banks.split(",")) if banks else None
    matches = [m for m in svc.match(_kind(signal_type), [signal], record=False)[0]
               if not m.negative and (not wanted or m.bank in wanted)]
    if include_distance:
        return {"matches": [{"bank_content_id": m.entry_id, "distance": str(m.distance)}
                            for m in matches]}
    return {"matches": [m.entry_id for m in matches]}


@router.get("/m/index/status", tags=["hma"])
@_errors(hma=True)
def hma_index_status(signal_type: str | None = None, svc: BankService = Depends(bank_service)):
    names = [signal_type] if signal_type else sorted(set(_HMA_NAME.values()))
    out = {}
    for name in names:
        kind = _kind(name)
        banks = [b for b in svc.list_banks() if b.kind == kind]
        # Entries, not index rows: a robust bank indexes a banked picture's edits beside it.
        sizes = [svc.stats(b.name)["entries"] for b in banks]
        built = max((int(b.updated_at.timestamp()) for b in banks), default=-1)
        out[name] = {"present": bool(banks), "built_to": built, "size": sum(sizes)}
    return out


@router.get("/h/hash", tags=["hma"])
@_errors(hma=True)
def hma_hash(url: str | None = Query(None), content_type: str | None = None,
             types: str | None = None):
    if not url:
        raise InvalidInput("url is required")
    return _hash_url(url, content_type, types)


@router.post("/h/hash", tags=["hma"])
@_errors(hma=True)
def hma_hash_post(photo: UploadFile | None = File(None), video: UploadFile | None = File(None),
                  types: str | None = None):
    return _hash_upload(photo, video, types)


# -- hashing media for the HMA routes ----------------------------------------------------------
def _wanted_types(content_type: str, types: str | None) -> tuple[str, ...]:
    if content_type not in _CONTENT_TYPES:
        raise InvalidInput(f"no such content_type: '{content_type}'")
    if not types:
        return _CONTENT_TYPES[content_type]
    out = tuple(t.strip() for t in types.split(",") if t.strip())
    allowed = {"photo": {"pdq", "md5", "sha256", "video_md5", "video_sha256"},
               "video": {"vpdq", "md5", "sha256", "video_md5", "video_sha256"}}[content_type]
    bad = [t for t in out if t not in allowed]
    if bad or not out:
        raise InvalidInput(f"signal type '{(bad or [''])[0]}' doesn't exist or is disabled")
    return out


def _hash_url(url: str, content_type: str | None, types: str | None,
              edits: dict | None = None) -> dict[str, str]:
    from seawall.content.fetch import Fetcher
    from seawall.content.limits import MediaLimits
    from seawall.content.load import open_media

    kind = {"photo": "image", "video": "video", None: None}.get(content_type, "?")
    if kind == "?":
        raise InvalidInput(f"no such content_type: '{content_type}'")
    kind = kind or ("video" if Path(url.split("?")[0]).suffix.lower() in
                    (".mp4", ".mov", ".webm", ".mkv", ".avi") else "image")
    with open_media(url, kind, limits=MediaLimits(), fetcher=Fetcher(), allow_local=False) as media:
        return _hash_media(media, "photo" if kind == "image" else "video", types, edits)


def _hash_upload(photo, video, types: str | None, edits: dict | None = None) -> dict[str, str]:
    from seawall.content.limits import MediaLimits
    from seawall.content.load import open_media

    files = [(n, f) for n, f in (("photo", photo), ("video", video)) if f is not None]
    if len(files) != 1:
        raise InvalidInput("Missing multipart/form-data file upload" if not files
                           else "Only one file allowed per request")
    content_type, upload = files[0]
    kind = "image" if content_type == "photo" else "video"
    limits = MediaLimits()
    with tempfile.NamedTemporaryFile(prefix="seawall-hma-") as tmp:
        _copy_upload(upload, tmp, limits.max_bytes(kind), content_type)
        tmp.flush()
        with open_media(tmp.name, kind, limits=limits) as media:
            return _hash_media(media, content_type, types, edits)


def _copy_upload(upload, out, limit: int, label: str) -> None:
    """Copy an uploaded file to `out` a chunk at a time, refusing it past `limit` bytes."""
    size = 0
    while chunk := upload.file.read(1 << 20):
        size += len(chunk)
        if size > limit:
            raise TooLarge(f"{label} is over the limit of {limit} bytes")
        out.write(chunk)


def _hash_media(media, content_type: str, types: str | None,
                edits: dict | None = None) -> dict[str, str]:
    """The wanted hashes of one file; given `edits`, a picture's edited copies' PDQ go there."""
    from seawall.content.limits import MediaLimits

    wanted = _wanted_types(content_type, types)
    out: dict[str, str] = {}
    for t in wanted:
        if t in ("md5", "video_md5"):
            out[t] = media.md5
        elif t in ("sha256", "video_sha256"):
            out[t] = media.sha256
    if "pdq" in wanted:
        from seawall.content.load import decode_image
        from seawall.signals.hashers import get_hasher

        rgb = decode_image(media, limits=MediaLimits()).rgb
        h = get_hasher("pdq").hash_image(rgb)
        # HMA answers an empty hash for an image too poor to hash reliably.
        out["pdq"] = h.hex if h.quality >= get_hasher("pdq").quality_threshold else ""
        if edits is not None and out["pdq"]:
            edits["pdq"] = get_hasher("pdq").query_hashes(rgb)
    if "vpdq" in wanted:
        from seawall.content.decode import decode_media

        decoded = decode_media(media, limits=MediaLimits(), want_audio=False)
        out["vpdq"] = get_vpdq_string(decoded.vpdq)
    return out


def get_vpdq_string(features) -> str:
    from seawall.signals.hashers import VpdqFrame, get_hasher

    return get_hasher("vpdq").format_frames(
        VpdqFrame(f.pdq_hex, f.quality, f.timestamp) for f in features)
