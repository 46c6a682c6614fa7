"""The model card says how the shipped English encoder was fine-tuned."""

import copy

from seawall.signals.text import PACKAGED_MODEL
from seawall.signals.text.model import TextModel
from seawall.training.card import write_card


def card_for(tmp_path, finetune: dict) -> str:
    model = TextModel.load(PACKAGED_MODEL)
    model.manifest = copy.deepcopy(model.manifest)
    model.manifest["english"]["finetune"] = finetune
    model.folder = tmp_path
    return write_card(model).read_text()


def test_card_names_the_fine_tune_settings_dataset_corrections_and_weights(tmp_path):
    text = card_for(tmp_path, {"epochs": 3.0, "lr": 6e-5, "seed": 15, "dataset_heads": True,
                               "weights": {"olid": 3.0}})
    line = next(ln for ln in text.splitlines() if ln.startswith("- English encoder:"))
    assert "3 epochs at learning rate 6e-05, seed 15" in line
    assert "its own correction on every head" in line
    assert "× 3 for olid" in line
    assert "--english-encoder DIR" in text


def test_card_leaves_out_settings_the_fine_tune_did_not_use(tmp_path):
    text = card_for(tmp_path, {"epochs": 2.0, "lr": 1e-4, "seed": 13})
    line = next(ln for ln in text.splitlines() if ln.startswith("- English encoder:"))
    assert "2 epochs at learning rate 0.0001, seed 13" in line
    assert "correction" not in line and "weights" not in line
