"""Distil the fine-tuned English encoder into the fast tier's token tables.

Each wordpiece goes through the encoder alone ([CLS] token [SEP]); its pooled embedding
and head logits become its rows (the run-time side is seawall.signals.text.static). The
whole vocabulary takes about 15 seconds on two cores. It needs the `onnx` package (the
`train` extra) to read the pooled embedding out of the exported graph; a model built on
a model that already has the tables reuses them and needs nothing more.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Sequence

import numpy as np

from seawall.errors import InvalidInput
from seawall.signals.text.static import FILE, StaticEmbeddings

TOKENIZER = "english.tokenizer.json"
# Smooth inverse frequency (Arora et al. 2017): a token's weight is a / (a + p(token)).
SIF_A = 1e-3


def _pooled_name(model) -> str:
    """The graph's mean-pooled sentence embedding: the output of its last division (the
    masked sum over the attention mask's count) in seawall.training.export_onnx's graph."""
    divs = [n for n in model.graph.node if n.op_type == "Div"]
    if not divs:
        raise InvalidInput("the English encoder's graph has no mean-pooling division to read embeddings from")
    return divs[-1].output[0]


def encoder_sha256(english_dir: Path) -> str:
    """Which English encoder a table was distilled from."""
    return hashlib.sha256((Path(english_dir) / "english.onnx").read_bytes()).hexdigest()


def encode_vocabulary(english_dir: Path) -> tuple[np.ndarray, np.ndarray]:
    """[vocab × dim] pooled embeddings and [vocab × heads] logits, one token at a time."""
    try:
        import onnx
    except ImportError as e:  # pragma: no cover - the train extra is installed in tests
        raise InvalidInput("distilling the English encoder needs the `train` extra (the onnx package)") from e
    import onnxruntime as ort
    from tokenizers import Tokenizer

    model = onnx.load(str(Path(english_dir) / "english.onnx"))
    pooled = _pooled_name(model)
    model.graph.output.append(onnx.helper.make_tensor_value_info(pooled, onnx.TensorProto.FLOAT, None))
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    tok = Tokenizer.from_file(str(Path(english_dir) / TOKENIZER))
    cls, sep = tok.token_to_id("[CLS]"), tok.token_to_id("[SEP]")
    V = tok.get_vocab_size()
    emb = logits = None
    for i in range(V):
        ids = np.array([[cls, i, sep]], dtype=np.int64)
        z, e = session.run(["logits", pooled], {"input_ids": ids, "attention_mask": np.ones_like(ids)})
        if emb is None:
            emb = np.zeros((V, e.shape[-1]), dtype=np.float32)
            logits = np.zeros((V, z.shape[-1]), dtype=np.float32)
        emb[i], logits[i] = e[0], z[0]
    return emb, logits


def distill(english_dir: Path, texts: Sequence[str], out_dir: Path, *, dim: int = 128) -> None:
    """Build the tables from the encoder and `texts` (the training text: token frequencies
    for the weights, principal directions, and the spread of each head's max), and write
    static.npz and static.json into `out_dir`."""
    english_dir, out_dir = Path(english_dir), Path(out_dir)
    emb, logits = encode_vocabulary(english_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    # A provisional object only to tokenize the way run time will.
    probe = StaticEmbeddings(np.zeros((len(emb), 1)), np.zeros((len(emb), 1)), english_dir / TOKENIZER, 1.0, 1.0)
    ids = probe.token_ids(texts)
    counts = np.bincount(np.fromiter((i for t in ids for i in t), dtype=np.int64), minlength=len(emb))
    seen = counts > 0
    if seen.sum() <= dim:
        raise InvalidInput(f"too little English text to distil a {dim}-dimensional table ({int(seen.sum())} tokens)")
    sif = SIF_A / (SIF_A + counts / counts.sum())
    # Principal directions of the tokens the training text uses; unseen tokens are
    # projected onto them too (their rows are what generalizes to new words).
    centre = emb[seen].mean(axis=0)
    _, _, Vt = np.linalg.svd(emb[seen] - centre, full_matrices=False)
    mean = ((emb - centre) @ Vt[:dim].T) * sif[:, None]
    # Standardize each head's max over the training texts, so one scale fits all heads.
    nonempty = [t for t in ids if t]
    maxima = np.array([logits[t].max(axis=0) for t in nonempty])
    maxt = (logits - maxima.mean(axis=0)) / (maxima.std(axis=0) + 1e-6)
    np.savez_compressed(out_dir / FILE, mean=mean.astype(np.float16), max=maxt.astype(np.float16))
    info = json.loads((english_dir / "english.json").read_text())
    (out_dir / "static.json").write_text(json.dumps(
        {"heads": info["heads"], "encoder_sha256": encoder_sha256(english_dir), "mean_dim": dim, "sif_a": SIF_A,
         "texts": len(texts),
         "tokens_seen": int(seen.sum()), "vocabulary": int(len(emb))}, indent=1))
