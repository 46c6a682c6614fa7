"""Bank matches as signals: what flow.py calls so a policy can say bank_match("csam") → remove.

The item's text is hashed here; image and video hashes come from the media signals'
`meta["hashes"]` ({"pdq": [...], "vpdq": [...], "md5": [...], "sha256": [...]}), and the PDQ of
a picture's edited copies from `meta["hash_edits"]` ({"pdq": {hash: PdqHasher.query_hashes()}}),
which robust banks match too (seawall.banks.robust). Each bank
with an actionable match becomes one `bank:<name>` signal, the shape policy facts read.
Quarantined (flooding) or benign-suppressed matches become `bank-held:<name>` signals:
visible to reviewers and explanations, never a reason to act.
"""

from __future__ import annotations

import logging

from seawall.errors import InvalidInput
from seawall.types import Content, Evidence, Signal

log = logging.getLogger(__name__)

_MODALITY = {"pdq": "image", "vpdq": "video", "md5": "image", "sha256": "image", "text": "text"}


def bank_signals(content: Content, signals: list[Signal], *, service=None) -> list[Signal]:
    """One signal per bank that matched something in the item (none when no bank exists)."""
    if service is None:
        from seawall.banks.service import get_service
        from seawall.settings import get_settings

        settings = get_settings()
        if _no_database(settings.database_url):
            return []  # nothing was ever banked here; do not create a database to find out
        service = get_service(settings)
    if not service.has_banks():
        return []
    queries: list[tuple[str, str, str]] = []  # (kind, hash, modality)
    edits: dict[str, dict[str, str]] = {}     # PDQ hash → its picture's edited copies' hashes
    if content.text and service.has_banks("text"):
        digest = service.hasher("text").hash_text(content.text)
        if digest:
            queries.append(("text", digest, "text"))
    for s in signals:
        hashes = s.meta.get("hashes") if isinstance(s.meta, dict) else None
        if not isinstance(hashes, dict):
            continue
        for kind, values in hashes.items():
            if kind in _MODALITY and isinstance(values, list):
                queries += [(kind, v, s.modality) for v in values if isinstance(v, str) and v]
        hash_edits = s.meta.get("hash_edits")
        pdq_edits = hash_edits.get("pdq") if isinstance(hash_edits, dict) else None
        if isinstance(pdq_edits, dict):
            edits.update({h: e for h, e in pdq_edits.items() if isinstance(e, dict)})
    by_bank: dict[tuple[str, bool], list] = {}
    for kind in dict.fromkeys(k for k, _, _ in queries):
        if not service.has_banks(kind):
            continue
        mine = [(h, m) for k, h, m in queries if k == kind]
        unique = list(dict.fromkeys(h for h, _ in mine))
        query_edits = [edits.get(h, {}) for h in unique] if kind == "pdq" and edits else None
        try:
            results = service.match(kind, unique, edits=query_edits)
        except InvalidInput as exc:
            # A hash our own media stage wrote should always parse; say so loudly, match the rest.
            log.error("bank matching skipped malformed %s hashes of %s: %s", kind, content.id, exc)
            results = _one_by_one(service, kind, unique)
        modality = {h: m for h, m in mine}
        for h, matches in zip(unique, results):
            for m in matches:
                if m.negative:
                    continue
                m.detail.setdefault("modality", modality.get(h, _MODALITY[kind]))
                by_bank.setdefault((m.bank, m.actionable), []).append(m)
    return [_signal(name, ok, ms) for (name, ok), ms in sorted(by_bank.items())]


def _no_database(url: str) -> bool:
    if not url.startswith("sqlite:///"):
        return False
    from pathlib import Path

    path = url[len("sqlite:///"):]
    return path not in ("", ":memory:") and not Path(path).exists()


def _one_by_one(service, kind: str, hashes: list[str]) -> list[list]:
    out = []
    for h in hashes:
        try:
            out.append(service.match(kind, [h])[0])
        except InvalidInput:
            out.append([])
    return out


def _signal(bank: str, actionable: bool, matches: list) -> Signal:
    modality = matches[0].detail.get("modality", _MODALITY[matches[0].kind])
    source = f"bank:{bank}" if actionable else f"bank-held:{bank}"
    evidence = tuple(
        Evidence(category=m.category, score=1.0, modality=m.detail.get("modality", modality),
                 source=source, detail=m.to_json())
        for m in matches if m.category)
    return Signal(source=source, modality=modality, scores={}, evidence=evidence,
                  meta={"bank": bank, "kind": matches[0].kind,
                        "matches" if actionable else "held": [m.to_json() for m in matches]})
