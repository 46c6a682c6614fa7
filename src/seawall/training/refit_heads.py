"""Refit a fine-tuned English encoder's heads on its own features, without corrections.

A fine-tune with per-dataset corrections (`finetune --dataset-heads --correct-all`) lets a
clean public set push its own rows down for a head it never says yes to, so the shared
head it exports loses the clean-text prior. That prior matters most for self-harm and
sexual content, where ordinary chat must score low. This step keeps the fine-tuned
encoder and replaces every head with a weighted logistic regression on the encoder's
pooled output of the training rows (masked labels, the same example weights). Measured
2026-11-27 (bench/text/RESULTS.md, session 9): dev ROC-AUC for self-harm went from 0.908 to 0.954.

    python -m seawall.training.refit_heads --data ft.jsonl.gz --ft FT --base BASE --out OUT [--weight olid=3]

OUT then holds the encoder parts and the new heads; export it with `export_onnx`.
Needs the `train` extra (torch, transformers).
"""

from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path

import numpy as np


def pooled(texts: list[str], ft: Path, base: Path, max_len: int = 128, batch: int = 128) -> np.ndarray:
    """The fine-tuned encoder's mean-pooled output per text (shortest texts batched together)."""
    import torch
    from transformers import AutoConfig, AutoModel, AutoTokenizer

    from seawall.training.finetune import load_encoder

    enc = AutoModel.from_config(AutoConfig.from_pretrained(str(base)))
    enc.load_state_dict(load_encoder(ft))
    enc.eval()
    tok = AutoTokenizer.from_pretrained(str(base))
    order = np.argsort([len(t) for t in texts], kind="stable")
    out = np.zeros((len(texts), enc.config.hidden_size), dtype=np.float32)
    with torch.inference_mode():
        for k in range(0, len(order), batch):
            idx = order[k:k + batch]
            b = tok([texts[i] for i in idx], padding=True, truncation=True, max_length=max_len, return_tensors="pt")
            h = enc(input_ids=b["input_ids"], attention_mask=b["attention_mask"]).last_hidden_state
            m = b["attention_mask"].unsqueeze(-1).to(h.dtype)
            out[idx] = ((h * m).sum(1) / m.sum(1).clamp(min=1.0)).numpy()
    return out


def fit_heads(E: np.ndarray, Y: np.ndarray, w: np.ndarray, C: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """One weighted logistic regression per head on its labelled rows (Y >= 0)."""
    from sklearn.linear_model import LogisticRegression

    W = np.zeros((Y.shape[1], E.shape[1]), dtype=np.float32)
    b = np.zeros(Y.shape[1], dtype=np.float32)
    for j in range(Y.shape[1]):
        m = Y[:, j] >= 0
        if len(np.unique(Y[m, j])) < 2:
            raise ValueError(f"head {j} has one class among its training rows")
        clf = LogisticRegression(C=C, max_iter=2000).fit(E[m], Y[m, j], sample_weight=w[m] / w[m].mean())
        W[j], b[j] = clf.coef_[0], clf.intercept_[0]
    return W, b


def main(argv: list[str] | None = None) -> None:
    from seawall.training.finetune import read

    ap = argparse.ArgumentParser(prog="python -m seawall.training.refit_heads")
    ap.add_argument("--data", type=Path, required=True, help="the fine-tuning file the encoder was trained on")
    ap.add_argument("--ft", type=Path, required=True, help="finetune's output folder")
    ap.add_argument("--base", type=Path, required=True)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--weight", action="append", default=[], metavar="DATASET=FACTOR")
    ap.add_argument("--C", type=float, default=1.0)
    args = ap.parse_args(argv)
    header, rows = read(args.data)
    meta = json.loads((args.ft / "heads.json").read_text())
    if meta["heads"] != header["heads"]:
        raise ValueError("the encoder was fine-tuned on another file (its heads differ)")
    train = [r for r in rows if r["s"] == "train"]
    factor = {name: float(f) for name, f in (x.split("=", 1) for x in args.weight)}
    E = pooled([r["t"] for r in train], args.ft, args.base, meta.get("max_len", 128))
    Y = np.array([r["y"] for r in train], dtype=np.int8)
    w = np.array([r["w"] * factor.get(r["d"], 1.0) for r in train])
    W, b = fit_heads(E, Y, w, args.C)
    args.out.mkdir(parents=True, exist_ok=True)
    for part in args.ft.glob("encoder.safetensors.part*"):
        shutil.copy(part, args.out / part.name)
    np.savez(args.out / "heads.npz", W=W, b=b)
    meta["refit_heads"] = {"C": args.C, "weights": factor, "rows": len(train)}
    (args.out / "heads.json").write_text(json.dumps(meta))
    print(f"refitted {len(meta['heads'])} heads on {len(train)} rows into {args.out}")


if __name__ == "__main__":
    main()
