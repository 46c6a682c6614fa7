"""Hash banks: known harmful (and known benign) media and text, matched at scale.

`BankService` keeps banks and entries (SQL) and their indexes (disk) together;
`bank_signals` (seawall.banks.signals) turns matches into signals for the decision flow;
`seawall.banks.http.router` and `seawall bank ...` are the edges.
"""

from __future__ import annotations

from seawall.banks.model import Bank, Entry, ImportReport, Match
from seawall.banks.service import BankService, get_service

__all__ = ["Bank", "BankService", "Entry", "ImportReport", "Match", "get_service"]
