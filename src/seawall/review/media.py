"""Open a stored item's media again, for the person reviewing it and for banking.

A decision stores the item as judged; media that came over the network were judged from a
temporary copy, so the caller's own reference (URL or data URL) is kept in
`meta.sources` and is what we reopen. URLs go through the same guarded fetcher as
moderation (no private addresses); local paths are read only when the item named one
(`seawall scan`, tests), which the HTTP API never accepts. Inline media of items held for
review is stored only as a digest, but its bytes were kept (`storage.media`) for a while:
that copy is what a person sees.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from seawall.content.limits import MediaLimits
from seawall.content.load import MediaFile, open_media
from seawall.errors import InvalidInput, NotFound, TooLarge
from seawall.storage.media import MediaStore
from seawall.types import Content

_FROM_ENV: Any = object()
_DATA_URL = re.compile(r"data:(?P<mime>[\w.+-]+/[\w.+-]+)?(?P<b64>;base64)?,", re.I)


def reference(content: Content | dict[str, Any], kind: str) -> str | None:
    """Where to read one medium from: a local copy while the item is being judged, else the
    caller's reference (`meta.sources`, then the stored field)."""
    if isinstance(content, Content):
        sources, stored = (content.meta or {}).get("sources") or {}, getattr(content, kind)
    else:
        sources, stored = (content.get("meta") or {}).get("sources") or {}, content.get(kind)
    if stored and "://" not in stored and not stored.startswith("data:") and Path(stored).is_file():
        return stored
    ref = sources.get(kind) if isinstance(sources, dict) else None
    return ref or stored


def kept_copy(content: Content | dict[str, Any], kind: str) -> str | None:
    """The SHA-256 of the `kind` copy kept for review, if Seawall kept one."""
    kept = (content.meta or {}).get("kept") if isinstance(content, Content) else content.get("kept")
    entry = kept.get(kind) if isinstance(kept, dict) else None
    return entry.get("sha256") if isinstance(entry, dict) else None


@contextlib.contextmanager
def open_item_media(content: Content | dict[str, Any], kind: str, *, limits: MediaLimits | None = None,
                    fetcher=None, kept: MediaStore | None = _FROM_ENV) -> Iterator[MediaFile]:
    """A checked local file of the item's `kind` medium; copies are deleted when the block ends.

    `kept` is where copies kept for review lie (by default as the environment says)."""
    limits = limits or MediaLimits()
    ref = reference(content, kind)
    if not ref:
        raise InvalidInput(f"the item has no {kind}")
    digest = kept_copy(content, kind)
    if digest and "://" not in ref and not Path(ref).is_file():
        store = MediaStore.from_env() if kept is _FROM_ENV else kept
        if store is None:
            raise InvalidInput(f"the {kind} was kept for review, but keeping media is turned off")
        try:
            path = store.path(digest)
        except NotFound as exc:
            raise InvalidInput(f"the {kind} was sent inline; {exc}") from None
        with open_media(str(path), kind, limits=limits) as media:
            yield media
        return
    if ref.lower().startswith("data:sha256="):
        raise InvalidInput(f"the {kind} was sent inline; Seawall keeps only its digest, not the {kind}")
    if ref[:5].lower() == "data:":
        with _data_file(ref, kind, limits) as path, open_media(str(path), kind, limits=limits) as media:
            yield media
        return
    if "://" in ref and fetcher is None:
        from seawall.content.fetch import Fetcher

        fetcher = Fetcher(timeout_s=limits.fetch_timeout_s, max_redirects=limits.fetch_max_redirects)
    with open_media(ref, kind, limits=limits, fetcher=fetcher) as media:
        yield media


@contextlib.contextmanager
def _data_file(url: str, kind: str, limits: MediaLimits) -> Iterator[Path]:
    m = _DATA_URL.match(url)
    if not m or not m.group("b64"):
        raise InvalidInput(f"{kind} data URL must be `data:<type>;base64,<data>`")
    payload = url[m.end():]
    limit = limits.max_bytes(kind)
    if len(payload) * 3 // 4 > limit + 3:
        raise TooLarge(f"{kind} data URL decodes to more than {limit} bytes")
    try:
        raw = base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidInput(f"{kind} data URL is not valid base64") from None
    with tempfile.NamedTemporaryFile(prefix=f"seawall-review-{kind}-") as tmp:
        tmp.write(raw)
        tmp.flush()
        yield Path(tmp.name)
