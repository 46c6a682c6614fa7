"""Fine-tune the English encoder under several settings at once (a GPU machine) and compare them.

Each setting runs `seawall.training.finetune` as its own process (a small encoder leaves
a large GPU mostly idle, so they share it). The settings are compared on rows none of
them trained on: the OLID and Davidson dev rows of the fine-tuning file, and a held-out
dataset (`--eval`, e.g. HASOC 2019 English, which the default model never trains on).
Each figure takes its best threshold on the same rows, so it ranks the encoders; it is
not a benchmark figure. The test rows are scored too, with the threshold chosen on dev.
The best setting's encoder parts are copied to OUT/best.

    python bench/text/finetune_sweep.py --data ft.jsonl.gz --eval hasoc.jsonl.gz --base BASE --out OUT
"""

from __future__ import annotations

import argparse
import gzip
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

# name: extra arguments for seawall.training.finetune; "shipped" is the recipe the
# shipped English encoder was trained with, "shipped-seed14" measures seed noise.
SETTINGS = {
    "shipped": [],
    "shipped-seed14": ["--seed", "14"],
    "lr3e-5": ["--lr", "3e-5"],
    "lr1e-4": ["--lr", "1e-4"],
    "epochs2": ["--epochs", "2"],
    "epochs5": ["--epochs", "5"],
    "lr4e-5-epochs6": ["--lr", "4e-5", "--epochs", "6"],
    "batch32": ["--batch", "32"],
    "epochs4-lr3e-5": ["--lr", "3e-5", "--epochs", "4"],
    # session 9: per-dataset corrections on the heads (every dataset and head, as run
    # then), and OLID's weight raised
    "ds": ["--dataset-heads", "--correct-all"],
    "ds-seed14": ["--dataset-heads", "--correct-all", "--seed", "14"],
    "olid3": ["--weight", "olid=3"],
    "olid3-seed14": ["--weight", "olid=3", "--seed", "14"],
    "ds-olid3": ["--dataset-heads", "--correct-all", "--weight", "olid=3"],
    "ds-olid3-seed14": ["--dataset-heads", "--correct-all", "--weight", "olid=3", "--seed", "14"],
    "ds-olid3-seed15": ["--dataset-heads", "--correct-all", "--weight", "olid=3", "--seed", "15"],
    # corrections only where a dataset says both yes and no for a head (not yet run)
    "dsm-olid3": ["--dataset-heads", "--weight", "olid=3"],
    "dsm-olid3-seed14": ["--dataset-heads", "--weight", "olid=3", "--seed", "14"],
    "dsm-olid3-seed15": ["--dataset-heads", "--weight", "olid=3", "--seed", "15"],
}


def read(path: Path) -> tuple[dict, list[dict]]:
    with gzip.open(path, "rt", encoding="utf-8") as f:
        header = json.loads(f.readline())
        return header, [json.loads(line) for line in f]


def f1_curve(scores: np.ndarray, y: np.ndarray, macro: bool) -> tuple[np.ndarray, np.ndarray]:
    """F1 (positive class, or the mean of both classes' F1) at every candidate threshold."""
    cuts = np.unique(np.quantile(scores, np.linspace(0.01, 0.99, 197)))
    out = []
    for c in cuts:
        p = scores >= c
        out.append(_f1(p, y, macro))
    return cuts, np.array(out)


def _f1(p: np.ndarray, y: np.ndarray, macro: bool) -> float:
    def f1(pred, true):
        tp = (pred & true).sum()
        return 2 * tp / max(pred.sum() + true.sum(), 1)
    pos = f1(p, y == 1)
    return (pos + f1(~p, y == 0)) / 2 if macro else pos


def task(rows, logits, heads, dataset, head, macro):
    """(dev figure at its best threshold, test figure at that threshold, n test)."""
    if head not in heads:
        return None
    j = heads.index(head)
    def pick(split):
        idx = [i for i, r in enumerate(rows) if (dataset is None or r["d"] == dataset)
               and r["s"] in split and r["y"][j] >= 0]
        return logits[idx, j].astype(np.float32), np.array([rows[i]["y"][j] for i in idx])
    dev_s, dev_y = pick(("dev",) if dataset else ("train", "dev"))
    test_s, test_y = pick(("test",))
    if not len(dev_y) or not len(test_y):
        return None  # that set is not in this file
    cuts, f1s = f1_curve(dev_s, dev_y, macro)
    best = int(np.argmax(f1s))
    return float(f1s[best]), float(_f1(test_s >= cuts[best], test_y, macro)), len(test_y)


def make_soup(dirs: list[Path], args, rows: list[dict], eval_rows: list[dict]) -> str:
    """Average the runs in `dirs` into WORK/soup and write its logits like a run's."""
    import torch
    from transformers import AutoTokenizer

    from seawall.training.finetune import Classifier, average, load_encoder, predict

    out = args.work / "soup"
    average(dirs, out)
    meta = json.loads((out / "heads.json").read_text())
    device = "cuda" if torch.cuda.is_available() else "cpu"
    model = Classifier(args.base, len(meta["heads"]))
    model.encoder.load_state_dict(load_encoder(out))
    with np.load(out / "heads.npz") as z:
        model.heads.weight.data, model.heads.bias.data = torch.tensor(z["W"]), torch.tensor(z["b"])
    model.to(device)
    tok = AutoTokenizer.from_pretrained(str(args.base))
    np.save(out / "logits.npy", predict(model, tok, [r["t"] for r in rows], device, meta["max_len"]).astype(np.float16))
    np.save(out / "eval_logits.npy", predict(model, tok, [r["t"] for r in eval_rows], device,
                                             meta["max_len"]).astype(np.float16))
    print(f"soup of {[d.name for d in dirs]}", flush=True)
    return "soup"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, required=True)
    ap.add_argument("--eval", type=Path, required=True)
    ap.add_argument("--base", type=Path, required=True)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--work", type=Path, default=Path("/tmp/sweep"))
    ap.add_argument("--only", nargs="*", default=None)
    ap.add_argument("--reuse", action="store_true", help="settings already trained in --work are only scored")
    ap.add_argument("--deadline", type=float, default=0,
                    help="seconds after which settings still training are stopped and left out")
    ap.add_argument("--soup", action="store_true",
                    help="also score the average of the finished settings' weights (\"soup\")")
    args = ap.parse_args()
    names = args.only or list(SETTINGS)
    start = time.time()
    procs = {}
    args.work.mkdir(parents=True, exist_ok=True)
    for name in names:
        if args.reuse and (args.work / name / "eval_logits.npy").exists():
            continue
        log = open(args.work / f"{name}.log", "w")
        cmd = [sys.executable, "-m", "seawall.training.finetune", "--data", str(args.data),
               "--base", str(args.base), "--out", str(args.work / name), "--eval", str(args.eval),
               *SETTINGS[name]]
        procs[name] = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
    for name, p in procs.items():
        try:
            p.wait(timeout=max(args.deadline - (time.time() - start), 1) if args.deadline else None)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
        print(f"{name}: exit {p.returncode} at {time.time() - start:.0f}s", flush=True)

    header, rows = read(args.data)
    eval_header, eval_rows = read(args.eval)
    heads = header["heads"]
    finished = [args.work / n for n in names if (args.work / n / "heads.npz").exists()]
    if args.soup and len(finished) > 1:
        names.append(make_soup(finished, args, rows, eval_rows))
    # The held-out file's labels, on the fine-tuned heads of the same name.
    eval_y = {h: [r["y"][eval_header["heads"].index(h)] for r in eval_rows]
              for h in eval_header["heads"] if h in heads}
    results = {}
    for name in names:
        d = args.work / name
        if not (d / "eval_logits.npy").exists():
            continue
        logits = np.load(d / "logits.npy")
        ev = np.load(d / "eval_logits.npy")
        # the held-out rows, relabelled onto the fine-tuned heads' columns
        ev_rows = [{"d": "heldout", "s": r["s"],
                    "y": [eval_y[h][i] if h in eval_y else -1 for h in heads]}
                   for i, r in enumerate(eval_rows)]
        res = {"olid": task(rows, logits, heads, "olid", "offensive", True),
               "davidson": task(rows, logits, heads, "davidson", "hate", False),
               "heldout": task(ev_rows, ev, heads, None, "offensive", True)}
        res = {k: v for k, v in res.items() if v is not None}
        res["dev_mean"] = float(np.mean([v[0] for v in res.values()]))
        if (d / "own_logits.npy").exists():  # OLID's and Davidson's own corrected heads
            own = np.load(d / "own_logits.npy")
            res["olid_own"] = task(rows, own, heads, "olid", "offensive", True)
            res["davidson_own"] = task(rows, own, heads, "davidson", "hate", False)
        results[name] = res
        print(name, json.dumps(res), flush=True)
    best = max(results, key=lambda n: results[n]["dev_mean"])
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "sweep.json").write_text(json.dumps({"best": best, "results": results,
                                                     "settings": SETTINGS}, indent=1))
    for f in (args.work / best).iterdir():
        if f.name.startswith("encoder.safetensors.part") or f.name.endswith(".json") or f.name == "heads.npz":
            (args.out / "best").mkdir(exist_ok=True)
            shutil.copy(f, args.out / "best" / f.name)
    print("best:", best, f"{time.time() - start:.0f}s")


if __name__ == "__main__":
    main()
