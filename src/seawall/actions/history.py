"""What Seawall knows of an author's past, for rules that read author.* and rate()."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from seawall.actions.strikes import active_strikes
from seawall.policy.effects import REMOVALS
from seawall.storage.columns import utcnow
from seawall.storage.tables import DecisionRecord

# The windows rate() can read; "posts/1h" counts this author's decided items in the last hour.
WINDOWS = {"1h": timedelta(hours=1), "24h": timedelta(hours=24), "7d": timedelta(days=7)}


def author_history(session: Session, author_id: str, *, now: datetime | None = None) -> dict[str, Any]:
    """{"author": {...}, "rates": {...}} from the ledger and stored decisions, in two queries."""
    now = now or utcnow()
    removal = DecisionRecord.action.in_(sorted(REMOVALS))

    def within(span: timedelta, extra=None):
        cond = DecisionRecord.created_at > now - span
        return func.coalesce(func.sum(case((cond if extra is None else cond & extra, 1), else_=0)), 0)

    columns = [func.coalesce(func.sum(case((removal, 1), else_=0)), 0)]
    for span in WINDOWS.values():
        columns += [within(span), within(span, removal)]
    row = session.execute(select(*columns).where(DecisionRecord.author_id == author_id)).one()
    rates: dict[str, float] = {}
    for n, name in enumerate(WINDOWS):
        rates[f"posts/{name}"] = float(row[1 + 2 * n])
        rates[f"removals/{name}"] = float(row[2 + 2 * n])
    return {"author": {"strikes": active_strikes(session, author_id, now=now), "prior_removals": int(row[0])},
            "rates": rates}
