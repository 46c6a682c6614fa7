"""Turn media a caller sent over the network into checked local files, never reading our own disk.

Accepted: http(s) URLs (fetched by seawall.content.fetch, which refuses private, loopback
and link-local addresses at every redirect) and, for images, `data:` URLs (decoded under
SEAWALL_HOME with a size limit). Local paths are refused: over HTTP they would let a
caller make the server read its own files.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import dataclasses
import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from seawall.content.fetch import Fetcher
from seawall.content.limits import MediaLimits
from seawall.content.load import open_media
from seawall.errors import InvalidInput, TooLarge, UnsupportedMedia
from seawall.types import Content

MEDIA = ("image", "video", "audio")
_DATA_URL = re.compile(r"^data:(?P<mime>[\w.+-]+/[\w.+-]+)?(?P<params>(;[\w.+-]+=[\w.+-]+)*)(?P<b64>;base64)?,",
                       re.I)


@dataclasses.dataclass
class MediaConfig:
    """How network media is loaded; tests swap the fetcher for one with a fake resolver."""

    limits: MediaLimits = dataclasses.field(default_factory=MediaLimits)
    fetcher: Fetcher | None = None
    tmp_dir: Path | None = None

    def get_fetcher(self) -> Fetcher:
        if self.fetcher is None:
            self.fetcher = Fetcher(timeout_s=self.limits.fetch_timeout_s,
                                   max_redirects=self.limits.fetch_max_redirects)
        return self.fetcher


CONFIG = MediaConfig()


def configure(*, fetcher: Fetcher | None = None, limits: MediaLimits | None = None,
              tmp_dir: Path | None = None) -> MediaConfig:
    if fetcher is not None:
        CONFIG.fetcher = fetcher
    if limits is not None:
        CONFIG.limits = limits
    if tmp_dir is not None:
        CONFIG.tmp_dir = tmp_dir
    return CONFIG


def _tmp_dir() -> Path:
    if CONFIG.tmp_dir is not None:
        d = CONFIG.tmp_dir
    else:
        from seawall.settings import get_settings

        d = get_settings().home / "tmp"
    d.mkdir(parents=True, exist_ok=True)
    return d


@contextlib.contextmanager
def _data_url_file(url: str, kind: str) -> Iterator[Path]:
    m = _DATA_URL.match(url)
    if not m or not m.group("b64"):
        raise InvalidInput(f"{kind} data URL must be `data:<type>;base64,<data>`")
    mime = (m.group("mime") or "").lower()
    if kind == "image" and mime and not mime.startswith("image/"):
        raise UnsupportedMedia(f"data URL type {mime!r} is not an image")
    payload = url[m.end():]
    limit = CONFIG.limits.max_bytes(kind)
    if len(payload) * 3 // 4 > limit + 3:
        raise TooLarge(f"{kind} data URL decodes to more than {limit} bytes")
    try:
        raw = base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidInput(f"{kind} data URL is not valid base64") from None
    fd, name = tempfile.mkstemp(prefix=f"seawall-{kind}-", dir=_tmp_dir())
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(raw)
        yield Path(name)
    finally:
        with contextlib.suppress(OSError):
            os.unlink(name)


@contextlib.contextmanager
def local_media(ref: str, kind: str) -> Iterator[str]:
    """Yield a local path for a URL or data URL; the copy is deleted when the block ends."""
    if not isinstance(ref, str) or not ref:
        raise InvalidInput(f"{kind} must be a URL")
    if ref[:5].lower() == "data:":
        if kind != "image":
            raise InvalidInput(f"{kind} must be an http(s) URL; data URLs are accepted for images only")
        with _data_url_file(ref, kind) as path, open_media(str(path), kind, limits=CONFIG.limits) as media:
            yield str(media.path)
        return
    with open_media(ref, kind, limits=CONFIG.limits, fetcher=CONFIG.get_fetcher(), allow_local=False) as media:
        yield str(media.path)


@contextlib.contextmanager
def with_local_media(content: Content) -> Iterator[Content]:
    """The same item with each media reference replaced by a checked local copy."""
    with contextlib.ExitStack() as stack:
        changes = {}
        for kind in MEDIA:
            ref = getattr(content, kind)
            if ref:
                changes[kind] = stack.enter_context(local_media(ref, kind))
        if changes:
            meta = {**content.meta, "sources": {k: getattr(content, k) for k in changes}}
            yield dataclasses.replace(content, meta=meta, **changes)
        else:
            yield content


ITEM_FIELDS = ("id", "text", "image", "video", "audio", "author_id", "surface", "lang")


# Meta keys Seawall itself sets (where media came from, where a kept copy lies): a caller's
# own values would point review at files or media of its choosing.
RESERVED_META = ("sources", "kept")


def content_of_item(item: dict[str, Any]) -> Content:
    """A Content from a validated native item (see api.schemas.Item)."""
    meta: dict[str, Any] = {k: v for k, v in (item.get("meta") or {}).items() if k not in RESERVED_META}
    if item.get("author"):
        meta["author"] = {k: v for k, v in item["author"].items() if v is not None}
    if item.get("reach") is not None:
        meta["reach"] = item["reach"]
    if item.get("created_at"):
        meta["created_at"] = item["created_at"]
    return Content(**{k: item.get(k) for k in ITEM_FIELDS}, meta=meta)


@contextlib.contextmanager
def content_from_item(item: dict[str, Any]) -> Iterator[Content]:
    """Validated item → Content with local media copies (the worker and the API both use this)."""
    with with_local_media(content_of_item(item)) as content:
        # Decisions record the caller's references, not our temporary paths.
        yield content
