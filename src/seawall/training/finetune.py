"""Fine-tune the English encoder (all-MiniLM-L6-v2) end to end, one sigmoid head per category.

A plain top-to-bottom script (needs the `train` extra: torch, transformers). It reads a
prepared example file (`seawall.training.finetune_data`), trains with masked binary
cross-entropy (a category a dataset did not judge contributes no loss), and writes the
fine-tuned encoder and heads as safetensors. Export to ONNX with
`seawall.training.export_onnx`; inference then needs only ONNX Runtime and tokenizers.

    python -m seawall.training.finetune --data ft.jsonl.gz --base MODEL_DIR --out OUT
"""

from __future__ import annotations

import argparse
import gzip
import json
import math
import random
import time
from pathlib import Path

import numpy as np
import torch
from torch import nn
from transformers import AutoModel, AutoTokenizer


class Classifier(nn.Module):
    """Mean-pooled transformer output → dropout → one logit per head.

    With `n_datasets`, each dataset also gets its own correction to every head, trained
    only on that dataset's rows: datasets disagree on where a label's line lies (OLID's
    "offensive" is not HateXplain's), and a single shared head is pulled between them.
    The shared heads, which learn what the datasets agree on, are what is exported.

    `corrected` [datasets × heads] says where a dataset gets a correction: only where it
    draws a line of its own (both classes among its labels). A set that only ever says
    "no" for a head (clean public text, an implied negative for self-harm) must teach the
    shared head that prior; a correction of its own would absorb it (measured: session 9's
    unmasked corrections raised the exported self-harm logit of ordinary SMS by 2.5)."""

    def __init__(self, base: Path, n_heads: int, n_datasets: int = 0, corrected: torch.Tensor | None = None):
        super().__init__()
        self.encoder = AutoModel.from_pretrained(str(base), dtype=torch.float32)
        hidden = self.encoder.config.hidden_size
        self.dropout = nn.Dropout(0.1)
        self.heads = nn.Linear(hidden, n_heads)
        self.n_heads = n_heads
        self.deltas = nn.Linear(hidden, n_datasets * n_heads) if n_datasets else None
        if self.deltas is not None:
            nn.init.zeros_(self.deltas.weight)
            nn.init.zeros_(self.deltas.bias)
            mask = torch.ones(n_datasets, n_heads) if corrected is None else corrected.float()
            self.register_buffer("corrected", mask, persistent=False)

    def forward(self, input_ids, attention_mask, dataset=None):
        out = self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        mask = attention_mask.unsqueeze(-1).to(out.dtype)
        pooled = self.dropout((out * mask).sum(1) / mask.sum(1).clamp(min=1.0))
        shared = self.heads(pooled)
        if dataset is None or self.deltas is None:
            return shared
        own = self.deltas(pooled).view(len(pooled), -1, self.n_heads)
        return shared + own[torch.arange(len(pooled), device=own.device), dataset] * self.corrected[dataset]


def read(path: Path) -> tuple[dict, list[dict]]:
    with gzip.open(path, "rt", encoding="utf-8") as f:
        header = json.loads(f.readline())
        rows = [json.loads(line) for line in f]
    return header, rows


def predict(model: Classifier, tok, texts: list[str], device: str, max_len: int,
            dataset: torch.Tensor | None = None) -> np.ndarray:
    """Logits for `texts` (through their datasets' corrected heads when `dataset` is given)."""
    model.eval()
    out = np.zeros((len(texts), model.n_heads), dtype=np.float32)
    with torch.no_grad():
        for i in range(0, len(texts), 256):
            enc = tok(texts[i:i + 256], padding=True, truncation=True, max_length=max_len, return_tensors="pt")
            d = None if dataset is None else dataset[i:i + 256].to(device)
            out[i:i + 256] = model(enc["input_ids"].to(device), enc["attention_mask"].to(device), d).float().cpu().numpy()
    return out


def save_encoder(state: dict, out: Path) -> None:
    """The encoder's weights as float16 safetensors (half the size), cut in parts of under
    16 MB so any transport with a per-file limit carries them (join them in order)."""
    from safetensors.torch import save

    blob = save({k: (v.half() if v.is_floating_point() else v).contiguous().cpu() for k, v in state.items()})
    part = 15 * 1024 * 1024
    for n, i in enumerate(range(0, len(blob), part)):
        (out / f"encoder.safetensors.part{n}").write_bytes(blob[i:i + part])


def load_encoder(ft_dir: Path) -> dict:
    from safetensors.torch import load

    parts = sorted(Path(ft_dir).glob("encoder.safetensors.part*"), key=lambda p: int(p.suffix[5:]))
    return {k: v.float() if v.is_floating_point() else v for k, v in load(b"".join(p.read_bytes() for p in parts)).items()}


def average(dirs: list[Path], out: Path) -> None:
    """A "model soup": the mean of several fine-tuned runs' weights (same base, same
    heads). Runs from one pretrained start stay in one basin, so their average often
    scores like their ensemble at the cost of one model."""
    states = [load_encoder(d) for d in dirs]
    state = {k: sum(s[k] for s in states) / len(states) if v.is_floating_point() else v
             for k, v in states[0].items()}
    out.mkdir(parents=True, exist_ok=True)
    save_encoder(state, out)
    heads = [np.load(d / "heads.npz") for d in dirs]
    np.savez(out / "heads.npz", W=np.mean([h["W"] for h in heads], axis=0), b=np.mean([h["b"] for h in heads], axis=0))
    meta = json.loads((dirs[0] / "heads.json").read_text())
    meta["soup"] = [json.loads((d / "heads.json").read_text())["seed"] for d in dirs]
    (out / "heads.json").write_text(json.dumps(meta))


def batches(idx: list[int], size: int, shuffle: bool, rng: random.Random):
    idx = list(idx)
    if shuffle:
        rng.shuffle(idx)
    for i in range(0, len(idx), size):
        yield idx[i:i + size]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, required=True)
    ap.add_argument("--base", type=Path, required=True)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--epochs", type=float, default=3.0)
    ap.add_argument("--lr", type=float, default=6e-5)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--max-len", type=int, default=128)
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--limit", type=int, default=0, help="use only the first N examples (smoke tests)")
    ap.add_argument("--eval", type=Path, default=None,
                    help="another prepared file (e.g. a held-out dataset) whose texts get logits too")
    ap.add_argument("--dataset-heads", action="store_true",
                    help="a per-dataset correction on every head while training; the shared heads are exported")
    ap.add_argument("--correct-all", action="store_true",
                    help="with --dataset-heads: a correction for every dataset and head, also where the "
                         "dataset never says yes (session 9's first runs; it loses the clean-text prior)")
    ap.add_argument("--weight", action="append", default=[], metavar="DATASET=FACTOR",
                    help="multiply a dataset's example weights (repeatable)")
    args = ap.parse_args()

    random.seed(args.seed)
    np.random.seed(args.seed)
    torch.manual_seed(args.seed)
    rng = random.Random(args.seed)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    header, rows = read(args.data)
    heads = header["heads"]
    if args.limit:
        rows = rows[:args.limit]
    tok = AutoTokenizer.from_pretrained(str(args.base))
    datasets = sorted({r["d"] for r in rows})
    D = torch.tensor([datasets.index(r["d"]) for r in rows])
    Y = torch.tensor([r["y"] for r in rows], dtype=torch.float32)
    train_idx = [i for i, r in enumerate(rows) if r["s"] == "train"]
    # Where a dataset gets a correction: the heads it labels both ways in its training rows.
    Yt, Dt = Y[train_idx], D[train_idx]
    corrected = None if args.correct_all or not args.dataset_heads else torch.stack(
        [(Yt[Dt == d] == 1).any(0) & (Yt[Dt == d] == 0).any(0) for d in range(len(datasets))])
    model = Classifier(args.base, len(heads), len(datasets) if args.dataset_heads else 0, corrected).to(device)
    factor = {name: float(f) for name, f in (w.split("=", 1) for w in args.weight)}
    Wt = torch.tensor([r["w"] * factor.get(r["d"], 1.0) for r in rows], dtype=torch.float32)
    texts = [r["t"] for r in rows]
    print(f"{device}: {len(heads)} heads, {len(train_idx)} train of {len(rows)}", flush=True)

    steps = math.ceil(len(train_idx) / args.batch) * args.epochs
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.01)
    warm = int(0.06 * steps)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min(1.0, (s + 1) / max(warm, 1)) * max(0.0, (steps - s) / max(steps - warm, 1)))
    bce = nn.BCEWithLogitsLoss(reduction="none")

    def encode(ids, source=texts):
        enc = tok([source[i] for i in ids], padding=True, truncation=True, max_length=args.max_len,
                  return_tensors="pt")
        return enc["input_ids"].to(device), enc["attention_mask"].to(device)

    step, start = 0, time.time()
    model.train()
    epoch = 0
    while step < steps:
        for ids in batches(train_idx, args.batch, True, rng):
            if step >= steps:
                break
            input_ids, attn = encode(ids)
            with torch.autocast(device_type=device, dtype=torch.bfloat16, enabled=device == "cuda"):
                logits = model(input_ids, attn, D[ids].to(device)).float()
            y = Y[ids].to(device)
            known = (y >= 0).float()
            loss_el = bce(logits, y.clamp(min=0)) * known
            loss = (loss_el.sum(1) * Wt[ids].to(device)).sum() / known.sum().clamp(min=1)
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
            step += 1
            if step % 200 == 0:
                print(f"step {step}/{int(steps)} loss {loss.item():.4f} {time.time() - start:.0f}s", flush=True)
        epoch += 1

    # Logits for every example (dev and test too), so the caller can check quality at once.
    def logits_for(source: list[str], dataset: torch.Tensor | None = None) -> np.ndarray:
        return predict(model, tok, source, device, args.max_len, dataset)

    out_logits = logits_for(texts)
    args.out.mkdir(parents=True, exist_ok=True)
    save_encoder(model.encoder.state_dict(), args.out)
    np.savez(args.out / "heads.npz", W=model.heads.weight.detach().float().cpu().numpy(),
             b=model.heads.bias.detach().float().cpu().numpy())
    np.save(args.out / "logits.npy", out_logits.astype(np.float16))
    if args.dataset_heads:
        # each row through its own dataset's corrected heads (not exported; for comparison)
        np.save(args.out / "own_logits.npy", logits_for(texts, D).astype(np.float16))
    if args.eval:
        # Scores on texts the encoder never trained on (a zero-shot check), same heads.
        _, eval_rows = read(args.eval)
        np.save(args.out / "eval_logits.npy", logits_for([r["t"] for r in eval_rows]).astype(np.float16))
    (args.out / "heads.json").write_text(json.dumps({"heads": heads, "max_len": args.max_len,
                                                     "epochs": args.epochs, "lr": args.lr,
                                                     "seed": args.seed,
                                                     "dataset_heads": args.dataset_heads,
                                                     "correct_all": args.correct_all,
                                                     "weights": factor,
                                                     # blends must not learn from rows it saw
                                                     "datasets": header.get("datasets", [])}))
    print(f"done in {time.time() - start:.0f}s", flush=True)


if __name__ == "__main__":
    main()
