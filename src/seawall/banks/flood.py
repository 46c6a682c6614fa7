"""Flood protection: an entry that suddenly matches far more than its peers is quarantined.

A wrong or too-generic hash (a blank frame, a logo, a meme template) that slips into a
bank would otherwise remove every upload that resembles it. The guard counts each
entry's matches over a sliding window and trips when one entry has at least
`min_matches` and `factor` times the mean of the other entries that matched in the bank;
the bank service then quarantines the entry and reports it instead of acting on it.
Counts are per process and in memory (bounded); a cluster sees per-node floods.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class FloodSettings:
    window_s: float = 3600.0
    min_matches: int = 100
    factor: float = 20.0
    enabled: bool = True

    @classmethod
    def from_options(cls, options: dict | None) -> "FloodSettings":
        raw = (options or {}).get("flood", {})
        if raw is False:
            return cls(enabled=False)
        raw = raw if isinstance(raw, dict) else {}
        return cls(window_s=float(raw.get("window_s", cls.window_s)),
                   min_matches=int(raw.get("min_matches", cls.min_matches)),
                   factor=float(raw.get("factor", cls.factor)),
                   enabled=bool(raw.get("enabled", True)))


@dataclass(frozen=True)
class Flood:
    entry_id: int
    matches: int
    peer_baseline: float
    window_s: float


class FloodGuard:
    """Sliding-window match counts per (bank, entry); memory bounded by `max_events`."""

    def __init__(self, *, clock: Callable[[], float] = time.monotonic, max_events: int = 200_000):
        self._clock = clock
        self._max_events = max_events
        self._events: dict[int, deque] = {}        # bank → (t, entry) in time order
        self._counts: dict[int, dict[int, int]] = {}
        self._lock = threading.Lock()

    def record(self, bank_id: int, entry_id: int, settings: FloodSettings) -> Flood | None:
        """Count one match; return a Flood when this entry has just become one."""
        if not settings.enabled:
            return None
        now = self._clock()
        with self._lock:
            events = self._events.setdefault(bank_id, deque())
            counts = self._counts.setdefault(bank_id, {})
            while events and (events[0][0] < now - settings.window_s
                              or len(events) >= self._max_events):
                _, old = events.popleft()
                counts[old] -= 1
                if not counts[old]:
                    del counts[old]
            events.append((now, entry_id))
            mine = counts[entry_id] = counts.get(entry_id, 0) + 1
            if mine < settings.min_matches:
                return None
            peers = len(counts) - 1
            baseline = (len(events) - mine) / peers if peers else 0.0
            if mine < settings.factor * max(baseline, 1.0):
                return None
            # Forget the entry so one flood is reported once, not on every later match.
            del counts[entry_id]
            self._events[bank_id] = deque(e for e in events if e[1] != entry_id)
            return Flood(entry_id, mine, baseline, settings.window_s)

    def forget(self, bank_id: int) -> None:
        with self._lock:
            self._events.pop(bank_id, None)
            self._counts.pop(bank_id, None)
