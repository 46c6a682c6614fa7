"""The tables of human review: console users and sessions, claims, verdicts, appeals, QA, shifts, audit."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from seawall.storage.base import Base
from seawall.storage.columns import JSONType, UTCDateTime, utcnow

NAME = 200   # longest user name


class ConsoleUser(Base):
    """A person who signs in to the console. `queues` lists queue names, or "*" for every open queue."""

    __tablename__ = "console_users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(NAME), unique=True)
    display_name: Mapped[str] = mapped_column(String(NAME), default="")
    role: Mapped[str] = mapped_column(String(32))            # moderator|senior_moderator|analyst|admin
    queues: Mapped[list[str]] = mapped_column(JSONType, default=list)
    password_hash: Mapped[str] = mapped_column(String(300))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    settings: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ConsoleSession(Base):
    """A signed-in browser. Only the token's SHA-256 is stored, so a leaked table signs no one in."""

    __tablename__ = "console_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)       # sha256(token) hex
    user_id: Mapped[int] = mapped_column(ForeignKey("console_users.id", ondelete="CASCADE"), index=True)
    csrf: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class AuditEvent(Base):
    """Who did what to which item, append-only: views of sensitive items, reveals, decisions."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(NAME), index=True)
    action: Mapped[str] = mapped_column(String(48), index=True)
    item_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    decision_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    queue: Mapped[str | None] = mapped_column(String(100), nullable=True)
    sensitive: Mapped[bool] = mapped_column(Boolean, default=False)
    detail: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)


class ReviewClaim(Base):
    """One moderator's exclusive hold on one review item, until decided, released or expired."""

    __tablename__ = "review_claims"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("review_items.id", ondelete="CASCADE"), index=True)
    moderator: Mapped[str] = mapped_column(String(NAME), index=True)
    status: Mapped[str] = mapped_column(String(16), default="active", index=True)
    # active | decided | released | expired | reassigned | escalated
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    assigned_by: Mapped[str | None] = mapped_column(String(NAME), nullable=True)


class ReviewVerdict(Base):
    """What a person decided on a review item. One per claim: a claim cannot be acted on twice."""

    __tablename__ = "review_verdicts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("review_claims.id", ondelete="CASCADE"), unique=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("review_items.id", ondelete="CASCADE"), index=True)
    decision_id: Mapped[str] = mapped_column(ForeignKey("decisions.id", ondelete="CASCADE"), index=True)
    content_id: Mapped[str] = mapped_column(String(300), index=True)
    queue: Mapped[str] = mapped_column(String(100), index=True)
    kind: Mapped[str] = mapped_column(String(16), default="first")      # first | qa | appeal
    moderator: Mapped[str] = mapped_column(String(NAME), index=True)
    action: Mapped[str] = mapped_column(String(32))                       # a ladder rung, or uphold|overturn
    categories: Mapped[list[str]] = mapped_column(JSONType, default=list)
    reason: Mapped[str] = mapped_column(Text, default="")
    rule: Mapped[str] = mapped_column(String(200), default="")             # the policy rule that routed it
    # The decision this verdict enforced (origin "review" or "appeal"); None for QA verdicts.
    enforced_decision_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    seconds: Mapped[float | None] = mapped_column(nullable=True)          # claim to verdict
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class ReviewAppeal(Base):
    """An author's appeal against an enforced decision; upheld or overturned by a senior moderator."""

    __tablename__ = "review_appeals"
    __table_args__ = (UniqueConstraint("decision_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    decision_id: Mapped[str] = mapped_column(ForeignKey("decisions.id", ondelete="CASCADE"))
    content_id: Mapped[str] = mapped_column(String(300), index=True)
    author_id: Mapped[str | None] = mapped_column(String(300), nullable=True)
    statement: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="open", index=True)  # open|upheld|overturned
    item_id: Mapped[int | None] = mapped_column(Integer, nullable=True)        # its review_items row
    decided_by: Mapped[str | None] = mapped_column(String(NAME), nullable=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    reversal_decision_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class ReviewQA(Base):
    """A second, blind review of a sampled verdict, and whether the two people agreed."""

    __tablename__ = "review_qa"
    __table_args__ = (UniqueConstraint("first_verdict_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    first_verdict_id: Mapped[int] = mapped_column(ForeignKey("review_verdicts.id", ondelete="CASCADE"))
    item_id: Mapped[int] = mapped_column(Integer)                       # the QA review_items row
    first_moderator: Mapped[str] = mapped_column(String(NAME), index=True)
    rule: Mapped[str] = mapped_column(String(200), default="", index=True)
    queue: Mapped[str] = mapped_column(String(100), default="")
    second_verdict_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    second_moderator: Mapped[str | None] = mapped_column(String(NAME), nullable=True)
    agreed: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class ReviewShift(Base):
    """A stretch of work between breaks: how much graphic material one person has seen in it."""

    __tablename__ = "review_shifts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("console_users.id", ondelete="CASCADE"), index=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    snoozed_until_count: Mapped[int] = mapped_column(Integer, default=0)


class ReviewExposure(Base):
    """One item seen in one shift (counted once however often it is reopened)."""

    __tablename__ = "review_exposures"
    __table_args__ = (UniqueConstraint("shift_id", "item_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    shift_id: Mapped[int] = mapped_column(ForeignKey("review_shifts.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[int] = mapped_column(Integer)
    graphic: Mapped[bool] = mapped_column(Boolean, default=False)
    revealed: Mapped[bool] = mapped_column(Boolean, default=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
