"""Media bytes kept on disk for people to review, under SEAWALL_HOME/media/<sha256>, for a limited time.

Media given by URL is fetched again when a person opens it; media that came inline (a
`data:` URL) or as a local file exists only while it is judged. For items the policy holds
for review, the dispatcher keeps those bytes here so the console can show what is judged.
Files are named by the SHA-256 of their bytes (the same picture is kept once), checked by
content sniffing before they are kept, and dropped `retention` after they were last kept.

Settings: `SEAWALL_REVIEW_MEDIA_DAYS` (default 30; 0 keeps nothing) and
`SEAWALL_REVIEW_MEDIA_MAX_BYTES` (default 25 MiB; larger media is not kept).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from seawall.content.limits import MediaLimits
from seawall.content.load import open_media
from seawall.errors import NotFound, SeawallError, TooLarge

DAYS_ENV = "SEAWALL_REVIEW_MEDIA_DAYS"
MAX_BYTES_ENV = "SEAWALL_REVIEW_MEDIA_MAX_BYTES"
DEFAULT_DAYS = 30.0
DEFAULT_MAX_BYTES = 25 * 1024 * 1024
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_PARTIAL = ".partial-"


@dataclass(frozen=True)
class MediaStore:
    """A content-addressed directory of kept media with a size limit and a retention period."""

    root: Path
    retention: timedelta = timedelta(days=DEFAULT_DAYS)
    max_bytes: int = DEFAULT_MAX_BYTES

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> "MediaStore | None":
        """The store the environment configures, or None when keeping is turned off (0 days)."""
        from seawall.settings import Settings

        env = dict(os.environ if env is None else env)
        days = _number(env, DAYS_ENV, DEFAULT_DAYS)
        max_bytes = int(_number(env, MAX_BYTES_ENV, DEFAULT_MAX_BYTES))
        if days == 0 or max_bytes == 0:
            return None
        return cls(Settings.from_env(env).home / "media", timedelta(days=days), max_bytes)

    @property
    def days(self) -> float:
        return self.retention.total_seconds() / 86400

    def keep(self, path: Path | str, kind: str) -> dict[str, Any]:
        """Copy one checked media file in; returns {"sha256", "format", "size"} to store with the item.

        Raises TooLarge over the size limit and UnsupportedMedia when its bytes are not an
        accepted format for `kind` (told by sniffing, never by name or declared type).
        """
        limits = MediaLimits(image_max_bytes=self.max_bytes, video_max_bytes=self.max_bytes,
                             audio_max_bytes=self.max_bytes)
        try:
            size = os.stat(path).st_size
        except OSError as exc:
            raise NotFound(f"{kind} to keep cannot be read: {exc.strerror or exc}") from None
        if size > self.max_bytes:
            raise TooLarge(f"{kind} is {size} bytes, over the {self.max_bytes} bytes kept for review")
        with open_media(str(path), kind, limits=limits) as media:
            self.root.mkdir(parents=True, exist_ok=True, mode=0o700)
            dest = self.root / media.sha256
            if dest.exists():
                os.utime(dest)  # kept again: its retention starts over
            else:
                fd, partial = tempfile.mkstemp(prefix=_PARTIAL, dir=self.root)
                try:
                    with os.fdopen(fd, "wb") as out, open(media.path, "rb") as src:
                        shutil.copyfileobj(src, out)
                    os.chmod(partial, 0o600)
                    os.replace(partial, dest)  # readers never see a half-written file
                except BaseException:
                    with contextlib.suppress(OSError):
                        os.unlink(partial)
                    raise
            return {"sha256": media.sha256, "format": media.format, "size": media.size}

    def path(self, sha256: str, *, now: float | None = None) -> Path:
        """The kept file, if it is still within retention; raises NotFound otherwise."""
        if not isinstance(sha256, str) or not _SHA256.match(sha256):
            raise NotFound("not a kept media digest")
        path = self.root / sha256
        try:
            mtime = path.stat().st_mtime
        except OSError:
            raise NotFound(f"the media kept for review is gone (kept {self.days:g} days)") from None
        if (now or time.time()) - mtime > self.retention.total_seconds():
            with contextlib.suppress(OSError):
                path.unlink()
            raise NotFound(f"the media kept for review is past its {self.days:g} days of retention")
        return path

    def prune(self, *, now: float | None = None) -> int:
        """Delete kept files past retention (and copies a crash left half-written); returns how many."""
        now = now or time.time()
        removed = 0
        try:
            entries = list(os.scandir(self.root))
        except FileNotFoundError:
            return 0
        for entry in entries:
            limit = 3600.0 if entry.name.startswith(_PARTIAL) else self.retention.total_seconds()
            try:
                if entry.is_file(follow_symlinks=False) and now - entry.stat().st_mtime > limit:
                    os.unlink(entry.path)
                    removed += 1
            except OSError:
                continue  # removed by another process meanwhile
        return removed


def _number(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise SeawallError(f"{name} must be a number, not {raw!r}", code="bad_config") from None
    if value < 0 or value != value:
        raise SeawallError(f"{name} must be 0 or more, not {raw!r}", code="bad_config")
    return value
