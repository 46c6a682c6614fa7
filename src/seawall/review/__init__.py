"""Review: queues for people, exclusive claims, verdicts that enforce, escalation, appeals, QA, wellbeing, audit."""

from __future__ import annotations

TABLE_MODULES = ("seawall.review.queue", "seawall.review.tables", "seawall.feedback.tables")
