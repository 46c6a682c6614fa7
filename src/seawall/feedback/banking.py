"""Confirmed harmful media → hash banks, so a re-upload is matched and blocked without a person.

A verdict that takes media down for a banked category hashes the media (PDQ for images,
MD5 for video and audio until vPDQ is wired here) and adds it to the bank the policy reads
for that category (`bank_match("confirmed-violence")` in the default policy). An overturned
appeal takes the entry out again. Where the entries live is a `BankSink`: `ReferenceBanks`
keeps them in the review_banked_media table and matches by linear scan (the brute-force
reference); `ServiceBanks`, the adapter to the bank service, banks the picture itself when
it can still be opened, so robust banks also index its cropped, turned and mirrored copies.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from seawall.errors import SeawallError
from seawall.feedback.tables import BankedMedia
from seawall.policy.effects import REMOVALS
from seawall.review.events import Overturned, Reviewed
from seawall.storage.columns import utcnow
from seawall.types import Content, Signal

log = logging.getLogger(__name__)

# The bank each confirmed category goes to: the names the default policy's bank rules read.
DEFAULT_BANKS: dict[str, str] = {
    "sexual/minors": "csam",
    "violence/graphic": "confirmed-violence",
    "violence": "confirmed-violence",
    "illicit/violent": "terrorism",
}
PDQ_DISTANCE = 31     # PDQ's authors' confident-match threshold
# review_banked_media keeps the hash itself so an appeal can take it out; a vPDQ signal
# string (one hash per frame) does not fit and is not banked from review yet.
MAX_HASH_CHARS = 128


@dataclass(frozen=True)
class MediaHash:
    kind: str          # pdq | md5
    value: str
    modality: str


def hash_media(content: Content, *, limits=None, fetcher=None) -> list[MediaHash]:
    """Hashes of an item's media. Unreadable media yields nothing (logged), never a failed verdict."""
    from seawall.content.limits import MediaLimits
    from seawall.content.load import decode_image
    from seawall.review.media import open_item_media, reference

    limits = limits or MediaLimits()
    out: list[MediaHash] = []
    for modality in ("image", "video", "audio"):
        if not reference(content, modality):
            continue
        try:
            with open_item_media(content, modality, limits=limits, fetcher=fetcher) as media:
                if modality == "image":
                    from seawall.signals.hashers.pdq import PdqHasher

                    hasher = PdqHasher()
                    pdq = hasher.hash_image(decode_image(media, limits=limits).rgb)
                    if pdq.quality >= hasher.quality_threshold:
                        out.append(MediaHash("pdq", pdq.hex, modality))
                out.append(MediaHash("md5", media.md5, modality))
        except SeawallError as exc:
            log.warning("cannot hash %s of %s for banking: %s", modality, content.id, exc)
    return out


def load_picture(content: Content, pdq_hex: str, *, limits=None, fetcher=None):
    """The item's picture decoded (RGB array) if its PDQ is `pdq_hex`, else None (logged).

    The hash banked from review is the one an overturned appeal takes out again, so the
    picture is banked only when it hashes to exactly that: a picture replaced at its URL
    since, or unreadable now, leaves the hash to be banked alone. The hash was taken
    either from the full picture (`hash_media`) or by the image stage from a copy at most
    `MAX_SIDE` a side, so both are tried.
    """
    from seawall.content.limits import MediaLimits
    from seawall.content.load import decode_image
    from seawall.review.media import open_item_media, reference
    from seawall.signals.hashers.pdq import PdqHasher
    from seawall.signals.image.analyze import MAX_SIDE

    if not reference(content, "image"):
        return None
    limits = limits or MediaLimits()
    hasher = PdqHasher()
    try:
        with open_item_media(content, "image", limits=limits, fetcher=fetcher) as media:
            for max_side in (None, MAX_SIDE):
                rgb = decode_image(media, limits=limits, max_side=max_side).rgb
                if hasher.hash_image(rgb).hex == pdq_hex:
                    return rgb
                if max(rgb.shape[:2]) <= MAX_SIDE:
                    break   # small enough that the image stage saw the same pixels
    except (SeawallError, OSError, ValueError) as exc:
        log.warning("cannot reopen the image of %s for banking: %s", content.id, exc)
        return None
    log.info("the image of %s no longer hashes to the banked PDQ; banking the hash alone", content.id)
    return None


def hamming(a: str, b: str) -> int:
    return (int(a, 16) ^ int(b, 16)).bit_count()


class BankSink(Protocol):
    """Where banked hashes go. `bank_for` names the bank a hash kind goes to; `add` returns an id
    for the entry; `remove` takes an entry out again (an overturned appeal)."""

    name: str

    def bank_for(self, bank: str, kind: str) -> str: ...

    def add(self, session: Session, *, bank: str, kind: str, value: str, metadata: dict[str, Any],
            content: Content | None = None) -> str: ...

    def remove(self, session: Session, *, bank: str, kind: str, value: str, entry_id: str, reason: str) -> None: ...


Sessions = Callable[[], AbstractContextManager[Session]]


class ReferenceBanks:
    """Banks kept in review_banked_media, matched by a linear scan: small, exact, and obviously right."""

    name = "reference"

    def __init__(self, sessions: Sessions, *, pdq_distance: int = PDQ_DISTANCE):
        self._sessions = sessions
        self.pdq_distance = pdq_distance

    def bank_for(self, bank: str, kind: str) -> str:
        return bank   # one table holds every kind; matching compares like with like

    def add(self, session: Session, *, bank: str, kind: str, value: str, metadata: dict[str, Any],
            content: Content | None = None) -> str:
        return f"ref-{uuid.uuid4().hex[:16]}"

    def remove(self, session: Session, *, bank: str, kind: str, value: str, entry_id: str, reason: str) -> None:
        return None   # the entry is the review_banked_media row, which the caller marks removed

    def match(self, hashes: list[MediaHash]) -> list[tuple[BankedMedia, int]]:
        if not hashes:
            return []
        with self._sessions() as session:
            rows = list(session.scalars(select(BankedMedia).where(BankedMedia.sink == self.name,
                                                                  BankedMedia.removed_at.is_(None))))
            session.expunge_all()
        out = []
        for row in rows:
            for h in hashes:
                if h.kind != row.kind:
                    continue
                d = hamming(h.value, row.hash) if h.kind == "pdq" else (0 if h.value == row.hash else None)
                if d is not None and d <= (self.pdq_distance if h.kind == "pdq" else 0):
                    out.append((row, d))
                    break
        return out

    def signals(self, content: Content) -> list[Signal]:
        """Bank signals for an item, in the shape the policy's bank_match() reads."""
        by_bank: dict[str, list[dict[str, Any]]] = {}
        for row, distance in self.match(hash_media(content)):
            by_bank.setdefault(row.bank, []).append(
                {"entry_id": row.entry_id, "distance": distance, "kind": row.kind, "category": row.category,
                 "source": "seawall-review", "verdict_id": row.verdict_id, "content_id": row.content_id,
                 "added_at": row.created_at.isoformat()})
        modality = next((m for m in ("image", "video", "audio") if getattr(content, m)), "image")
        return [Signal(source=f"bank:{bank}", modality=modality, scores={}, meta={"bank": bank, "matches": matches})
                for bank, matches in sorted(by_bank.items())]


class ServiceBanks:
    """Banks kept by the bank service (seawall.banks): the ones the flow matches every new item against.

    A bank has one hash kind. PDQ hashes go into the bank the policy names (images are what
    its bank rules are written for); other kinds go into a sibling `<name>-<kind>` (created on
    first use), so a policy that wants exact or video matches too reads
    `bank_match("confirmed-violence-md5")`. If the named bank exists with another kind, its
    kind is the one that goes there.

    A confirmed picture is banked with `BankService.add_images` when it can be reopened and
    still hashes to the PDQ review recorded (`pictures`, by default `load_picture`), so a
    robust bank indexes its edited copies too; otherwise the PDQ is banked alone.

    The service writes in its own transactions, so they run only after the verdict's
    transaction commits: a verdict rolled back banks nothing, and on SQLite the two writers
    never wait on each other. Reopening the picture (perhaps a fetch) happens there too,
    outside the verdict's transaction.
    """

    name = "service"
    PRIMARY_KIND = "pdq"

    def __init__(self, service=None, *, pictures: Callable[[Content, str], Any] | None = None):
        self._service = service
        self._pictures = load_picture if pictures is None else pictures

    @property
    def service(self):
        if self._service is None:
            from seawall.banks.service import get_service

            self._service = get_service()
        return self._service

    def bank_for(self, bank: str, kind: str) -> str:
        from seawall.errors import NotFound

        try:
            named_kind = self.service.get_bank(bank).kind
        except NotFound:
            named_kind = self.PRIMARY_KIND
        return bank if kind == named_kind else f"{bank}-{kind}"

    def _after_commit(self, session: Session, what: str, fn: Callable[[], None]) -> None:
        from sqlalchemy import event

        def run(_session):
            try:
                fn()
            except Exception:  # the verdict is stored; a failed bank write is logged for an operator
                log.exception("bank service: %s failed after the verdict was stored", what)

        event.listen(session, "after_commit", run, once=True)

    def _store(self, name: str, kind: str, value: str, metadata: dict[str, Any],
               content: Content | None = None) -> None:
        from seawall.errors import Conflict, NotFound

        category = metadata.get("category")
        try:
            self.service.get_bank(name)
        except NotFound:
            try:
                self.service.create_bank(name, kind, category=category,
                                         description="Media confirmed harmful by review.")
            except Conflict:  # created meanwhile by another verdict
                pass
        provenance = dict(category=category, reason=f"confirmed by review verdict {metadata.get('verdict_id')}",
                          source="seawall-review", added_by=str(metadata.get("verdict_id", "")),
                          external_id=str(metadata.get("content_id", ""))[:255])
        picture = self._pictures(content, value) if content is not None else None
        if picture is not None:
            self.service.add_images(name, [picture], **provenance)
        else:
            self.service.add_entries(name, [value], **provenance)

    def add(self, session: Session, *, bank: str, kind: str, value: str, metadata: dict[str, Any],
            content: Content | None = None) -> str:
        # Only a PDQ bank takes pictures; an image's MD5 goes in as the hash it is.
        picture_of = content if kind == "pdq" and content is not None and content.image else None
        self._after_commit(session, f"add {kind} to {bank}",
                           lambda: self._store(bank, kind, value, metadata, picture_of))
        # The service finds entries by bank and hash; this id only has to be stable and short.
        return "svc-" + hashlib.sha256(f"{bank}:{kind}:{value}".encode()).hexdigest()[:28]

    def remove(self, session: Session, *, bank: str, kind: str, value: str, entry_id: str, reason: str) -> None:
        self._after_commit(session, f"remove from {bank}",
                           lambda: self.service.remove_entries(bank, hashes=[value]))


class MediaBanker:
    """The feedback subscriber that banks confirmed media and unbanks it when an appeal overturns."""

    name = "banks"

    def __init__(self, sink: BankSink, *, banks: dict[str, str] | None = None, hasher=hash_media):
        self.sink = sink
        self.banks = dict(DEFAULT_BANKS if banks is None else banks)
        self._hash = hasher

    def _bank_for(self, categories: tuple[str, ...]) -> tuple[str, str] | None:
        for c in categories:
            if c in self.banks:
                return c, self.banks[c]
        return None

    def _hashes(self, event: Reviewed) -> list[MediaHash]:
        # The hashes computed when the item was judged; reopen the media only when there are none.
        if event.hashes:
            return [MediaHash(h["kind"], h["value"], h["modality"]) for h in event.hashes]
        return self._hash(event.content)

    def reviewed(self, session: Session, event: Reviewed) -> dict[str, Any] | None:
        if event.action not in REMOVALS:
            return None
        target = self._bank_for(event.categories)
        if target is None:
            return None
        category, bank = target
        entries = []
        for h in self._hashes(event):
            if len(h.value) > MAX_HASH_CHARS:
                log.warning("not banking a %s hash of %s: longer than %d characters", h.kind, event.content.id,
                            MAX_HASH_CHARS)
                continue
            target_bank = self.sink.bank_for(bank, h.kind)
            existing = session.scalar(select(BankedMedia).where(BankedMedia.bank == target_bank,
                                                                BankedMedia.kind == h.kind,
                                                                BankedMedia.hash == h.value,
                                                                BankedMedia.removed_at.is_(None)))
            if existing is not None:
                entries.append(existing.entry_id)
                continue
            meta = {"category": category, "verdict_id": event.verdict_id, "content_id": event.content.id,
                    "decision_id": event.enforced_decision_id, "source": "seawall-review"}
            entry_id = self.sink.add(session, bank=target_bank, kind=h.kind, value=h.value, metadata=meta,
                                     content=event.content if h.modality == "image" else None)
            session.add(BankedMedia(bank=target_bank, kind=h.kind, hash=h.value, entry_id=entry_id,
                                    sink=self.sink.name, category=category, content_id=event.content.id,
                                    decision_id=event.enforced_decision_id, verdict_id=event.verdict_id,
                                    moderator=event.moderator, created_at=event.at or utcnow()))
            entries.append(entry_id)
        if not entries:
            return None
        return {"bank": bank, "entries": entries}

    def overturned(self, session: Session, event: Overturned) -> dict[str, Any] | None:
        now = event.at or utcnow()
        rows = list(session.scalars(select(BankedMedia).where(BankedMedia.content_id == event.content.id,
                                                              BankedMedia.removed_at.is_(None))))
        for row in rows:
            reason = f"appeal {event.appeal_id} overturned"
            self.sink.remove(session, bank=row.bank, kind=row.kind, value=row.hash, entry_id=row.entry_id,
                             reason=reason)
            row.removed_at = now
            row.removed_reason = reason
        return {"unbanked": [r.entry_id for r in rows]} if rows else None


def banked_for(session: Session, content_id: str) -> list[BankedMedia]:
    return list(session.scalars(select(BankedMedia).where(BankedMedia.content_id == content_id)
                                .order_by(BankedMedia.id)))



def default_sink(db) -> BankSink:
    """The bank service when it is installed (the banks the flow matches), else the reference store."""
    try:
        from seawall.banks.service import BankService
    except ImportError:
        return ReferenceBanks(db.session)
    from seawall.settings import get_settings

    settings = get_settings()
    if settings.database_url == db.url:
        return ServiceBanks()          # the process's shared service, whose indexes the flow reads
    settings.ensure_home()
    return ServiceBanks(BankService(db.engine, settings.home))
