"""Bank, Entry, Match and ImportReport: the values the bank service hands out."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from typing import Any


def utc(t: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; everything we store is UTC."""
    if t is None:
        return None
    return t if t.tzinfo else t.replace(tzinfo=timezone.utc)


@dataclass(frozen=True)
class Bank:
    id: int
    name: str
    kind: str
    distance: int
    enabled: bool
    negative: bool
    category: str | None
    description: str
    options: dict[str, Any]
    created_at: datetime
    updated_at: datetime

    @classmethod
    def from_row(cls, row) -> "Bank":
        return cls(row.id, row.name, row.kind, row.distance, bool(row.enabled), bool(row.negative),
                   row.category, row.description or "", dict(row.options or {}),
                   utc(row.created_at), utc(row.updated_at))

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["created_at"] = self.created_at.isoformat()
        out["updated_at"] = self.updated_at.isoformat()
        return out


@dataclass(frozen=True)
class Entry:
    id: int
    bank_id: int
    hash: str
    value: str | None
    status: str
    category: str | None
    reason: str | None
    source: str | None
    added_by: str | None
    external_id: str | None
    added_at: datetime

    @classmethod
    def from_row(cls, row) -> "Entry":
        return cls(row.id, row.bank_id, row.hash, row.value, row.status, row.category, row.reason,
                   row.source, row.added_by, row.external_id, utc(row.added_at))

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["added_at"] = self.added_at.isoformat()
        if self.value is None:
            out.pop("value")
        return out


@dataclass
class Match:
    """One bank entry near one query hash."""

    bank: str
    bank_id: int
    kind: str
    entry_id: int
    distance: int
    query: str                       # the query hash, as given
    negative: bool = False
    quarantined: bool = False
    # Set when a negative bank matched the same query: reported, never acted on.
    suppressed_by: str | None = None
    category: str | None = None
    source: str | None = None
    external_id: str | None = None
    detail: dict[str, Any] = field(default_factory=dict)

    @property
    def actionable(self) -> bool:
        return not (self.negative or self.quarantined or self.suppressed_by)

    def to_json(self) -> dict[str, Any]:
        out = {"bank": self.bank, "entry_id": self.entry_id, "distance": self.distance,
               "kind": self.kind}
        for k in ("category", "source", "external_id", "suppressed_by"):
            v = getattr(self, k)
            if v is not None:
                out[k] = v
        if self.negative:
            out["negative"] = True
        if self.quarantined:
            out["quarantined"] = True
        if self.detail:
            out["detail"] = self.detail
        return out


@dataclass(frozen=True)
class ImportReport:
    bank: str
    added: int
    duplicates_in_file: int
    already_in_bank: int
    lines: int
    seconds: float

    def to_json(self) -> dict[str, Any]:
        return asdict(self)
