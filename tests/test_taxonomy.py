"""The taxonomy: OpenAI's names exactly, and one mapping table that is complete and valid."""

from __future__ import annotations

from seawall import taxonomy

OPENAI = ["harassment", "harassment/threatening", "hate", "hate/threatening", "illicit",
          "illicit/violent", "self-harm", "self-harm/intent", "self-harm/instructions", "sexual",
          "sexual/minors", "violence", "violence/graphic"]
DSA = {"STATEMENT_CATEGORY_ANIMAL_WELFARE", "STATEMENT_CATEGORY_DATA_PROTECTION_AND_PRIVACY_VIOLATIONS",
       "STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH", "STATEMENT_CATEGORY_INTELLECTUAL_PROPERTY_INFRINGEMENTS",
       "STATEMENT_CATEGORY_NEGATIVE_EFFECTS_ON_CIVIC_DISCOURSE_OR_ELECTIONS",
       "STATEMENT_CATEGORY_NON_CONSENSUAL_BEHAVIOUR", "STATEMENT_CATEGORY_PORNOGRAPHY_OR_SEXUALIZED_CONTENT",
       "STATEMENT_CATEGORY_PROTECTION_OF_MINORS", "STATEMENT_CATEGORY_RISK_FOR_PUBLIC_SECURITY",
       "STATEMENT_CATEGORY_SCAMS_AND_FRAUD", "STATEMENT_CATEGORY_SELF_HARM",
       "STATEMENT_CATEGORY_SCOPE_OF_PLATFORM_SERVICE", "STATEMENT_CATEGORY_UNSAFE_AND_PROHIBITED_PRODUCTS",
       "STATEMENT_CATEGORY_VIOLENCE", "STATEMENT_CATEGORY_OTHER_VIOLATION_TC"}


def test_openai_categories_are_exactly_the_moderation_api_names():
    assert list(taxonomy.OPENAI_NAMES) == OPENAI
    assert set(taxonomy.NAMES) == set(OPENAI) | {"spam", "scam", "profanity", "nudity"}


def test_every_subtype_has_an_existing_parent():
    for c in taxonomy.CATEGORIES:
        assert c.parent is None or c.parent in taxonomy.BY_NAME
        assert c.name.split("/")[0] == (c.parent or c.name)


def test_mappings_use_valid_outside_codes():
    for c in taxonomy.CATEGORIES:
        assert c.dsa in DSA, c.name
        assert all(code.startswith("S") and code[1:].isdigit() and 1 <= int(code[1:]) <= 14
                   for code in c.mlcommons), c.name
        assert 1 <= c.severity <= 5
    for attr, cats in taxonomy.PERSPECTIVE_ATTRIBUTES.items():
        assert cats and all(x in taxonomy.BY_NAME for x in cats), attr


def test_unknown_category_lists_the_valid_ones():
    try:
        taxonomy.get("toxicity")
    except KeyError as e:
        assert "harassment" in str(e)
    else:
        raise AssertionError("expected KeyError")
