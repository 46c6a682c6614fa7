"""Request bodies of the native API: strict (unknown keys are errors) and bounded."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

Id = Annotated[str, StringConstraints(min_length=1, max_length=300)]
Ref = Annotated[str, StringConstraints(min_length=1, max_length=12_000_000)]
Short = Annotated[str, StringConstraints(max_length=64)]
MAX_TEXT = 100_000


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=False)


class Author(Strict):
    """What the platform knows about the author; strikes come from Seawall's own ledger."""

    account_age_days: float | None = Field(None, ge=0)
    followers: int | None = Field(None, ge=0)
    verified: bool | None = None


class Item(Strict):
    id: Id
    text: Annotated[str, StringConstraints(max_length=MAX_TEXT)] | None = None
    image: Ref | None = None
    video: Ref | None = None
    audio: Ref | None = None
    author_id: Id | None = None
    surface: Short | None = None
    lang: Short | None = None
    reach: float | None = Field(None, ge=0, description="predicted audience, for review priority")
    author: Author | None = None
    created_at: Annotated[str, StringConstraints(max_length=40)] | None = None
    meta: dict[str, Any] | None = None

    @field_validator("image", "video", "audio")
    @classmethod
    def _url(cls, v: str | None) -> str | None:
        if v is not None and not v.lower().startswith(("http://", "https://", "data:")):
            raise ValueError("must be an http(s) URL (or a data: URL for images); local paths are refused")
        return v

    def has_content(self) -> bool:
        return any((self.text, self.image, self.video, self.audio))


class JobRequest(Strict):
    items: list[Item] = Field(min_length=1, max_length=1000)
    callback_url: Annotated[str, StringConstraints(max_length=2000)] | None = None
    callback_secret: Annotated[str, StringConstraints(min_length=16, max_length=200)] | None = None

    @field_validator("callback_url")
    @classmethod
    def _callback(cls, v: str | None) -> str | None:
        if v is not None and not v.lower().startswith(("http://", "https://")):
            raise ValueError("must be an http(s) URL")
        return v


class PolicyUpload(Strict):
    source: Annotated[str, StringConstraints(min_length=1, max_length=1_000_000)]
    note: Annotated[str, StringConstraints(max_length=2000)] = ""
    activate: bool = False
    shadow: bool = False


class WebhookCreate(Strict):
    url: Annotated[str, StringConstraints(min_length=8, max_length=2000)]
    events: list[Annotated[str, StringConstraints(max_length=64)]] = Field(default_factory=lambda: ["*"],
                                                                            max_length=50)
    secret: Annotated[str, StringConstraints(min_length=16, max_length=200)] | None = None


class Appeal(Strict):
    statement: Annotated[str, StringConstraints(max_length=5000)] = ""
    author_id: Annotated[str, StringConstraints(min_length=1, max_length=256)] | None = None


class Reverse(Strict):
    reason: Annotated[str, StringConstraints(min_length=1, max_length=2000)]
