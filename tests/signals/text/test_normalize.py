"""Tests for evasion-resistant normalization and its offsets."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from seawall.signals.text.normalize import Normalized, normalize, skeleton

# Characters the normalizer treats specially, so generated text hits every branch.
_SPECIAL = list(
    "\u200b\u200c\u200d\u200e\u200f\u2060\u2064\ufeff\u00ad\ufe0f\U000e0041\u202e\u2066"
    "\u0301\u0308\u0336\u0345\u093f\u094d\u3099\uff9e\u00a8"
    "аеорсухіοαν" "АΗΕ" "@$!|0134578€❌"
    ".-_* \t\n\u00a0\u3000"
    "ｋ𝐤ⓚ⒦ᵏᴋ🅺🅚🇰ﬁß İ"
    "\ud800\udfff\x00\x07\x92"
) + ["k", "i", "l", "a", "1", "2"]
_TEXT = st.text(alphabet=st.one_of(st.characters(), st.sampled_from(_SPECIAL)), max_size=80)


def _nfkc_casefold(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def _assert_offsets_valid(text: str, n: Normalized) -> None:
    assert len(n.offsets) == len(n.text)
    prev_start = prev_end = 0
    for start, end in n.offsets:
        assert 0 <= start < end <= len(text)
        assert start >= prev_start and end >= prev_end
        prev_start, prev_end = start, end


@settings(max_examples=400, deadline=None)
@given(_TEXT)
def test_normalize_never_raises_and_offsets_are_monotonic_and_in_bounds(text):
    _assert_offsets_valid(text, normalize(text))
    _assert_offsets_valid(text, normalize(text, strip_accents=True))


@settings(max_examples=200, deadline=None)
@given(_TEXT)
def test_normalized_text_is_trimmed_lowercase_and_single_spaced(text):
    out = normalize(text).text
    assert out == out.strip()
    assert "  " not in out
    assert not any(c.isspace() and c != " " for c in out)
    assert not any(unicodedata.category(c) in ("Cf", "Cs", "Cc") for c in out)


# Leet characters are left out: their rules look at run lengths, which squeezing
# repeated letters can change, so a second pass may decide differently on such junk.
@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="kilasheoKIL._-* \u200bаеоιｋ🅺\u0301\u0336", max_size=40))
def test_normalize_is_idempotent_without_leet_characters(text):
    once = normalize(text).text
    assert normalize(once).text == once


def test_to_original_maps_a_found_word_back_to_its_disguised_span():
    original = "I will k.i.l.l you"
    n = normalize(original)
    assert n.text == "i will kill you"
    start = n.text.index("kill")
    a, b = n.to_original(start, start + len("kill"))
    assert original[a:b] == "k.i.l.l"


@pytest.mark.parametrize("original, word, disguised", [
    ("you are a ｋｉｌｌｅｒ!", "killer", "ｋｉｌｌｅｒ"),
    ("so 𝐤𝐢𝐥𝐥 them", "kill", "𝐤𝐢𝐥𝐥"),
    ("what a fuuuuuck", "fuuck", "fuuuuuck"),
    ("a k\u200bi\u200bl\u200bl b", "kill", "k\u200bi\u200bl\u200bl"),
    ("z̸̧̛̗̣a̴̡̙l̷̗g̶o̵̢ here", "zalgo", "z̸̧̛̗̣a̴̡̙l̷̗g̶o̵̢"),
    ("pay at раураl now", "paypal", "раураl"),
    ("  spaced   out  ", "spaced out", "spaced   out"),
    ("🅺🅸🅻🅻 all", "kill", "🅺🅸🅻🅻"),
])
def test_to_original_covers_the_whole_disguised_word(original, word, disguised):
    n = normalize(original)
    start = n.text.index(word)
    a, b = n.to_original(start, start + len(word))
    assert original[a:b] == disguised


def test_to_original_clamps_out_of_range_and_maps_empty_spans_to_a_point():
    n = normalize("ab cd")
    assert n.to_original(-5, 100) == (0, 5)
    assert n.to_original(3, 3) == (3, 3)
    assert n.to_original(5, 5) == (5, 5)
    assert normalize("").to_original(0, 0) == (0, 0)
    with pytest.raises(ValueError):
        n.to_original(3, 1)


@pytest.mark.parametrize("text, expected", [
    ("ｋｉｌｌ", "kill"),                      # fullwidth
    ("𝐤𝐢𝐥𝐥 𝓴𝓲𝓵𝓵 𝕜𝕚𝕝𝕝", "kill kill kill"),  # math alphanumerics
    ("ⓚⓘⓛⓛ", "kill"),                        # circled
    ("ᵏⁱˡˡ", "kill"),                        # superscripts
    ("ᴋɪʟʟ", "kill"),                        # small capitals
    ("🅺🅸🅻🅻 🅚🅘🅛🅛 🇰🇮🇱🇱", "kill kill kill"),  # letter emoji, regional indicators
    ("k\u200bi\u200cl\u200dl", "kill"),
    ("k\u2060i\u2063l\ufeffl", "kill"),
    ("ki\u00adll", "kill"),                   # soft hyphen
    ("k\ufe0fi\U000e0020ll", "kill"),         # variation selector, tag character
    ("k\u202ei\u2066ll", "kill"),             # bidi controls
    ("h̷̛̗e̴̢l̶͕l̸̰o̵̝", "hello"),                 # zalgo
    ("s̶t̶r̶i̶k̶e̶ u̲n̲d̲e̲r̲", "strike under"),   # strikethrough, underline
    ("раураl", "paypal"),                     # Cyrillic inside a Latin word
    ("Gοοgle", "google"),                     # Greek omicrons
    ("ΗΕLLO", "hello"),                       # Greek capitals
    ("you are a соск", "you are a cock"),     # all-lookalike word in Latin text
    ("h3ll0 w0rld", "hello world"),
    ("k1ll ki11 1diot b1tch", "kill kill idiot bitch"),
    ("$hit sh!t @ss a$$", "shit shit ass ass"),
    ("k.i.l.l k-i-l-l k_i_l_l k*i*l*l", "kill kill kill kill"),
    ("f u c k you", "fuck you"),
    ("k i l l  t h e m", "kill them"),        # a wider gap is a word break
    ("k.1.l.l", "kill"),
    ("خ.ن.ز.ي.ر ك*ل*ب", "خنزير كلب"),        # Arabic split by punctuation
    ("문.재.앙 O-O-O-놈-들-이", "문재앙 oo놈들이"),   # Hangul, mixed with Latin (stretch cut to 2)
    ("ח_ז_י_ר", "חזיר"),                      # Hebrew
    ("fuuuuuck", "fuuck"),
    ("HeLLo\tWORLD\n\u00a0x\u3000y", "hello world x y"),
    ("Straße", "strasse"),
    ("don’t", "don't"),
])
def test_normalize_undoes_evasion(text, expected):
    assert normalize(text).text == expected


@pytest.mark.parametrize("text", [
    "Привет, как дела? Сегодня хорошая погода.",
    "Слава Україні, її народ сильний",
    "Καλημέρα κόσμε, τι κάνεις σήμερα;",
    "مرحبا بالعالم، كيف حالك اليوم؟",
    "नमस्ते दुनिया, आप कैसे हैं?",
    "你好，世界。今天天气很好。",
    "こんにちは、世界。ガギグゲゴ",
    "안녕하세요 세계, 오늘 날씨가 좋네요",
    "שלום עולם",
    "Việt Nam, người được élevé, Ærøskøbing, Łódź",
])
def test_genuine_non_english_text_is_left_intact_beyond_nfkc_and_casefold(text):
    assert normalize(text).text == _nfkc_casefold(text)


@pytest.mark.parametrize("text", [
    "남 북 미 정상",       # Korean one-syllable words with spaces stay words
    "د. محمد",            # an Arabic title abbreviation
    "ص.ب 1234",           # two letters are not a chain
    "이·박",               # nor are two syllables
])
def test_short_non_latin_runs_are_not_glued(text):
    assert normalize(text).text == _nfkc_casefold(text)


def test_all_lookalike_words_stay_cyrillic_when_the_text_is_cyrillic():
    # "сор" and "рис" are Russian words; with genuine Cyrillic around they stay Russian.
    assert normalize("сор и рис").text == "сор и рис"
    assert normalize("сор").text == "сор"


@pytest.mark.parametrize("text", [
    "2024", "£5", "$5", "50%", "5pm", "3rd", "1.2.3", "192.168.0.1", "10:30",
    "+1 555 0100", "covid19", "mp3", "win10", "4k", "b2b", "1080p", "user1990",
])
def test_numbers_and_number_tokens_stay_as_they_are(text):
    assert normalize(text).text == text.casefold()


@pytest.mark.parametrize("text", [
    "wow!!!", "hello!", "e.g. this", "a.m.", "y r u", "c u 2", "@md_franz hi",
    "mail john@example.com", "x ❌ y", "café", "naïve", "ọ̀rọ̀",
])
def test_ordinary_text_is_not_mistaken_for_evasion(text):
    assert normalize(text).text == _nfkc_casefold(text)


def test_skeleton_also_strips_diacritics():
    assert skeleton("Café NAÏVE Việt Łódź") == "cafe naive viet lodz"
    assert skeleton("ķìłł") == "kill"
    assert normalize("ķìłł").text == "ķìłł"  # the plain view keeps them


def test_combining_accents_compose_like_precomposed_letters():
    decomposed = unicodedata.normalize("NFD", "été à Hà Nội")
    assert normalize(decomposed).text == "été à hà nội"


def test_megabyte_inputs_do_not_raise():
    chunk = "k\u200b1ll 𝐤𝐢𝐥𝐥 \ud800\x00раураl z̸̧̛a̴̡l̷g̶o f.u.c.k नमस्ते "
    text = chunk * (1_000_000 // len(chunk))
    n = normalize(text)
    assert len(n.offsets) == len(n.text) > 0
    assert n.to_original(0, len(n.text)) == (0, len(text.rstrip()))
