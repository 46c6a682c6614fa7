"""The policy text a reviewer needs beside an item: the rule that routed it, its description and source."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from seawall import taxonomy
from seawall.storage.tables import PolicyVersion


@dataclass(frozen=True)
class RuleText:
    name: str
    description: str
    category: str | None
    category_description: str
    source: str          # the rule's lines as written in the policy file
    line: int
    policy_version: str


@functools.lru_cache(maxsize=32)
def _compiled(source: str):
    from seawall.policy import compile_policy

    return compile_policy(source)


def _source_for(session: Session, version: str) -> str | None:
    row = session.scalar(select(PolicyVersion).where(PolicyVersion.version == version))
    if row is not None:
        return row.source
    from seawall.policy.loader import active_policy, default_policy

    for policy in (active_policy(), default_policy()):
        if policy.version == version and policy.source:
            return policy.source
    return None


def _excerpt(source: str, line: int) -> str:
    """The rule's call, from its first line to the line that closes it."""
    lines = source.splitlines()
    start = max(0, line - 1)
    out = []
    depth = 0
    for text in lines[start:start + 40]:
        out.append(text)
        depth += text.count("(") - text.count(")")
        if depth <= 0 and out:
            break
    return "\n".join(out)


def rule_texts(session: Session, version: str, names: list[str] | tuple[str, ...]) -> list[RuleText]:
    """The named rules of a stored (or the packaged) policy version; unknown names are skipped."""
    source = _source_for(session, version)
    if not source:
        return []
    try:
        policy = _compiled(source)
    except Exception:  # an old stored version that no longer compiles: show nothing rather than fail the page
        return []
    out = []
    for name in names:
        try:
            rule = policy.rule(name)
        except KeyError:
            continue
        cat = rule.category
        out.append(RuleText(name=rule.name, description=rule.description, category=cat,
                            category_description=taxonomy.BY_NAME[cat].description if cat in taxonomy.BY_NAME else "",
                            source=_excerpt(source, rule.line), line=rule.line, policy_version=version))
    return out
