"""Evasion perturbations of text, for testing that classifiers survive what evaders do.

Each function in `PERTURBATIONS` rewrites one word the way evaders do (homoglyphs,
leetspeak, invisible characters, ...). `perturb` applies one kind to a realistic share
of a text's words, deterministically for a seed, to make a perturbed copy of a test set.
"""

from __future__ import annotations

import functools
import random
import re
import unicodedata
from typing import Callable

__all__ = ["PERTURBATIONS", "perturb"]

Perturbation = Callable[[str, random.Random], str]

# Lookalikes evaders actually use, by Latin letter: the convincing subset of the
# normalizer's table (lowercase Cyrillic к or т do not pass for k or t).
_LOOKALIKES: dict[str, str] = {
    "a": "аα", "c": "сϲ", "d": "ԁ", "e": "е", "h": "һ", "i": "іι", "j": "ј", "l": "ӏ",
    "n": "ηп", "o": "оοօ", "p": "рρ", "q": "ԛ", "s": "ѕ", "u": "υս", "v": "ν", "w": "ԝω",
    "x": "хχ", "y": "уү",
    "A": "АΑ", "B": "ВΒ", "C": "СϹ", "E": "ЕΕ", "H": "НΗ", "I": "ІΙ", "J": "Ј", "K": "КΚ",
    "M": "МΜ", "N": "Ν", "O": "ОΟ", "P": "РΡ", "S": "Ѕ", "T": "ТΤ", "X": "ХΧ", "Y": "УΥ",
    "Z": "Ζ",
}
_LEET: dict[str, str] = {"a": "4@", "e": "3", "i": "1!", "o": "0", "s": "5$", "t": "7",
                         "b": "8", "g": "9", "l": "1"}
_INVISIBLES = "\u200b\u200c\u200d\u2060\ufeff\u00ad"
_SEPARATORS = ".-_*·"
_VOWELS = "aeiouyAEIOUY"
_MATH_STYLES = ("BOLD", "ITALIC", "BOLD ITALIC", "SCRIPT", "BOLD SCRIPT", "FRAKTUR",
                "DOUBLE-STRUCK", "SANS-SERIF", "SANS-SERIF BOLD", "MONOSPACE")
_EMOJI_STYLES = ("REGIONAL INDICATOR SYMBOL LETTER {L}",
                 "NEGATIVE SQUARED LATIN CAPITAL LETTER {L}",
                 "NEGATIVE CIRCLED LATIN CAPITAL LETTER {L}",
                 "CIRCLED LATIN SMALL LETTER {l}")


@functools.lru_cache(maxsize=4096)
def _lookup(name: str) -> str | None:
    try:
        return unicodedata.lookup(name)
    except KeyError:
        return None


def _some(rng: random.Random, positions: list[int], share: float = 0.5) -> list[int]:
    """About `share` of the positions, at least one."""
    if not positions:
        return []
    return rng.sample(positions, max(1, round(len(positions) * share)))


def homoglyph(word: str, rng: random.Random) -> str:
    """Swap about half the letters that have a Cyrillic/Greek/Armenian twin, keeping one Latin."""
    letters = [i for i, c in enumerate(word) if c.isascii() and c.isalpha()]
    swappable = [i for i in letters if word[i] in _LOOKALIKES]
    chosen = _some(rng, swappable)
    if len(chosen) >= len(letters):
        chosen = chosen[:-1]  # a word all in another script reads as that script's word
    chars = list(word)
    for i in chosen:
        chars[i] = rng.choice(_LOOKALIKES[word[i]])
    return "".join(chars)


def leetspeak(word: str, rng: random.Random) -> str:
    """Replace about half the letters that have a digit or symbol twin (k1ll, h4t3)."""
    chars = list(word)
    for i in _some(rng, [i for i, c in enumerate(word) if c.lower() in _LEET]):
        chars[i] = rng.choice(_LEET[word[i].lower()])
    return "".join(chars)


def zero_width(word: str, rng: random.Random) -> str:
    """Insert invisible characters into about half the gaps between letters."""
    gaps = set(_some(rng, list(range(1, len(word)))))
    return "".join((rng.choice(_INVISIBLES) if i in gaps else "") + c for i, c in enumerate(word))


def separators(word: str, rng: random.Random) -> str:
    """Split every letter with one punctuation separator (k.i.l.l, k_i_l_l)."""
    return rng.choice(_SEPARATORS).join(word)


def spaced_letters(word: str, rng: random.Random) -> str:
    """Split every letter with a space (k i l l)."""
    return " ".join(word)


def repeated_letters(word: str, rng: random.Random) -> str:
    """Stretch one or two letters, vowels first, to 3-6 copies (kiiiill)."""
    letters = [i for i, c in enumerate(word) if c.isalpha()]
    vowels = [i for i in letters if word[i] in _VOWELS] or letters
    if not vowels:
        return word
    chosen = set(rng.sample(vowels, min(len(vowels), rng.choice((1, 2)))))
    return "".join(c * rng.randint(3, 6) if i in chosen else c for i, c in enumerate(word))


def letter_emoji(word: str, rng: random.Random) -> str:
    """Spell the word in letter-like emoji: regional indicators, 🅺, 🅚 or ⓚ."""
    style = rng.choice(_EMOJI_STYLES)
    return "".join(_lookup(style.format(L=c.upper(), l=c.lower())) or c
                   if c.isascii() and c.isalpha() else c for c in word)


def fullwidth(word: str, rng: random.Random) -> str:
    """Fullwidth forms of ASCII characters (ｋｉｌｌ), which NFKC maps back."""
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in word)


def mixed_case(word: str, rng: random.Random) -> str:
    """Flip the case of about half the letters (KiLl)."""
    chars = list(word)
    for i in _some(rng, [i for i, c in enumerate(word) if c.isalpha()]):
        chars[i] = chars[i].swapcase()
    return "".join(chars)


def math_alphanumeric(word: str, rng: random.Random) -> str:
    """Mathematical alphanumeric letters (𝐤𝐢𝐥𝐥, 𝓴𝓲𝓵𝓵) that "font generators" produce."""
    style = rng.choice(_MATH_STYLES)

    def one(c: str) -> str:
        if not (c.isascii() and c.isalpha()):
            return c
        case = "CAPITAL" if c.isupper() else "SMALL"
        return _lookup(f"MATHEMATICAL {style} {case} {c.upper()}") or c

    return "".join(one(c) for c in word)


def small_caps(word: str, rng: random.Random) -> str:
    """Small capital letters (ᴋɪʟʟ) that "font generators" produce; q and x have none."""
    return "".join(_lookup(f"LATIN LETTER SMALL CAPITAL {c.upper()}") or c
                   if c.isascii() and c.isalpha() else c for c in word)


def zalgo(word: str, rng: random.Random) -> str:
    """Stack one to three random combining marks on every letter."""
    return "".join(c + "".join(chr(rng.randrange(0x0300, 0x0370)) for _ in range(rng.randint(1, 3)))
                   if c.isalpha() else c for c in word)


PERTURBATIONS: dict[str, Perturbation] = {
    "homoglyph": homoglyph,
    "leetspeak": leetspeak,
    "zero_width": zero_width,
    "separators": separators,
    "spaced_letters": spaced_letters,
    "repeated_letters": repeated_letters,
    "letter_emoji": letter_emoji,
    "fullwidth": fullwidth,
    "mixed_case": mixed_case,
    "math_alphanumeric": math_alphanumeric,
    "small_caps": small_caps,
    "zalgo": zalgo,
}

# Whole words only: not parts of URLs, e-mails, handles, hashtags or contractions.
_WORD = re.compile(r"(?<![\w@#/.:'’-])[^\W\d_]{3,}(?![\w@'’/-]|:/)")


def perturb(text: str, kind: str, seed: int = 0, *, share: float = 0.5) -> str:
    """Apply perturbation `kind` to `share` of the words of three or more letters.

    The longest words are chosen, as evaders disguise the content-bearing ones; the
    result depends only on (text, kind, seed, share).
    """
    fn = PERTURBATIONS.get(kind)
    if fn is None:
        valid = ", ".join(sorted(PERTURBATIONS))
        raise ValueError(f"unknown perturbation {kind!r}; valid: {valid}")
    if not 0.0 <= share <= 1.0:
        raise ValueError(f"share must be within [0, 1], got {share}")
    # A str seed is hashed with SHA-512 by random.Random: stable across processes.
    rng = random.Random(f"{kind}:{seed}")
    words = list(_WORD.finditer(text))
    if not words:
        return text
    k = max(1, round(len(words) * share)) if share > 0 else 0
    ties = [rng.random() for _ in words]
    order = sorted(range(len(words)), key=lambda i: (-len(words[i].group()), ties[i]))
    chosen = sorted(order[:k])
    parts = []
    prev = 0
    for i in chosen:
        m = words[i]
        gap = text[prev:m.start()]
        if kind == "spaced_letters" and parts and gap == " ":
            gap = "   "  # two spaced-out words in a row need a wider gap to be read
        parts.append(gap)
        parts.append(fn(m.group(), rng))
        prev = m.end()
    parts.append(text[prev:])
    return "".join(parts)
