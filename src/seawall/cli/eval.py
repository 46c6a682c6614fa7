"""`seawall eval`: quality per category and per slice, the published benchmarks, an HTML report."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from seawall.errors import InvalidInput
from seawall.settings import get_settings


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("eval", help="evaluate a text model", description=__doc__)
    p.add_argument("--model", type=Path, help="model folder (default: the configured text model)")
    p.add_argument("--dataset", action="append", default=None, metavar="NAME",
                   help="built-in datasets to test on (default: all)")
    p.add_argument("--data", action="append", default=[], type=Path, metavar="FILE",
                   help="your own labeled file (its test split, or all of it with --all-splits)")
    p.add_argument("--all-splits", action="store_true", help="evaluate on every split of --data files")
    p.add_argument("--tier", choices=("cascade", "fast", "encoder"), default="cascade")
    p.add_argument("--lodo", action="store_true", help="add the leave-one-dataset-out table (slow)")
    p.add_argument("--target-precision", type=float, metavar="P",
                   help="also choose, per category, the threshold with the most recall whose precision "
                        "on this data is at least P (95%% confidence); writes OUT/thresholds.json for "
                        "policy(thresholds=...)")
    p.add_argument("--max-flag-rate", type=float, metavar="R",
                   help="with --target-precision: flag at most this share of the texts (reviewer capacity)")
    p.add_argument("--min-positives", type=int, default=20,
                   help="with --target-precision: categories with fewer labelled positives are left unmet")
    p.add_argument("--out", type=Path, default=Path("reports/eval"), help="report folder")
    p.add_argument("--list", action="store_true", help="list the built-in datasets and exit")
    p.add_argument("--data-dir", type=Path)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from seawall.progress import Progress
    from seawall.signals.text import model_dir
    from seawall.signals.text.cascade import TextCascade
    from seawall.signals.text.encoder import default_encoder
    from seawall.signals.text.model import TextModel
    from seawall.training import evaluate, report
    from seawall.training.corpus import gather, load_user_file
    from seawall.training.datasets import LOADERS
    from seawall.training.embed_cache import CachedEncoder

    if args.list:
        for name, loader in LOADERS.items():
            warn = f"  UNRELIABLE, read only when named: {loader.unreliable}" if loader.unreliable else ""
            print(f"{name:24} default_model={'yes' if loader.default_model else 'no'}{warn}")
        return 0
    if args.target_precision is not None and not 0 < args.target_precision < 1:
        raise InvalidInput("--target-precision must lie strictly between 0 and 1")
    if args.max_flag_rate is not None and (args.target_precision is None or not 0 < args.max_flag_rate <= 1):
        raise InvalidInput("--max-flag-rate needs --target-precision and must lie in (0, 1]")
    settings = get_settings()
    model = TextModel.load(args.model or model_dir())
    encoder = CachedEncoder(default_encoder(), settings.home / "cache" / "emb") if model.has_encoder else None
    cascade = TextCascade(model, encoder, spans=False)
    examples = []
    if args.dataset is not None or not args.data:
        examples = [e for e in gather(args.dataset, seed=False, data_dir=args.data_dir) if e.split == "test"]
    for f in args.data:
        examples += [e for e in load_user_file(f) if args.all_splits or e.split == "test"]
    with Progress("scored", len(examples)) as prog:
        scores = evaluate.score(cascade, examples, tier=args.tier, progress=prog.update)
    overall = evaluate.per_category(scores)
    bench = evaluate.benchmarks(scores)
    lodo = []
    if args.lodo:
        from seawall.training.lodo import lodo_table

        train_set = gather(args.dataset, seed=True, data_dir=args.data_dir)
        lodo = lodo_table(train_set, in_domain=scores)
    extra = {"model": model.version, "tier": args.tier, "tier_share": evaluate.tier_share(scores),
             "examples": len(examples)}
    points = None
    if args.target_precision is not None:
        points = {"model": model.version, "examples": len(examples),
                  **evaluate.operating_points(scores, args.target_precision, args.max_flag_rate, args.min_positives)}
    path = report.write(args.out, title=f"Seawall text model {model.version}", scores=scores,
                        overall=overall, by_dataset=evaluate.slices(scores, "dataset"),
                        by_lang=evaluate.slices(scores, "lang"), benchmarks=bench, lodo=lodo, extra=extra,
                        operating=points)
    print(json.dumps({"benchmarks": bench, **extra}, indent=1))
    print(f"report: {path}")
    if points is not None:
        out = Path(args.out) / "thresholds.json"
        out.write_text(json.dumps(points, indent=1), encoding="utf-8")
        for name, d in points["detail"].items():
            h = d.get("held_out")
            check = (f"  chosen on half, other half: precision {h['precision'] or 0:.3f} recall {h['recall']:.3f}"
                     if h else "  (no threshold qualifies on half the rows)")
            print(f"{name:24} threshold {d['threshold']:.4f} (model {d['model_threshold']:.4f})  precision "
                  f"{d['precision']:.3f} (at least {d['precision_lower']:.3f})  recall {d['recall']:.3f}  "
                  f"flags {d['flag_rate']:.2%}{check}")
        for name, why in points["unmet"].items():
            print(f"{name:24} unmet: {why}")
        print(f"thresholds: {out}")
    return 0
