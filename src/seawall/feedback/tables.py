"""The tables feedback writes: labels people gave (training examples) and media they confirmed into banks."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from seawall.storage.base import Base
from seawall.storage.columns import JSONType, UTCDateTime, utcnow


class ReviewLabel(Base):
    """One labelled item from a human verdict, with where it came from. Superseded when overturned."""

    __tablename__ = "review_labels"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    content_id: Mapped[str] = mapped_column(String(300), index=True)
    modality: Mapped[str] = mapped_column(String(16))                 # text | image | video | audio
    text: Mapped[str | None] = mapped_column(Text, nullable=True)
    media: Mapped[str | None] = mapped_column(String(2000), nullable=True)
    lang: Mapped[str | None] = mapped_column(String(16), nullable=True)
    labels: Mapped[dict[str, int]] = mapped_column(JSONType)          # category → 0/1
    provenance: Mapped[dict[str, Any]] = mapped_column(JSONType)
    verdict_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    sampled: Mapped[bool] = mapped_column(Boolean, default=False)      # active learning, not policy routing
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    superseded_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class BankedMedia(Base):
    """A hash review put into a bank, and why: so an overturned appeal can take it out again."""

    __tablename__ = "review_banked_media"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    bank: Mapped[str] = mapped_column(String(64), index=True)
    kind: Mapped[str] = mapped_column(String(16))                      # pdq | md5 | sha256 | ...
    hash: Mapped[str] = mapped_column(String(128), index=True)
    entry_id: Mapped[str] = mapped_column(String(64), default="")      # the bank's own id for the entry
    sink: Mapped[str] = mapped_column(String(32), default="reference")
    category: Mapped[str] = mapped_column(String(64))
    content_id: Mapped[str] = mapped_column(String(300), index=True)
    decision_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    verdict_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    moderator: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    removed_reason: Mapped[str] = mapped_column(Text, default="")
