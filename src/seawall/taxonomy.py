"""The harm taxonomy: category names, their meaning, and mappings to other vocabularies.

Names are exactly those of the OpenAI moderation API so its clients work unchanged;
Seawall adds platform categories (spam, scam, profanity, nudity). Every mapping to an
outside vocabulary (Perspective, Llama Guard / MLCommons, EU DSA) lives in the one
table below, so an integration never invents its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType


@dataclass(frozen=True)
class Category:
    name: str
    description: str
    # Categories whose score bounds this one from above (a subtype implies its parent).
    parent: str | None
    # Modalities the category applies to, in the OpenAI `category_applied_input_types` sense.
    input_types: tuple[str, ...]
    # Severity 1 (least) .. 5 (most), used to rank review queues.
    severity: int
    perspective: tuple[str, ...]
    mlcommons: tuple[str, ...]
    # DSA Transparency Database `category` (statement of reasons).
    dsa: str
    # True when the category is a policy violation by itself (profanity is not).
    violation: bool = True


_T = ("text",)
_TI = ("text", "image")

CATEGORIES: tuple[Category, ...] = (
    Category("harassment", "Language that harasses, insults or demeans a person.",
             None, _T, 2, ("TOXICITY", "INSULT"), ("S10",), "STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH"),
    Category("harassment/threatening", "Harassment that also threatens harm to a person.",
             "harassment", _T, 4, ("THREAT", "SEVERE_TOXICITY"), ("S1", "S10"),
             "STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH"),
    Category("hate", "Hatred or demeaning language based on a protected attribute "
             "(race, ethnicity, religion, gender, sexual orientation, disability, caste, origin).",
             None, _T, 3, ("IDENTITY_ATTACK",), ("S10",), "STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH"),
    Category("hate/threatening", "Hate that also calls for or threatens violence against the group.",
             "hate", _T, 5, ("IDENTITY_ATTACK", "THREAT"), ("S1", "S10"),
             "STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH"),
    Category("illicit", "Advice or offers for committing non-violent wrongdoing "
             "(drugs, weapons sales, fraud how-to, hacking).",
             None, _T, 3, (), ("S2",), "STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH"),
    Category("illicit/violent", "Illicit content that also involves violence or weapons.",
             "illicit", _T, 5, ("THREAT",), ("S1", "S9"), "STATEMENT_CATEGORY_VIOLENCE"),
    Category("self-harm", "Content that promotes, encourages or depicts self-harm or suicide.",
             None, _TI, 4, (), ("S11",), "STATEMENT_CATEGORY_SELF_HARM"),
    Category("self-harm/intent", "The speaker expresses intent to harm or kill themselves.",
             "self-harm", _TI, 5, (), ("S11",), "STATEMENT_CATEGORY_SELF_HARM"),
    Category("self-harm/instructions", "Instructions or encouragement on how to self-harm.",
             "self-harm", _TI, 5, (), ("S11",), "STATEMENT_CATEGORY_SELF_HARM"),
    Category("sexual", "Sexually explicit content or sexual solicitation.",
             None, _TI, 3, ("SEXUALLY_EXPLICIT",), ("S12",), "STATEMENT_CATEGORY_PORNOGRAPHY_OR_SEXUALIZED_CONTENT"),
    Category("sexual/minors", "Sexual content that involves a person under 18.",
             "sexual", _TI, 5, ("SEXUALLY_EXPLICIT",), ("S4",), "STATEMENT_CATEGORY_PROTECTION_OF_MINORS"),
    Category("violence", "Content that depicts, glorifies or threatens violence.",
             None, _TI, 3, ("THREAT",), ("S1",), "STATEMENT_CATEGORY_VIOLENCE"),
    Category("violence/graphic", "Graphic depiction of death, injury or gore.",
             "violence", _TI, 4, (), ("S1",), "STATEMENT_CATEGORY_VIOLENCE"),
    Category("spam", "Unsolicited bulk or repetitive promotional content.",
             None, _T, 1, ("SPAM",), (), "STATEMENT_CATEGORY_SCOPE_OF_PLATFORM_SERVICE"),
    Category("scam", "Fraud, phishing or smishing: deceiving people out of money or credentials.",
             None, _T, 4, (), ("S2",), "STATEMENT_CATEGORY_SCAMS_AND_FRAUD"),
    Category("profanity", "Swearing, obscene or vulgar words. Not a violation by itself.",
             None, _T, 1, ("PROFANITY", "TOXICITY"), (), "STATEMENT_CATEGORY_SCOPE_OF_PLATFORM_SERVICE",
             violation=False),
    Category("nudity", "Nudity in images or video.",
             None, ("image",), 3, ("SEXUALLY_EXPLICIT",), ("S12",),
             "STATEMENT_CATEGORY_PORNOGRAPHY_OR_SEXUALIZED_CONTENT"),
)

BY_NAME = MappingProxyType({c.name: c for c in CATEGORIES})
NAMES: tuple[str, ...] = tuple(c.name for c in CATEGORIES)
# The thirteen OpenAI moderation categories, in the API's order.
OPENAI_NAMES: tuple[str, ...] = NAMES[:13]

# Perspective attributes Seawall answers, each computed from our categories (max of them).
PERSPECTIVE_ATTRIBUTES: MappingProxyType[str, tuple[str, ...]] = MappingProxyType({
    "TOXICITY": ("harassment", "hate", "profanity", "harassment/threatening", "hate/threatening"),
    "SEVERE_TOXICITY": ("harassment/threatening", "hate/threatening"),
    "IDENTITY_ATTACK": ("hate", "hate/threatening"),
    "INSULT": ("harassment",),
    "PROFANITY": ("profanity",),
    "THREAT": ("harassment/threatening", "hate/threatening", "violence"),
    "SEXUALLY_EXPLICIT": ("sexual", "sexual/minors"),
    "SPAM": ("spam",),
})


def get(name: str) -> Category:
    """Return a category by name; unknown names fail listing the valid ones."""
    try:
        return BY_NAME[name]
    except KeyError:
        raise KeyError(f"unknown category {name!r}; valid: {', '.join(NAMES)}") from None


def children(name: str) -> tuple[str, ...]:
    return tuple(c.name for c in CATEGORIES if c.parent == name)


def empty_scores() -> dict[str, float]:
    """A score dict with every category present, all zero."""
    return {n: 0.0 for n in NAMES}
