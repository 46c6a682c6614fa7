"""Tests for evasion perturbations, and that the normalizer undoes them."""

from __future__ import annotations

import random
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from seawall.signals.text.confusables import HOMOGLYPHS
from seawall.signals.text.normalize import normalize
from seawall.training.perturb import PERTURBATIONS, perturb
from seawall.training import perturb as perturb_module

# Words evaders disguise (threats, insults, slurs-adjacent profanity, scam and sexual
# terms) and ordinary words, so recovery is not measured on the easy cases only.
WORDS = """kill murder shoot stab bomb attack threat destroy punch strangle
idiot stupid moron loser dumb ugly pathetic worthless disgusting trash garbage clown
hate racist terrorist nazi scum vermin filth animals savage
fuck shit bitch bastard asshole dick cock pussy whore slut crap damn hell
suicide cutting overdose hang bleed die dead death
drugs cocaine heroin meth weed pills gun rifle weapon ammo
scam fraud bitcoin crypto wallet password account verify winner prize lottery
click link free money cash offer urgent bank transfer gift card
porn nude naked sex sexy horny escort onlyfans
hello world people friend family school teacher student
beautiful wonderful amazing thank please sorry love happy great
video comment picture message profile channel subscribe follow share
tomorrow tonight yesterday morning evening weekend holiday""".split()

SENTENCES = [
    "I will find you and kill you tomorrow",
    "You are a stupid worthless idiot",
    "Send your password and bank account details to claim the prize",
    "Click this link to verify your wallet now",
    "Nobody would miss you if you were dead",
    "Buy cheap pills and cocaine here, discreet delivery",
    "What a beautiful morning, thank you all for coming",
    "Please subscribe to my channel and share the video",
]


def _squeeze(text: str) -> str:
    return re.sub(r"(.)\1+", r"\1", text)


def _recovered(kind: str, original: str, perturbed: str) -> bool:
    got, want = normalize(perturbed).text, normalize(original).text
    if kind == "repeated_letters":
        # The normalizer keeps two of a stretched letter (fuuuuck -> fuuck) so that
        # real double letters survive; compare with every run squeezed to one.
        got, want = _squeeze(got), _squeeze(want)
    return got == want


def recovery_rate(kind: str, words: list[str] = WORDS, seeds: int = 5) -> float:
    fn = PERTURBATIONS[kind]
    hits = [_recovered(kind, w, fn(w, random.Random(seed))) for w in words for seed in range(seeds)]
    return sum(hits) / len(hits)


def test_every_listed_evasion_kind_is_available():
    assert {"homoglyph", "leetspeak", "zero_width", "separators", "spaced_letters",
            "repeated_letters", "letter_emoji", "fullwidth", "mixed_case"} <= set(PERTURBATIONS)


@pytest.mark.parametrize("kind", sorted(PERTURBATIONS))
def test_normalize_undoes_each_perturbation_for_at_least_90_percent_of_words(kind):
    rate = recovery_rate(kind)
    print(f"recovery {kind}: {rate:.3f}")
    assert rate >= 0.90, f"{kind} recovered for only {rate:.1%} of words"


@pytest.mark.parametrize("kind", sorted(PERTURBATIONS))
def test_each_perturbation_changes_the_word(kind):
    changed = [PERTURBATIONS[kind](w, random.Random(0)) != w for w in WORDS]
    assert sum(changed) / len(changed) >= 0.9


@pytest.mark.parametrize("kind", sorted(PERTURBATIONS))
def test_normalize_recovers_most_words_of_perturbed_sentences(kind):
    found = total = 0
    for seed, sentence in enumerate(SENTENCES):
        got = normalize(perturb(sentence, kind, seed)).text
        want = normalize(sentence).text
        if kind == "repeated_letters":
            got, want = _squeeze(got), _squeeze(want)
        got_words = set(got.split())
        found += sum(w in got_words for w in want.split())
        total += len(want.split())
    assert found / total >= 0.85


def test_perturb_is_deterministic_for_a_seed():
    for kind in PERTURBATIONS:
        assert perturb(SENTENCES[0], kind, 7) == perturb(SENTENCES[0], kind, 7)


def test_perturb_differs_across_seeds():
    outputs = {perturb(SENTENCES[1], "homoglyph", seed) for seed in range(10)}
    assert len(outputs) > 1


def test_perturb_changes_about_half_of_the_longer_words_longest_first():
    text = "the quick brown fox jumps over the lazy sleeping dog"
    out = perturb(text, "fullwidth", 0).split(" ")
    changed = [w for w, o in zip(text.split(" "), out) if w != o]
    eligible = [w for w in text.split(" ") if len(w) >= 3]
    assert len(changed) == round(len(eligible) / 2)
    assert "sleeping" in changed
    assert perturb(text, "fullwidth", 0, share=0.0) == text
    everything = perturb(text, "fullwidth", 0, share=1.0).split(" ")
    assert all(w != o for w, o in zip(text.split(" "), everything))


def test_perturb_leaves_urls_mentions_numbers_and_short_words_alone():
    text = "go to https://example.com or mail a@b.org, @someone owes 2024 dollars ok"
    out = perturb(text, "fullwidth", 3, share=1.0)
    for kept in ("https://example.com", "a@b.org", "@someone", "2024", "ok"):
        assert kept in out


def test_unknown_kind_fails_with_the_valid_names():
    with pytest.raises(ValueError, match="homoglyph"):
        perturb("text", "nope", 0)


def test_homoglyph_perturbation_only_uses_lookalikes_the_normalizer_knows():
    for latin, lookalikes in perturb_module._LOOKALIKES.items():
        for ch in lookalikes:
            assert HOMOGLYPHS[ch] == latin.lower()


def test_homoglyph_perturbation_keeps_a_latin_letter_in_each_word():
    for word in WORDS:
        out = PERTURBATIONS["homoglyph"](word, random.Random(1))
        assert any(c.isascii() and c.isalpha() for c in out)


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=60), st.sampled_from(sorted(PERTURBATIONS)), st.integers(0, 2**32))
def test_perturb_never_raises_and_only_touches_words(text, kind, seed):
    out = perturb(text, kind, seed)
    if not re.search(r"[^\W\d_]{3,}", text):
        assert out == text
