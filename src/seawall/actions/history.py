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
# Decisions people make about an item already decided: not new posts, and when they do not
# take the item down (an overturned appeal, a reviewer's allow) they restore it.
SECOND_LOOKS = ("review", "appeal")


def author_history(session: Session, author_id: str, *, now: datetime | None = None) -> dict[str, Any]:
    """{"author": {...}, "rates": {...}} from the ledger and stored decisions, in two queries.

    A removal counts once per item, and not at all once a later appeal or review restored
    the item; posts count the author's items, not the second looks people took at them.
    """
    now = now or utcnow()
    d = DecisionRecord
    # The last time each of the author's items was restored; a removal after it still stands.
    restored = (select(d.content_id, func.max(d.created_at).label("at"))
                .where(d.author_id == author_id, d.origin.in_(SECOND_LOOKS), d.action.not_in(sorted(REMOVALS)))
                .group_by(d.content_id).subquery())
    standing = d.action.in_(sorted(REMOVALS)) & (restored.c.at.is_(None) | (restored.c.at < d.created_at))
    post = d.origin.not_in(SECOND_LOOKS)

    def items(cond):
        # Distinct items: an escalated removal a specialist then banned is one removal.
        return func.count(func.distinct(case((cond, d.content_id))))

    def posts(cond):
        return func.coalesce(func.sum(case((cond, 1), else_=0)), 0)

    columns = [items(standing)]
    for span in WINDOWS.values():
        recent = d.created_at > now - span
        columns += [posts(recent & post), items(recent & standing)]
    row = session.execute(select(*columns).select_from(d)
                          .outerjoin(restored, restored.c.content_id == d.content_id)
                          .where(d.author_id == author_id)).one()
    rates: dict[str, float] = {}
    for n, name in enumerate(WINDOWS):
        rates[f"posts/{name}"] = float(row[1 + 2 * n])
        rates[f"removals/{name}"] = float(row[2 + 2 * n])
    return {"author": {"strikes": active_strikes(session, author_id, now=now), "prior_removals": int(row[0])},
            "rates": rates}
