"""`seawall train`: the reproducible recipe for the shipped models, or a model on your own data."""

from __future__ import annotations

import argparse
from pathlib import Path

from seawall.settings import get_settings


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("train", help="train a text model", description=__doc__)
    p.add_argument("--default", action="store_true",
                   help="the shipped default: every set whose license allows it, plus the seed corpus")
    p.add_argument("--dataset", action="append", default=None, metavar="NAME",
                   help="a built-in dataset to train on (repeatable); see `seawall eval --list`")
    p.add_argument("--data", action="append", default=[], type=Path, metavar="FILE",
                   help="your labeled .jsonl ({text, labels:{category:0/1}}) or .csv (text + "
                        "one 0/1 column per category); optional `split` (train/dev/test)")
    p.add_argument("--no-seed", action="store_true", help="leave out the project's seed corpus")
    p.add_argument("--no-encoder", action="store_true", help="fast tier only (no sentence encoder)")
    p.add_argument("--out", type=Path, help="model folder (default: SEAWALL_HOME/models/text)")
    p.add_argument("--version", help="model version recorded in the manifest")
    p.add_argument("--bits", type=int, default=18, help="hashed feature bits per n-gram family")
    p.add_argument("--english-encoder", type=Path, metavar="DIR",
                   help="a fine-tuned English encoder (english.onnx + english.json + english.tokenizer.json, "
                        "from seawall.training.finetune and export_onnx) to blend in for English texts "
                        "(default: the one shipped with Seawall, a foundation your heads build on)")
    p.add_argument("--no-english-encoder", action="store_true",
                   help="blend no English encoder (n-grams and the multilingual encoder only)")
    p.add_argument("--no-foundation", action="store_true",
                   help="with --dataset/--data: heads learn from your labels alone, not building on the "
                        "shipped default model's heads (the default: each head may lean on its logits)")
    p.add_argument("--lang", action="append", default=None, metavar="CODE",
                   help="train only on examples in this language (repeatable): one model per "
                        "market, with its own calibration and thresholds")
    p.add_argument("--threshold-metric", choices=("f1", "macro-f1"), default="f1",
                   help="what each category's threshold maximizes on held-out data (default: F1 "
                        "of the harmful class; macro-f1 as OffensEval and HASOC score)")
    p.add_argument("--data-dir", type=Path, help="built-in data folder (default: SEAWALL_DATA_DIR)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from seawall.errors import InvalidInput
    from seawall.training.card import write_card
    from seawall.training.corpus import training_examples
    from seawall.training.train import Recipe, train

    if not (args.default or args.dataset or args.data):
        raise InvalidInput("say what to train on: --default, --dataset NAME or --data FILE")
    settings = get_settings()
    examples = training_examples(args.default, args.dataset, args.data, no_seed=args.no_seed,
                                 data_dir=args.data_dir)
    if args.lang:
        examples = [e for e in examples if e.lang in set(args.lang)]
        if not examples:
            raise InvalidInput(f"no examples in language(s) {', '.join(args.lang)}")
    out = args.out or settings.home / "models" / "text"
    recipe = Recipe.for_data(args.default, bits=args.bits, encoder=not args.no_encoder,
                             threshold_metric=args.threshold_metric)
    english = None if args.no_english_encoder else (args.english_encoder or _shipped_english())
    what = "default" if args.default else ", ".join([*(args.dataset or []), *map(str, args.data)])
    foundation = None if args.default or args.no_foundation else _shipped_model()
    model = train(examples, out, recipe=recipe, cache_dir=settings.home / "cache" / "emb",
                  version=args.version, description=f"trained on: {what}",
                  english_dir=english, foundation=foundation)
    write_card(model)
    print(f"wrote {out} ({len(model.heads)} heads, version {model.version})")
    return 0


def _shipped_model():
    from seawall.signals.text import PACKAGED_MODEL

    return PACKAGED_MODEL if (PACKAGED_MODEL / "manifest.json").exists() else None


def _shipped_english():
    from seawall.signals.text import PACKAGED_MODEL
    from seawall.signals.text.english import EnglishEncoder

    return PACKAGED_MODEL if EnglishEncoder.present(PACKAGED_MODEL) else None
