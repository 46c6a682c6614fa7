"""Character tables for text normalization: invisibles, homoglyphs, letter-likes, leetspeak."""

from __future__ import annotations

import re
import unicodedata
from types import MappingProxyType


def _pairs(spec: str) -> dict[str, str]:
    """Read "xX yY" pairs (source char, target char) from a compact string."""
    return {pair[0]: pair[1] for pair in spec.split()}


# Invisible characters evaders put inside words. Format (Cf), surrogate (Cs) and
# non-whitespace control (Cc) characters are dropped by category too; this set adds
# the invisible ones that Unicode files under other categories (variation selectors
# and the grapheme joiner are marks, the Hangul fillers are letters).
INVISIBLE: frozenset[str] = frozenset(
    [chr(c) for c in range(0x200B, 0x2010)]      # zero-width space/joiners, LRM/RLM
    + [chr(c) for c in range(0x202A, 0x202F)]    # bidi embeddings and overrides
    + [chr(c) for c in range(0x2060, 0x2070)]    # word joiner, invisible operators, isolates
    + [chr(c) for c in range(0xFE00, 0xFE10)]    # variation selectors
    + [chr(c) for c in range(0xE0000, 0xE0080)]  # tag characters
    + [chr(c) for c in range(0xE0100, 0xE01F0)]  # variation selectors supplement
    + [chr(c) for c in range(0x180B, 0x1810)]    # Mongolian variation selectors
    + ["\u00ad", "\u034f", "\u061c", "\u115f", "\u1160", "\u17b4", "\u17b5",
       "\u3164", "\uffa0", "\ufeff"]
)

# Blank-looking characters that are not whitespace to str.isspace().
EXTRA_SPACES: frozenset[str] = frozenset("\u2800\u180e")

# Combining-mark blocks that are script-neutral diacritics: the ones zalgo text stacks
# and the ones `skeleton` strips. Script-specific marks (Devanagari vowel signs, Arabic
# harakat, Thai tone marks) are outside these blocks and always kept.
_GENERIC_MARK_BLOCKS = ((0x0300, 0x0370), (0x1AB0, 0x1B00), (0x1DC0, 0x1E00),
                        (0x20D0, 0x2100), (0xFE20, 0xFE30))


def is_generic_mark(ch: str) -> bool:
    cp = ord(ch)
    return any(lo <= cp < hi for lo, hi in _GENERIC_MARK_BLOCKS)


# Marks no orthography uses: overlays, under/overlines and enclosing marks that make
# strikethrough, underline and zalgo effects. Always dropped.
NOISE_MARKS: frozenset[str] = frozenset(
    [chr(c) for c in range(0x0334, 0x0339)]
    + [chr(c) for c in range(0x20D0, 0x2100)]
    + ["\u0305", "\u0332", "\u0333", "\u033f", "\u0488", "\u0489"]
    # Greek ypogegrammeni: casefolds to the letter ι, so on a Latin letter it adds one.
    + ["\u0345"]
)


_LETTERLIKE_NAME = re.compile(
    r"(?:LATIN LETTER SMALL CAPITAL|REGIONAL INDICATOR SYMBOL LETTER"
    r"|(?:NEGATIVE |CROSSED NEGATIVE )?(?:CIRCLED|SQUARED|PARENTHESIZED)"
    r" LATIN (?:CAPITAL|SMALL) LETTER)"
    r" ([A-Z])$"
)
# Blocks holding small capitals and enclosed/regional-indicator letters; scanning only
# these keeps import fast.
_LETTERLIKE_BLOCKS = ((0x0250, 0x02B0), (0x1D00, 0x1D80), (0xA730, 0xA800), (0x1F100, 0x1F200))


def _letterlike() -> dict[str, str]:
    table = {}
    for lo, hi in _LETTERLIKE_BLOCKS:
        for cp in range(lo, hi):
            m = _LETTERLIKE_NAME.match(unicodedata.name(chr(cp), ""))
            if m:
                table[chr(cp)] = m.group(1).lower()
    # Latin-script lookalikes with no decomposition (IPA alpha and script g, clicks).
    table.update(_pairs("ɑa ɡg ɩi ǀl ꞵb"))
    return table


# Letter-like symbols mapped to Latin unconditionally (they are not letters of any
# language): small capitals, regional indicators, negative circled/squared letters.
# Applied after NFKC, so fullwidth, math alphanumerics and circled letters are covered
# by NFKC itself.
LETTERLIKE: MappingProxyType[str, str] = MappingProxyType(_letterlike())

# Homoglyphs of Latin letters in other scripts, keyed by the original character so the
# target can depend on case (Greek Η looks like H, η like n). Applied only inside words
# that are mostly Latin, so genuine Cyrillic/Greek text is left alone.
HOMOGLYPHS: MappingProxyType[str, str] = MappingProxyType(_pairs(
    # Cyrillic, lower then upper case
    "аa вb гr еe ёë іi їï јj кk мm нh оo пn рp сc тt уy хx ѕs һh ԁd ԛq ԝw ӏl үy ьb "
    "Аa Вb Еe Ёë Іi Їï Јj Кk Мm Нh Оo Рp Сc Тt Уy Хx Ѕs Һh Ԁd Ԛq Ԝw Ӏl Үy Ьb "
    # Greek, lower then upper case
    "αa βb γy εe ζz ηn ιi κk μu νv οo ρp τt υu χx ωw ϲc ϳj ϵe "
    "Αa Βb Εe Ζz Ηh Ιi Κk Μm Νn Οo Ρp Τt Υy Χx Ϲc "
    # Armenian and Cherokee
    "օo սu հh ոn ցg զq "
    "Ꭺa Ᏼb Ꮯc Ꭼe Ꮋh Ꭻj Ꮶk Ꮮl Ꮇm Ꮎo Ꮲp Ꮪs Ꭲt Ꮃw Ꮓz"
))

# Scripts whose letters appear in HOMOGLYPHS (first word of the Unicode name).
HOMOGLYPH_SCRIPTS: frozenset[str] = frozenset({"CYRILLIC", "GREEK", "ARMENIAN", "CHEROKEE"})

# Leetspeak and letter-like symbols, applied only inside words that also have letters.
# 1 could be i or l; i is the commoner evasion (k1ll, sh1t, b1tch).
LEET: MappingProxyType[str, str] = MappingProxyType(_pairs(
    "0o 1i 3e 4a 5s 7t 8b 9g @a $s !i |l €e ©c ®r ¢c ❌x ✖x ✗x ✘x ⭕o"
))

# Apostrophe lookalikes, so "don’t" and "don't" read the same.
# \x91 and \x92 are cp1252's curly quotes read as Latin-1, common in old SMS dumps.
APOSTROPHES: frozenset[str] = frozenset("\u2018\u2019\u201b\u02bc\u00b4\u2032`\x91\x92")

# Diacritic-free letters with no decomposition, for the skeleton view.
SKELETON_EXTRA: MappingProxyType[str, str] = MappingProxyType(_pairs("ıi łl øo đd ħh ŧt"))
