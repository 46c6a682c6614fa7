"""The text cascade: normalize, identify language, settle clear cases fast, encode the rest.

Cost follows difficulty. The fast tier (hashed n-grams, a sparse dot product) scores
every text; a text whose every category lies outside that category's uncertain band is
settled there, if its language is one the bands were fitted on. An English text it sends
on meets the fine-tuned English encoder (about a tenth of the multilingual encoder's
cost) and is settled there when that tier's own bands allow. Only the uncertain rest pays
for the multilingual sentence encoder, whose heads are blended with the other tiers'
logits. Bands and thresholds come from held-out data (seawall.training.train), not from
constants here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from seawall import taxonomy
from seawall.signals.text import langid
from seawall.signals.text.encoder import E5Encoder, default_encoder
from seawall.signals.text.model import TextModel, model_view
from seawall.types import Evidence, Signal

SOURCE = "text.cascade.v1"
# Auxiliary heads: trained like categories, used to compose them, never reported.
AUX_HEADS = ("offensive", "minor")
_WORD = re.compile(r"\w[\w'’*]*", re.UNICODE)
# Evidence: at most this many words are tried, and a word must lower the logit this much.
MAX_OCCLUDED_WORDS = 128
MIN_DROP = 0.4


@dataclass
class Scored:
    """One text's outcome before it becomes a Signal."""

    scores: dict[str, float]      # every taxonomy category, calibrated
    aux: dict[str, float]         # auxiliary heads (offensive, minor)
    tier: str                     # "fast" or "encoder"
    lang: str
    lang_score: float


class TextCascade:
    """A configured cascade over one trained TextModel."""

    TIERS = ("cascade", "fast", "encoder")

    def __init__(self, model: TextModel, encoder: E5Encoder | None = None, *,
                 use_encoder: bool = True, spans: bool = True, tier: str = "cascade"):
        if tier not in self.TIERS:
            raise ValueError(f"unknown tier {tier!r}; valid: {', '.join(self.TIERS)}")
        self.tier = tier  # "fast" sheds the encoder's cost under load
        self.model = model
        self.encoder = encoder or (default_encoder() if model.has_encoder else None)
        self.use_encoder = use_encoder and model.has_encoder
        self.spans = spans
        h = model.heads
        self._lo = np.array([model.bands.get(x, [0.0, 1.0])[0] for x in h])
        self._hi = np.array([model.bands.get(x, [0.0, 1.0])[1] for x in h])
        self._mlo = np.array([model.mid_bands.get(x, [0.0, 1.0])[0] for x in h])
        self._mhi = np.array([model.mid_bands.get(x, [0.0, 1.0])[1] for x in h])

    @property
    def version(self) -> str:
        return self.model.version

    def score(self, texts: Sequence[str], langs: Sequence[str | None] | None = None,
              tier: str | None = None) -> list[Scored]:
        """Score texts; tier is "cascade", "fast" (never encode) or "encoder" (every
        encoder, every text); None means the cascade's configured tier. Each Scored says
        which tier settled it: "fast", "english" or "encoder"."""
        tier = tier or self.tier
        norm = [model_view(t) for t in texts]
        ntexts = [n.text for n in norm]
        # Language is read from the normalized text: fullwidth, homoglyph or small-caps
        # disguises would otherwise change the detected language and so the tier's blend.
        detected = [(langs[i], 1.0) if langs and langs[i] else langid.detect(ntexts[i]) for i in range(len(texts))]
        X = self.model.features.transform(ntexts)
        fast_logits = self.model.fast_logits(X)
        probs = self.model.fast_scores(fast_logits)
        tiers = ["fast"] * len(texts)
        if self.use_encoder and tier != "fast":
            if tier == "encoder":
                todo = np.arange(len(texts))
            else:
                uncertain = (probs > self._lo) & (probs < self._hi)
                known = self.model.fast_languages
                unseen = np.array([known is not None and detected[i][0] not in known for i in range(len(texts))])
                todo = np.flatnonzero(uncertain.any(axis=1) | unseen)
            # English texts get the fine-tuned English encoder (cheap); in the cascade, those
            # it settles together with the fast tier skip the multilingual encoder.
            is_en = np.array([self.model.english is not None and detected[i][0] == "en" for i in todo], dtype=bool)
            en, en_logits = todo[is_en], None
            full = np.ones(len(todo), dtype=bool)
            if len(en):
                en_logits = self.model.english_logits([ntexts[i] for i in en])
                if tier == "cascade" and self.model.has_english_tier:
                    p_mid = self.model.english_tier_scores(fast_logits[en], en_logits)
                    sure = ~((p_mid > self._mlo) & (p_mid < self._mhi)).any(axis=1)
                    probs[en[sure]] = p_mid[sure]
                    for i in en[sure]:
                        tiers[i] = "english"
                    full[np.flatnonzero(is_en)[sure]] = False
            rest = todo[full]
            if len(rest):
                enc_logits = self.model.encoder_logits(self.encoder.encode([ntexts[i] for i in rest]))
                rest_en = is_en[full]
                if (~rest_en).any():
                    r = rest[~rest_en]
                    probs[r] = self.model.final_scores(fast_logits[r], enc_logits[~rest_en])
                if rest_en.any():
                    r = rest[rest_en]
                    keep = np.isin(en, r)  # en and r are both in todo's (ascending) order
                    probs[r] = self.model.final_scores(fast_logits[r], enc_logits[rest_en], en_logits[keep])
                for i in rest:
                    tiers[i] = "encoder"
        out = []
        for i, text in enumerate(texts):
            lang, conf = detected[i]
            head = dict(zip(self.model.heads, probs[i].tolist()))
            out.append(Scored(scores=compose(head), aux={a: head.get(a, 0.0) for a in AUX_HEADS},
                              tier=tiers[i], lang=lang, lang_score=conf))
        return out

    def classify(self, texts: Sequence[str], langs: Sequence[str | None] | None = None,
                 tier: str | None = None) -> list[Signal]:
        signals = []
        for text, s in zip(texts, self.score(texts, langs, tier)):
            evidence = self.evidence(text, s.scores) if self.spans else ()
            signals.append(Signal(source=SOURCE, modality="text", scores=s.scores, evidence=evidence,
                                  meta={"lang": s.lang, "lang_score": round(s.lang_score, 3),
                                        "tier": s.tier, "model": self.version,
                                        "aux": {k: round(v, 4) for k, v in s.aux.items()}}))
        return signals

    def evidence(self, text: str, scores: dict[str, float], max_spans: int = 5) -> tuple[Evidence, ...]:
        """Words that carry a flagged category, as spans of the original text.

        Occlusion on the fast tier: the text is scored again with each word left out,
        and the words whose absence lowers a flagged category's logit the most are the
        spans a moderator sees highlighted. Context counts ("kill" in "kill time" lifts
        little), which scoring words alone would miss.
        """
        flagged = [c for c, p in scores.items() if c in self.model.heads
                   and p >= self.model.thresholds.get(c, 0.5)]
        if not flagged:
            return ()
        norm = model_view(text)
        words = [(m.start(), m.end()) for m in _WORD.finditer(norm.text)][:MAX_OCCLUDED_WORDS]
        if not words:
            return ()
        variants = [norm.text] + [norm.text[:s] + " " + norm.text[e:] for s, e in words]
        logits = self.model.fast_logits(self.model.features.transform(variants))
        drop = logits[0] - logits[1:]
        out: list[Evidence] = []
        for c in flagged:
            j = self.model.heads.index(c)
            for k in np.argsort(-drop[:, j])[:max_spans]:
                if drop[k, j] < MIN_DROP:  # a word that barely moves the score is not evidence
                    break
                s, e = norm.to_original(*words[k])
                out.append(Evidence(category=c, score=scores[c], modality="text", source=SOURCE,
                                    span=(s, e), text=text[s:e], detail={"drop": round(float(drop[k, j]), 3)}))
        return tuple(out)


def compose(head: dict[str, float]) -> dict[str, float]:
    """Every taxonomy category from the heads, composing those no data covers directly.

    sexual/minors = sexual content AND a minor referenced: we never train on such text,
    so it is the product of the two calibrated signals (conservative; both must hold).
    A subtype implies its parent, so a parent is never scored below its children.
    """
    scores = taxonomy.empty_scores()
    for name in taxonomy.NAMES:
        if name in head:
            scores[name] = float(head[name])
    scores["sexual/minors"] = float(head.get("sexual", 0.0) * head.get("minor", 0.0))
    scores["nudity"] = 0.0  # an image category; text never shows nudity
    for cat in taxonomy.CATEGORIES:
        if cat.parent:
            scores[cat.parent] = max(scores[cat.parent], scores[cat.name])
    return {k: round(min(1.0, max(0.0, v)), 6) for k, v in scores.items()}
