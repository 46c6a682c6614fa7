"""Evasion-resistant text normalization that keeps offsets back into the original text.

`normalize` undoes what evaders do to slip words past classifiers and word lists:
compatibility forms (fullwidth, math alphanumerics, circled letters), invisible
characters, zalgo marks, homoglyphs inside mostly-Latin words, letter-like emoji,
leetspeak, letters split by separators, stretched letters, case and spacing. Every
character of the result remembers the span of the original it came from, so a span
found in the normalized text can be highlighted in the original.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from seawall.signals.text import confusables as _t

__all__ = ["Normalized", "normalize", "skeleton"]

_NFKC = "NFKC"
# A letter keeps up to this many script-neutral combining marks (Vietnamese stacks
# two); more is zalgo noise and all of them go.
_MAX_MARKS = 2
# Bounds the per-character caches; a megabyte of random code points must not grow them
# without limit.
_CACHE_MAX = 1 << 16

_DROP, _SPACE, _CHAR, _MULTI, _MARK, _CONF = range(6)
_SCRIPT_MARK, _GENERIC_MARK, _NOISE_MARK = range(3)


@dataclass(frozen=True)
class Normalized:
    """Normalized text, and for each of its characters the (start, end) span it came from."""

    text: str
    offsets: tuple[tuple[int, int], ...]

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map the normalized span [start, end) to the span of the original it came from.

        Indices are clamped to the text; an empty span maps to an empty span.
        """
        n = len(self.offsets)
        start = min(max(start, 0), n)
        end = min(max(end, 0), n)
        if start > end:
            raise ValueError(f"span start {start} is after its end {end}")
        if start == end:
            if n == 0:
                return (0, 0)
            at = self.offsets[start][0] if start < n else self.offsets[-1][1]
            return (at, at)
        return (self.offsets[start][0], self.offsets[end - 1][1])


def _fold(s: str) -> str:
    return unicodedata.normalize(_NFKC, unicodedata.normalize(_NFKC, s).casefold())


def _is_mark(ch: str) -> bool:
    return unicodedata.category(ch)[0] == "M"


def _strip_accents(s: str) -> str:
    d = unicodedata.normalize("NFD", s)
    d = "".join(_t.SKELETON_EXTRA.get(c, c) for c in d if not _t.is_generic_mark(c))
    return unicodedata.normalize("NFC", d)


_SCRIPTS: dict[str, str] = {}


def _script(ch: str) -> str:
    """First word of the character's Unicode name ("LATIN", "CYRILLIC", ...)."""
    sc = _SCRIPTS.get(ch)
    if sc is None:
        sc = unicodedata.name(ch, "").split(" ", 1)[0]
        if len(_SCRIPTS) < _CACHE_MAX:
            _SCRIPTS[ch] = sc
    return sc


class _Mode:
    """Per-character mapping for one view (plain or accent-stripped), with its caches."""

    def __init__(self, strip: bool) -> None:
        self.strip = strip
        self.entries: dict[str, tuple] = {}
        self.probe = _Probe(self)
        self.map1 = _Map1(self)

    def entry(self, ch: str) -> tuple:
        e = self.entries.get(ch)
        if e is None:
            e = self._compute(ch)
            if len(self.entries) < _CACHE_MAX:
                self.entries[ch] = e
        return e

    def _compute(self, ch: str) -> tuple:
        if ch in _t.APOSTROPHES:
            return (_CHAR, "'", False)
        cat = unicodedata.category(ch)
        if ch in _t.INVISIBLE or cat in ("Cf", "Cs") or (cat == "Cc" and not ch.isspace()):
            return (_DROP, "", False)
        if ch.isspace() or ch in _t.EXTRA_SPACES:
            return (_SPACE, " ", False)
        if cat[0] == "M":
            return (_MARK, _mark_kind(ch), False)
        r = "".join(_t.LETTERLIKE.get(c, c) for c in _fold(ch))
        if r and _is_mark(r[0]):
            # A spacing form of a combining mark (halfwidth dakuten): it joins its base.
            return (_MARK, _mark_kind(r[0]), False)
        if r.startswith(" ") and any(_is_mark(c) for c in r):
            # Spacing accents (¨ ´ ˘) decompose to space + mark: ornament, not a word break.
            r = "".join(c for c in r if not _is_mark(c)).strip()
        if self.strip:
            r = _strip_accents(r)
        if not r:
            return (_DROP, "", False)
        if len(r) > 1:
            return (_MULTI, r, r[-1].isalpha())
        target = _t.HOMOGLYPHS.get(ch) or _t.HOMOGLYPHS.get(r)
        if target:
            return (_CONF, (r, _strip_accents(target) if self.strip else target), True)
        return (_CHAR, r, r.isalpha())


def _mark_kind(ch: str) -> int:
    if ch in _t.NOISE_MARKS:
        return _NOISE_MARK
    return _GENERIC_MARK if _t.is_generic_mark(ch) else _SCRIPT_MARK


class _Probe(dict):
    """str.translate table deleting characters that map one-to-one: an empty result
    means the cheap path (translate, no per-character Python loop) is exact."""

    def __init__(self, mode: _Mode) -> None:
        super().__init__()
        self.mode = mode

    def __missing__(self, code: int) -> int | None:
        kind = self.mode.entry(chr(code))[0]
        v = None if kind in (_CHAR, _SPACE) else code
        if len(self) < _CACHE_MAX:
            self[code] = v
        return v


class _Map1(dict):
    """str.translate table for characters that map one-to-one."""

    def __init__(self, mode: _Mode) -> None:
        super().__init__()
        self.mode = mode

    def __missing__(self, code: int) -> str:
        e = self.mode.entry(chr(code))
        v = e[1] if e[0] in (_CHAR, _SPACE) else chr(code)
        if len(self) < _CACHE_MAX:
            self[code] = v
        return v


_PLAIN = _Mode(strip=False)
_SKELETON = _Mode(strip=True)


class _Units:
    """Output of the per-character pass: one unit per output character, with its span."""

    __slots__ = ("out", "st", "en", "conf", "loose", "noise", "marked")

    def __init__(self) -> None:
        self.out: list[str] = []
        self.st: list[int] = []
        self.en: list[int] = []
        self.conf: list[tuple[int, str, str]] = []  # (unit index, lookalike, Latin target)
        self.loose: list[int] = []  # units that are combining marks left uncomposed
        self.noise: list[tuple[int, int]] = []  # (unit index, count of noise marks there)
        self.marked: list[int] = []  # letters that had script-neutral combining marks


def _units(text: str, mode: _Mode) -> _Units:
    """Map each character (NFKC, casefold, invisibles, marks, spaces)."""
    u = _Units()
    out, st, en = u.out, u.st, u.en
    pend: list[int] = []  # combining marks waiting to join their base
    base = 0  # where the last base character's units start
    base_letter = False
    get = mode.entries.get
    stable = unicodedata.is_normalized(_NFKC, text)
    for i, ch in enumerate(text):
        e = get(ch) or mode.entry(ch)
        kind = e[0]
        if kind == _MARK:
            if e[1] == _SCRIPT_MARK and stable and not pend:
                # Vowel signs and viramas of already-normalized text need no composing.
                out.append(ch)
                st.append(i)
                en.append(i + 1)
                continue
            pend.append(i)
            continue
        if kind == _DROP:
            continue
        if pend:
            _attach(text, pend, base, base_letter, u, mode)
        if kind == _CHAR:
            base = len(out)
            base_letter = e[2]
            out.append(e[1])
            st.append(i)
            en.append(i + 1)
        elif kind == _SPACE:
            base_letter = False
            if not out:
                base = 0
            elif out[-1] == " ":
                base = len(out) - 1
                en[-1] = i + 1
            else:
                base = len(out)
                out.append(" ")
                st.append(i)
                en.append(i + 1)
        elif kind == _CONF:
            base = len(out)
            base_letter = True
            u.conf.append((base, e[1][0], e[1][1]))
            out.append(e[1][0])
            st.append(i)
            en.append(i + 1)
        else:  # _MULTI
            base = len(out)
            base_letter = e[2]
            for c in e[1]:
                if c == " " and (not out or out[-1] == " "):
                    if out:
                        en[-1] = i + 1
                    continue
                out.append(c)
                st.append(i)
                en.append(i + 1)
    if pend:
        _attach(text, pend, base, base_letter, u, mode)
    if out and out[-1] == " ":
        out.pop()
        st.pop()
        en.pop()
    return u


def _attach(text: str, pend: list[int], base: int, base_letter: bool, u: _Units,
            mode: _Mode) -> None:
    """Join pending combining marks to their base, or drop them as zalgo noise.

    Marks that compose (e + ́ = é) are kept; past `_MAX_MARKS` per letter, or on a
    non-letter, script-neutral marks are dropped. Whether the word as a whole is zalgo
    is decided later by `_zalgo`, from what is recorded here.
    """
    out, st, en = u.out, u.st, u.en
    marks = [text[j] for j in pend]
    kinds = [mode.entry(m)[1] for m in marks]
    n_generic = kinds.count(_GENERIC_MARK)
    noise = kinds.count(_NOISE_MARK)
    if base_letter and not mode.strip and 0 < n_generic <= _MAX_MARKS:
        keep = [m for m, k in zip(marks, kinds) if k != _NOISE_MARK]
    else:
        keep = [m for m, k in zip(marks, kinds) if k == _SCRIPT_MARK]
        noise += n_generic if base_letter else 0
    start = st[base] if base < len(out) else pend[0]
    end = pend[-1] + 1
    pend.clear()
    if keep:
        cluster = _fold("".join(out[base:]) + "".join(keep))
        if mode.strip:
            cluster = _strip_accents(cluster)
        del out[base:], st[base:], en[base:]
        for c in cluster:
            if _t.is_generic_mark(c):
                # Left over after composition: legit in a few orthographies (Yoruba
                # ọ̀), zalgo when most letters of the word carry one.
                u.loose.append(len(out))
                noise += 1
            out.append(c)
            st.append(start)
            en.append(end)
    elif out:
        en[-1] = end  # the span of the letter covers its noise, for highlighting
    if base < len(out) and base_letter and (noise or n_generic):
        u.marked.append(base)
        if noise:
            u.noise.append((base, noise))


def _zalgo(s: str, u: _Units) -> tuple[str, list[tuple[int, int]]]:
    """Strip the marks of words that are zalgo: as many noise marks as letters, or
    combining accents on nearly every letter of a word of three or more.

    Returns the text with those accents stripped, and the leftover marks to cut.
    """
    # Words are runs of letters and marks; one pass labels each unit with its word's start.
    word = [0] * len(s)
    letters: dict[int, int] = {}
    start = 0
    for j, c in enumerate(s):
        if c.isalpha():
            letters[start] = letters.get(start, 0) + 1
        elif not _is_mark(c):
            start = j + 1
        word[j] = start
    noise: dict[int, int] = {}
    marked: dict[int, int] = {}
    for idx, n in u.noise:
        noise[word[idx]] = noise.get(word[idx], 0) + n
    for idx in u.marked:
        marked[word[idx]] = marked.get(word[idx], 0) + 1
    zalgo = set()
    for k, n_marked in marked.items():
        n_letters = letters.get(k, 0)
        # Decomposed French or Vietnamese accents a few letters; zalgo nearly all.
        if noise.get(k, 0) >= max(2, n_letters) or n_letters >= 3 and n_marked >= 0.75 * n_letters:
            zalgo.add(k)
    if not zalgo:
        return s, []
    chars = list(s)
    for idx in u.marked:
        if word[idx] in zalgo:
            plain = _strip_accents(s[idx])
            if len(plain) == 1:
                chars[idx] = plain
    return "".join(chars), [(i, i + 1) for i in u.loose if word[i] in zalgo]


def _cut(s: str, st: list[int], en: list[int], cuts: list[tuple[int, int]]
         ) -> tuple[str, list[int], list[int]]:
    """Delete the ascending, disjoint unit ranges `cuts`."""
    parts: list[str] = []
    nst: list[int] = []
    nen: list[int] = []
    prev = 0
    for a, b in cuts:
        parts.append(s[prev:a])
        nst.extend(st[prev:a])
        nen.extend(en[prev:a])
        prev = b
    parts.append(s[prev:])
    nst.extend(st[prev:])
    nen.extend(en[prev:])
    return "".join(parts), nst, nen


def _identity(n: int) -> tuple[list[int], list[int]]:
    return list(range(n)), list(range(1, n + 1))


def _homoglyphs(s: str, conf: list[tuple[int, str, str]], cut: set[int]) -> str:
    """Replace lookalikes by Latin letters in mostly-Latin words only."""
    chars = list(s)
    # An accented lookalike (Cyrillic а́) is no lookalike; zalgo accents about to be
    # cut do not count.
    conf = [(idx, target) for idx, ch, target in conf if s[idx] == ch and not (
        idx + 1 < len(s) and idx + 1 not in cut and _is_mark(s[idx + 1]))]
    lookalike = {idx for idx, _ in conf}
    text_ok: bool | None = None  # whole-text check, computed when first needed
    tok_end = -1
    mapped = False
    for idx, target in conf:
        if idx >= tok_end:
            tok_start = s.rfind(" ", 0, idx) + 1
            tok_end = s.find(" ", idx)
            if tok_end < 0:
                tok_end = len(s)
            latin, genuine = _letter_counts(s, tok_start, tok_end, lookalike)
            mapped = latin > genuine
            if not mapped and latin == 0 and genuine == 0:
                # A word made only of lookalikes ("соск") in Latin text with no genuine
                # letters of those scripts anywhere is an evasion, not a foreign word.
                if text_ok is None:
                    t_latin, t_genuine = _letter_counts(s, 0, len(s), lookalike)
                    text_ok = t_latin > 0 and t_genuine == 0
                mapped = text_ok
        if mapped:
            chars[idx] = target
    return "".join(chars)


def _letter_counts(s: str, lo: int, hi: int, lookalike: set[int]) -> tuple[int, int]:
    """(Latin letters, letters of homoglyph scripts that are not lookalikes) in s[lo:hi]."""
    latin = genuine = 0
    for i in range(lo, hi):
        c = s[i]
        if c.isalpha():
            if c.isascii():
                latin += 1
                continue
            sc = _script(c)
            if sc == "LATIN":
                latin += 1
            elif sc in _t.HOMOGLYPH_SCRIPTS and i not in lookalike:
                genuine += 1
    return latin, genuine


_X = r"(?:[^\W_]|[@$])"
# Three or more single characters split by the same separator: k.i.l.l, f u c k, k_i_l_l.
# The ends must not touch another word or another chain (u r e.n.t.e.r).
_SEPARATED = re.compile(r"(?<![\w@$'])(?<![\w@$][^\w\s@$])" + _X + r"([^\w@$]{1,3}|_{1,3})"
                        + _X + r"(?:\1" + _X + r")+(?![\w@$]|([^\w\s@$]{1,3})[\w@$]\2[\w@$])")
# Arabic, Hebrew and Hangul too: "خ.ن.ز.ي.ر" and "문.재.앙" hid hate from every tier
# (bench/text/RESULTS.md, session 13), and a run of single letters split by punctuation is
# not how those scripts are written. Korean lists single syllables with "·" (남·북·미),
# which read the same glued. Devanagari and Thai are left out: their vowel signs are not
# letters here, so a split word never forms one chain.
_SEP_SCRIPTS = frozenset({"LATIN", "CYRILLIC", "GREEK", "ARABIC", "HEBREW", "HANGUL"})


def _separators(s: str, st: list[int] | None, en: list[int] | None):
    cuts: list[tuple[int, int]] = []
    for m in _SEPARATED.finditer(s):
        sep = m.group(1)
        step = len(sep) + 1
        a, b = m.span()
        # Spaced letters glue only for Latin script: Korean and Russian have many
        # one-letter words in a row; other separators also for the scripts above.
        allowed = {"LATIN"} if " " in sep else _SEP_SCRIPTS
        chain: list[int] = []
        for p in range(a, b, step):
            chain.append(p)
            # A run of spaces where one would do is a word break: "k i l l  y o u".
            wide = sep == " " and st is not None and p + 1 < b and en[p + 1] - st[p + 1] > 1
            if wide or p + step >= b:
                if _glues(s, chain, allowed):
                    cuts.extend((q + 1, q + step) for q in chain[:-1])
                chain = []
    if not cuts:
        return s, st, en
    if st is None:
        st, en = _identity(len(s))
    return _cut(s, st, en, cuts)


# Letters that are words by themselves in text speak (u = you, r = are, c = see).
_TEXTSPEAK = frozenset("abciknoruxy")


def _glues(s: str, chain: list[int], allowed: set[str] | frozenset[str]) -> bool:
    """Whether single characters at `chain` spell a split word."""
    if len(chain) < 3:
        return False
    xs = [s[p] for p in chain]
    if sum(c.isalpha() for c in xs) < 2:
        return False  # 1.2.3 is a version number, not a word
    if (" " in s[chain[0]:chain[1]] and all(c in _TEXTSPEAK or not c.isalpha() for c in xs)
            and "".join(xs) not in ("you", "your")):
        return False  # y r u, c u 2: text speak, not a spaced-out word
    return all(c.isascii() or not c.isalpha() or _script(c) in allowed for c in xs)


_LEET_CHARS = "".join(c for c in _t.LEET if not c.isdigit())
_EDGE = "!|"  # punctuation at a word's edge (wow!), letters only inside one (sh!t)
_LEET_SYMBOLS = "".join(c for c in _LEET_CHARS if c not in _EDGE)
# A letter next to a leet character: a cheap superset of where leetspeak can be.
_LEET_HINT = re.compile(
    r"[^\W\d_][0-9" + re.escape(_LEET_SYMBOLS) + r"]|[0-9" + re.escape(_LEET_SYMBOLS)
    + r"][^\W\d_]|[^\W_][" + re.escape(_EDGE) + r"][^\W_]")
_REGION = re.compile(r"(?:[^\W_]|[" + re.escape(_LEET_CHARS) + r"])+")
_LETTERS_DIGITS = re.compile(r"([^\W\d_]+)(\d+)")
_DIGITS_LETTERS = re.compile(r"(\d+)([^\W\d_]+)")
_LONG_DIGITS = re.compile(r"\d{3}")
# Number + unit or ordinal (5pm, 3rd, 4k): real tokens, not leetspeak.
_UNITS = frozenset(
    "st nd rd th s am pm k m g p x d h kg km cm mm ml mb gb tb kb hz ghz mph kph fps yo "
    "min mins hr hrs y yr yrs px pt lb lbs oz ft v w kw mah ms".split())


def _leet(s: str) -> str:
    hint = _LEET_HINT.search(s)
    if not hint:
        return s
    parts: list[str] = []
    prev = 0
    while hint:
        a = hint.start()
        while a > 0 and (s[a - 1].isalnum() or s[a - 1] in _LEET_CHARS):
            a -= 1
        b = _REGION.match(s, a).end()
        next_from = b
        while a < b and s[a] in _EDGE:
            a += 1
        while b > a and s[b - 1] in _EDGE:
            b -= 1
        r = s[a:b]
        if _leet_applies(r) and not _mention_or_email(s, a, b):
            parts.append(s[prev:a])
            parts.append(_unleet(r))
            prev = b
        hint = _LEET_HINT.search(s, next_from)
    if not parts:
        return s
    parts.append(s[prev:])
    return "".join(parts)


def _mention_or_email(s: str, a: int, b: int) -> bool:
    r = s[a:b]
    if "@" in r[1:] and s[b:b + 1] == "." and s[b + 1:b + 2].isalnum():
        return True  # name@example.com
    # A leading @ is a mention (@afd, @md_franz) unless what follows is too short for
    # a handle (@ss) or has leet symbols of its own (@$$).
    return r.startswith("@") and (len(r) > 3 or s[b:b + 1] == "_") and not any(
        c in _LEET_SYMBOLS for c in r[1:])


_EIGHT_AS_ATE = re.compile(r"(?<=[^\W\d_])8(?=r|$)")
_PIPE_BETWEEN_WORDS = re.compile(r"(?<=[^\W_]{5})\|(?![|])|(?<![|])\|(?=[^\W_]{5})")
_BANG_BETWEEN_WORDS = re.compile(r"(?<=[^\W_]{4})!(?=[^\W_]{4})")
_VOWELS = frozenset("aeiouy")
# Consonants that start an English cluster with l (bl, cl, fl, gl, pl, sl).
_BEFORE_L = frozenset("bcfgps")


def _unleet(r: str) -> str:
    keep: set[int] = set()  # leet characters that are not letters here
    if "8" in r:
        # 8 after a letter, last or before r, sounds "ate" (l8r, m8, sk8r): not a b.
        keep.update(m.start() for m in _EIGHT_AS_ATE.finditer(r))
    if "!" in r:
        # ! between two long runs glues two words (nice!selfish); sh!t has a short side.
        keep.update(m.start() for m in _BANG_BETWEEN_WORDS.finditer(r))
    if "|" in r:
        # A lone | after or before a long run separates (#tag|en); ki|l, he||o are l.
        keep.update(m.start() for m in _PIPE_BETWEEN_WORDS.finditer(r))
    chars = [c if k in keep or c == "1" else _t.LEET.get(c, c) for k, c in enumerate(r)]
    if "1" not in r:
        return "".join(chars)
    # 1 stands for i (k1ll, sh1t, 1diot) or l (ki11, c1ick, 1ove); spelling decides.
    n = len(chars)
    for k, c in enumerate(chars):
        if c != "1":
            continue
        prev = chars[k - 1] if k else ""
        nxt = chars[k + 1] if k + 1 < n else ""
        as_l = (
            nxt in ("1", "l") and prev in _VOWELS  # he1l, wa1l, fu11
            or nxt == "" and prev.isalpha()  # word-final: kil1, anima1
            or nxt == "y" and prev.isalpha()  # ear1y, on1y, ug1y
            or nxt in _VOWELS and (prev in ("", "l") or prev in _BEFORE_L or prev in _VOWELS)
        )
        chars[k] = "l" if as_l else "i"
    return "".join(chars)


def _trailing_leet(letters: str, digits: str) -> bool:
    """Whether digits after letters are leet (hell0, ki11, fr33) rather than a number."""
    if len(letters) < 2 or digits[0] not in "0135" or len(set(digits)) > 1 or len(digits) > 2:
        return False
    return digits[0] in "01" or len(letters) > 2  # mp3, ps5


def _leet_applies(r: str) -> bool:
    """Whether a run of letters, digits and symbols is leetspeak rather than a number token."""
    if not any(c.isalpha() for c in r):
        return False  # 2024, £5: numbers stay numbers
    for c in r:
        if c.isdigit() and c not in _t.LEET:
            return False  # b2b, 1080p, Arabic-Indic digits
        if c.isalpha() and not c.isascii() and _script(c) != "LATIN":
            return False
    if _LONG_DIGITS.search(r):
        return False  # user1990
    m = _LETTERS_DIGITS.fullmatch(r)
    if m and not _trailing_leet(m.group(1), m.group(2)):
        return False  # covid19, mp3, win10; but hell0, ki11, nud3 are leet
    m = _DIGITS_LETTERS.fullmatch(r)
    if m and (m.group(2) in _UNITS or len(m.group(2)) < 2):
        return False  # 10am, 3rd, 4k, 4u
    return True


_REPEATS = re.compile(r"([^\W\d_])\1{2,}")
_ANY_TRIPLE = re.compile(r"(.)\1\1")  # a much faster pre-check


def _repeats(s: str, st: list[int] | None, en: list[int] | None, keep: int = 2):
    """Squeeze a letter repeated three or more times to `keep` copies (fuuuuck -> fuuck,
    or fuck with keep=1). Doubles that were written as doubles are never touched."""
    if not _ANY_TRIPLE.search(s):
        return s, st, en
    cuts = [m.span() for m in _REPEATS.finditer(s)]
    if not cuts:
        return s, st, en
    if st is None:
        st, en = _identity(len(s))
    for a, b in cuts:
        en[a + keep - 1] = en[b - 1]  # the kept letters cover the whole stretched run
    return _cut(s, st, en, [(a + keep, b) for a, b in cuts])


_SPACE_RUNS = re.compile(r"^ +| +$| {2,}")


def _spaces(s: str, st: list[int] | None, en: list[int] | None):
    """Collapse space runs and trim, for the fast path (the slow path does it per character)."""
    if not (s.startswith(" ") or s.endswith(" ") or "  " in s):
        return s, st, en
    n = len(s)
    spans = [m.span() for m in _SPACE_RUNS.finditer(s)]
    if not spans:
        return s, st, en
    if st is None:
        st, en = _identity(n)
    cuts = []
    for a, b in spans:
        if a == 0 or b == n:
            cuts.append((a, b))
        else:
            en[a] = en[b - 1]  # the kept space covers the run
            cuts.append((a + 1, b))
    return _cut(s, st, en, cuts)


def normalize(text: str, *, strip_accents: bool = False, stretch: int = 2) -> Normalized:
    """Normalize `text` against evasions; never raises on a str, linear in its length.

    In order: NFKC and casefold per character, invisible characters dropped, combining
    marks composed (zalgo dropped), whitespace collapsed; homoglyphs mapped in
    mostly-Latin words; split letters glued (k.i.l.l, f u c k); leetspeak mapped in
    words that have letters (h3ll0, not 2024); letters stretched past two squeezed.
    With `strip_accents`, diacritics are removed too (see `skeleton`). `stretch` is how
    many copies of a stretched letter stay: 2 reads naturally (soo good); 1 is what the
    classifiers see, since evaders stretch single letters far more often than doubles.
    """
    if stretch not in (1, 2):
        raise ValueError("stretch must be 1 or 2")
    if not isinstance(text, str):
        raise TypeError(f"normalize() takes a str, not {type(text).__name__}")
    mode = _SKELETON if strip_accents else _PLAIN
    st: list[int] | None = None
    en: list[int] | None = None
    if not text.translate(mode.probe):
        # Every character maps one-to-one: C-speed translate keeps offsets the identity.
        s = text.translate(mode.map1)
        s, st, en = _spaces(s, st, en)
    else:
        u = _units(text, mode)
        s, st, en = "".join(u.out), u.st, u.en
        cuts: list[tuple[int, int]] = []
        if u.marked:
            s, cuts = _zalgo(s, u)
        if u.conf:
            s = _homoglyphs(s, u.conf, {a for a, _ in cuts})
        if cuts:
            s, st, en = _cut(s, st, en, cuts)
    s, st, en = _separators(s, st, en)
    s = _leet(s)
    s, st, en = _repeats(s, st, en, stretch)
    if st is None:
        st, en = _identity(len(s))
    return Normalized(s, tuple(zip(st, en)))


def skeleton(text: str) -> str:
    """The normalized text with diacritics removed too (café -> cafe), for matching."""
    return normalize(text, strip_accents=True).text
