"""Roles, what each may do, and which queues a person may open (restricted queues need a named grant)."""

from __future__ import annotations

import os
from dataclasses import dataclass

from seawall.errors import SeawallError

ROLES: tuple[str, ...] = ("moderator", "senior_moderator", "analyst", "admin")

# Capabilities per role. The console and the API check these names, never the role itself,
# so a deployment can change the table without touching a route.
CAPABILITIES: dict[str, frozenset[str]] = {
    "moderator": frozenset({"review", "qa_review"}),
    "senior_moderator": frozenset({"review", "qa_review", "reassign", "appeals", "qa_stats", "see_claims"}),
    "analyst": frozenset({"qa_stats", "stats", "export"}),
    "admin": frozenset({"review", "qa_review", "reassign", "appeals", "qa_stats", "see_claims", "stats",
                        "export", "audit", "users"}),
}

# Queues that are work of their own kind, reached through a capability rather than a grant.
APPEALS_QUEUE = "appeals"
QA_QUEUE = "qa"
ESCALATIONS_QUEUE = "escalations"
SAMPLE_QUEUE = "active-learning"
CAPABILITY_QUEUES = {APPEALS_QUEUE: "appeals", QA_QUEUE: "qa_review"}
# Escalated items are for senior people unless a moderator is named on the queue.
SENIOR_QUEUES = frozenset({ESCALATIONS_QUEUE})

# Child-safety material: nobody sees it through "*", not even an admin; the queue must be
# granted by name (and the grant is audited).
DEFAULT_RESTRICTED = ("child-safety",)


def restricted_queues(env: dict[str, str] | None = None) -> frozenset[str]:
    env = os.environ if env is None else env
    extra = [q.strip() for q in env.get("SEAWALL_CONSOLE_RESTRICTED_QUEUES", "").split(",") if q.strip()]
    return frozenset((*DEFAULT_RESTRICTED, *extra))


@dataclass(frozen=True)
class Principal:
    """Who is asking: enough to check permissions without touching the database."""

    username: str
    role: str
    queues: tuple[str, ...] = ()
    restricted: frozenset[str] = frozenset(DEFAULT_RESTRICTED)

    def can(self, capability: str) -> bool:
        return capability in CAPABILITIES.get(self.role, frozenset())

    def can_open_queue(self, queue: str) -> bool:
        """May this person see items of `queue` at all."""
        if queue in CAPABILITY_QUEUES:
            return self.can(CAPABILITY_QUEUES[queue])
        if not self.can("review"):
            return False
        if queue in self.restricted:
            return queue in self.queues
        if queue in SENIOR_QUEUES and self.role == "moderator":
            return queue in self.queues
        return "*" in self.queues or queue in self.queues

    def visible_queues(self, names: list[str]) -> list[str]:
        return [q for q in names if self.can_open_queue(q)]


def check_role(role: str) -> str:
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; valid: {', '.join(ROLES)}")
    return role


class Forbidden(SeawallError):
    """The person is signed in but their role or queue grants do not allow this."""

    code = "forbidden"
    http_status = 403


def require(principal: Principal, capability: str) -> None:
    if not principal.can(capability):
        raise Forbidden(f"{principal.role} may not {capability.replace('_', ' ')}")


def require_queue(principal: Principal, queue: str) -> None:
    if not principal.can_open_queue(queue):
        raise Forbidden(f"queue {queue!r} is not open to {principal.username}")
