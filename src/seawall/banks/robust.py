"""Robust image matching: edited copies' hashes indexed under their entry, query edits paired.

An entry banked from an image (not just its hash) keeps the PDQ of a few edited copies
of it (centre crops, small turns, a mirror, its middle band; see
seawall.signals.hashers.pdq_variants) in its `value` column, as JSON. The entry's own
`hash` stays the reference PDQ, the only one exported or deduplicated on. The index holds
the edited copies as extra rows whose id names the entry and the edit, so a hit on any of
them is a hit on the entry.

A query may come with hashes of its own edits (a mirror, its middle band). A query edit
matches only the rows it is meant for: the query's middle band only an entry's middle
band, since a middle compared with a whole picture finds nothing but noise.

Which banks do this: PDQ banks whose `robust` option is not false. Off, the bank's extra
rows leave its index, it ignores the query's edits, and it matches as plain PDQ.
"""

from __future__ import annotations

import json

import numpy as np

from seawall.banks.model import Bank
from seawall.errors import InvalidInput

# Extra rows' ids: a flag bit, the entry id, then the edit's number. Entry ids stay below
# 2**57, far beyond any bank; primary rows keep the bare entry id, as before robust banks.
EXTRA = np.int64(1 << 62)
EDIT_BITS = 5
# Numbers are stored in index ids: never renumber, only append (at most 31).
EDITS = ("crop96", "crop92", "crop88", "crop84", "crop80", "turn+1.5", "turn-1.5", "turn+3.5",
         "turn-3.5", "turn+6", "turn-6", "fill+3", "fill-3", "mirror", "middle")
_NUMBER = {name: i + 1 for i, name in enumerate(EDITS)}
_PRIMARY = 0
# Which index rows each query edit is compared with (None: every row).
_PAIRS: dict[str, frozenset[int] | None] = {
    "": None,
    "mirror": None,
    "middle": frozenset({_NUMBER["middle"]}),
}
QUERY_EDITS = tuple(k for k in _PAIRS if k)


def is_robust(bank: Bank) -> bool:
    """PDQ banks are robust unless their `robust` option says false; other kinds never are."""
    return bank.kind == "pdq" and bool(bank.options.get("robust", True))


def check_option(options: dict) -> None:
    if "robust" in options and not isinstance(options["robust"], bool):
        raise InvalidInput("option robust must be true or false")


def encode(edited: dict[str, str]) -> str | None:
    """The `value` stored with an entry banked from an image (None: nothing to keep)."""
    kept = {k: v for k, v in edited.items() if k in _NUMBER}
    return json.dumps({"edits": kept}, sort_keys=True) if kept else None


def decode(value: str | None) -> dict[str, str]:
    """Edited copies' hashes of a stored entry; {} for one imported from a hash list."""
    if not value:
        return {}
    try:
        edits = json.loads(value).get("edits", {})
    except (ValueError, AttributeError):
        return {}
    return {k: v for k, v in edits.items() if k in _NUMBER and isinstance(v, str)}


def index_rows(entries) -> tuple[np.ndarray, list[str]]:
    """(ids, hex hashes) of the extra rows of (entry id, stored value) pairs."""
    ids, hexes = [], []
    for entry_id, value in entries:
        for name, hex_hash in decode(value).items():
            ids.append(_row_id(entry_id, _NUMBER[name]))
            hexes.append(hex_hash)
    return np.asarray(ids, np.int64), hexes


def all_row_ids(entry_ids) -> np.ndarray:
    """Every id an entry's extra rows could have: what removing the entry takes out."""
    return np.asarray([_row_id(e, n) for e in entry_ids for n in _NUMBER.values()], np.int64)


def split(ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(entry ids, edit numbers, 0 for the entry's own hash) of index row ids."""
    ids = np.asarray(ids, np.int64)
    extra = (ids & EXTRA) != 0
    entries = np.where(extra, (ids & ~EXTRA) >> EDIT_BITS, ids)
    numbers = np.where(extra, ids & ((1 << EDIT_BITS) - 1), _PRIMARY)
    return entries, numbers


def accepted(query_edit: str, numbers: np.ndarray, robust: bool) -> np.ndarray:
    """Which hits (by edit number of the row hit) a query edit may count."""
    if not robust:
        return (numbers == _PRIMARY) & (query_edit == "")
    pairs = _PAIRS[query_edit]
    if pairs is None:
        return np.ones(len(numbers), bool)
    return np.isin(numbers, list(pairs))


def edit_name(number: int) -> str | None:
    return EDITS[number - 1] if number else None


def _row_id(entry_id: int, number: int) -> int:
    return int(EXTRA) | (int(entry_id) << EDIT_BITS) | number
