"""Dataset loaders: labels stay inside the taxonomy, counts match the sources, splits never leak."""

from __future__ import annotations

import gzip
from collections import Counter
from pathlib import Path

import pytest

import seawall.training.datasets as datasets
from seawall.taxonomy import NAMES
from seawall.training.datasets import LOADERS, OFFENSIVE, SPLITS, load
from seawall.training.datasets._common import tidy
from seawall.training.datasets._read import fix_mojibake, read_rows
from seawall.training.datasets.base import Example, data_dir
from seawall.training.datasets.split import hash_split, text_key
from seawall.training.datasets.sms_smishing import SMSSmishing
from seawall.training.datasets.sms_spam import SMSSpam
from seawall.training.datasets.toxigen import ToxiGen

VALID_KEYS = set(NAMES) | {OFFENSIVE}

# Rows the data README counts, less the rows a loader skips by design (HateXplain's
# undecided, Stormfront's relation and idk/skip). Loaded counts may fall below by the
# duplicate texts each set holds (YouTube spam repeats 11% of its comments).
README_ROWS = {
    "olid": 13240 + 860, "davidson": 24783, "hasoc2019": 5852 + 1153 + 3819 + 850 + 4665 + 1318,
    "germeval2018": 5009 + 3532, "hatexplain": 20148 - 919, "korean-hate": 7896 + 471,
    "l-hsab": 5846, "mlma": 5647 + 4014 + 3353, "stormfront": 10944 - 168 - 73,
    "toxic-spans": 16100, "cmsb": 13631, "sms-spam": 5574, "sms-smishing": 5985,
    "youtube-spam": 1956, "suicide-ideation": 1787,
}
# Official test splits are kept whole so results compare with published ones.
OFFICIAL_TEST_ROWS = {"olid": 860, "hasoc2019": 1153 + 850 + 1318, "germeval2018": 3532,
                      "hatexplain": 1924, "korean-hate": 471, "stormfront": 478, "toxic-spans": 2000}
LANGS = {"hasoc2019": {"en", "de", "hi"}, "germeval2018": {"de"}, "korean-hate": {"ko"},
         "l-hsab": {"ar"}, "mlma": {"en", "fr", "ar"}}


@pytest.fixture(scope="module")
def loaded():
    """Each set loaded at most once per module: name → examples."""
    root = data_dir()
    cache: dict[str, list[Example]] = {}

    def get(name: str) -> list[Example]:
        if not (root / LOADERS[name].folder).is_dir():
            pytest.skip(f"data for {name} not found under {root}")
        if name not in cache:
            cache[name] = list(LOADERS[name].load(root))
        return cache[name]
    return get


def test_registry_holds_every_set_under_its_own_name():
    assert set(LOADERS) == set(README_ROWS) | {"toxigen"}
    for name, loader in LOADERS.items():
        assert loader.name == name
        assert isinstance(loader.default_model, bool)
        assert len(loader.mapping.splitlines()) >= 2


def test_public_surface_is_exactly_all():
    assert sorted(datasets.__all__) == ["Example", "LOADERS", "Loader", "OFFENSIVE", "SPLITS",
                                        "data_dir", "hash_split", "load", "text_key", "trusted"]


@pytest.mark.parametrize("name", sorted(LOADERS))
def test_loader_yields_only_taxonomy_labels_with_binary_values(loaded, name):
    examples = loaded(name)
    assert examples
    for ex in examples:
        assert ex.text.strip() and ex.dataset == name and ex.split in SPLITS
        assert ex.labels and set(ex.labels) <= VALID_KEYS, ex.labels
        assert set(ex.labels.values()) <= {0, 1}, ex.labels
        assert ex.lang in LANGS.get(name, {"en"})


@pytest.mark.parametrize("name", sorted(README_ROWS))
def test_loader_count_matches_the_data_readme(loaded, name):
    n = len(loaded(name))
    assert 0.85 * README_ROWS[name] <= n <= README_ROWS[name]


@pytest.mark.parametrize("name", sorted(OFFICIAL_TEST_ROWS))
def test_official_test_split_is_kept_whole(loaded, name):
    assert sum(ex.split == "test" for ex in loaded(name)) == OFFICIAL_TEST_ROWS[name]


@pytest.mark.parametrize("name", sorted(LOADERS))
def test_test_split_shares_no_text_with_train_or_dev(loaded, name):
    by_split: dict[str, set[str]] = {s: set() for s in SPLITS}
    for ex in loaded(name):
        by_split[ex.split].add(text_key(ex.text))
    assert not by_split["test"] & (by_split["train"] | by_split["dev"])
    assert not by_split["dev"] & by_split["train"]
    assert all(by_split.values()), {s: len(v) for s, v in by_split.items()}


@pytest.mark.parametrize("name", sorted(LOADERS))
def test_every_set_has_both_classes_of_its_main_label(loaded, name):
    values: dict[str, set[int]] = {}
    for ex in loaded(name):
        for k, v in ex.labels.items():
            values.setdefault(k, set()).add(v)
    if name == "toxic-spans":  # every post is toxic: no clean negatives by construction
        assert values[OFFENSIVE] == {1}
    else:
        assert any(v == {0, 1} for v in values.values()), values


def test_toxic_spans_offsets_lie_inside_the_text(loaded):
    examples = loaded("toxic-spans")
    for ex in examples:
        for start, end in ex.meta["spans"]:
            assert 0 <= start < end <= len(ex.text)
        for start, end, kind in ex.meta.get("typed_spans", []):
            assert 0 <= start < end <= len(ex.text) and kind
    assert sum(ex.labels.get("harassment/threatening") == 1 for ex in examples) > 50
    assert Counter(ex.meta["source"] for ex in examples)["acl2022"] > 1000


def test_olid_keeps_native_label_and_maps_targeted_insult_to_harassment(loaded):
    examples = loaded("olid")
    assert {ex.native for ex in examples} == {"OFF", "NOT"}
    ind = [ex for ex in examples if ex.meta.get("subtask_c") == "IND"]
    assert ind and all(ex.labels["harassment"] == 1 and ex.labels[OFFENSIVE] == 1 for ex in ind)


def test_load_filters_by_name_and_split(loaded):
    loaded("youtube-spam")  # skips when the data is absent
    dev = load(["youtube-spam"], splits=["dev"])
    assert dev and {(ex.dataset, ex.split) for ex in dev} == {("youtube-spam", "dev")}


def test_load_rejects_unknown_names_listing_valid_ones():
    with pytest.raises(KeyError, match="olid"):
        load(["no-such-set"])
    with pytest.raises(ValueError, match="train"):
        load(["olid"], splits=["validation"])


def test_hash_split_is_stable_across_runs_and_machines():
    # Golden values: a change here reshuffles every split that uses the helper.
    assert [hash_split(t) for t in ("hello world", "j", "k", "l")] == ["train", "dev", "test", "dev"]


def test_hash_split_ignores_case_and_spacing():
    assert hash_split("You  are\tAN idiot ") == hash_split("you are an idiot")


def test_hash_split_fractions_follow_the_arguments():
    counts = Counter(hash_split(str(i)) for i in range(20000))
    assert abs(counts["test"] / 20000 - 0.1) < 0.01 and abs(counts["dev"] / 20000 - 0.1) < 0.01
    assert "test" not in {hash_split(str(i), test=0.0, dev=0.1) for i in range(2000)}


def test_hash_split_rejects_fractions_over_one():
    with pytest.raises(ValueError):
        hash_split("x", test=0.7, dev=0.5)


def _ex(text: str, split: str, label: int = 1) -> Example:
    return Example(text=text, labels={"spam": label}, dataset="t", split=split, lang="en")


def test_tidy_keeps_the_test_copy_of_a_repeated_text_and_drops_empty_texts():
    skipped: Counter = Counter()
    out = tidy([_ex("Buy now", "train"), _ex("  ", "train"), _ex("buy  NOW", "test", 0)], skipped)
    assert [(ex.text, ex.split) for ex in out] == [("buy  NOW", "test")]
    assert skipped["empty text"] == 1 and skipped["duplicate text with other labels"] == 1


def test_tidy_keeps_repeats_inside_an_official_test_split_only():
    rows = [_ex("a b", "test"), _ex("A b", "test")]
    assert len(tidy(rows, Counter(), official_test=True)) == 2
    assert len(tidy(rows, Counter())) == 1


def test_read_rows_counts_bad_rows_and_decodes_cp1252(tmp_path):
    path = tmp_path / "x.csv"
    path.write_bytes("Label,Text\r\nham,caf\xe9\r\nspam\r\nham,\"a,b\",extra\r\n".encode("cp1252"))
    skipped: Counter = Counter()
    assert list(read_rows(path, skipped)) == [{"label": "ham", "text": "café"}]
    assert skipped["wrong number of fields"] == 2


def test_fix_mojibake_restores_utf8_read_as_latin1():
    assert fix_mojibake("i\u00e2\u0080\u0099m") == "i\u2019m"
    assert fix_mojibake("plain text") == "plain text"


def test_loaders_survive_bad_lines_and_normalise_label_case(tmp_path):
    spam = tmp_path / "sms-spam-collection"
    spam.mkdir()
    (spam / "SMSSpamCollection").write_text("ham\tOk lar\nspam\t\nno tab here\nSPAM\tWIN \"cash\"\n")
    loader = SMSSpam()
    out = list(loader.load(tmp_path))
    assert [(ex.native, ex.labels) for ex in out] == [("ham", {"spam": 0, "scam": 0, "harassment": 0, "hate": 0}),
                                                      ("spam", {"spam": 1})]
    assert loader.skipped == Counter({"unreadable line": 1, "empty text": 1})

    smish = tmp_path / "sms-smishing-5971"
    smish.mkdir()
    (smish / "Dataset_5971.csv").write_text("LABEL,TEXT\nSmishing,Verify your KYC at bit.ly/x\n,orphan\n")
    loader = SMSSmishing()
    assert [ex.labels for ex in loader.load(tmp_path)] == [{"scam": 1, "spam": 1}]
    assert loader.skipped == Counter({"unknown label ''": 1})


def test_toxigen_splits_prompt_lines_into_unique_sentences(tmp_path):
    prompts = tmp_path / "toxigen-prompts" / "prompts"
    prompts.mkdir(parents=True)
    with gzip.open(prompts / "hate_women_1k.txt.gz", "wt", encoding="utf-8") as fh:
        fh.write("- s one\\n- s two\\n-\n- s two\\n-\n")
    out = list(ToxiGen().load(tmp_path))
    assert sorted(ex.text for ex in out) == ["s one", "s two"]
    assert all(ex.meta["group"] == "women" and ex.labels == {"hate": 1, "offensive": 1} for ex in out)


def test_missing_data_folder_fails_with_its_path(tmp_path):
    with pytest.raises(FileNotFoundError, match=str(Path(tmp_path))):
        list(SMSSpam().load(tmp_path))


def test_a_set_whose_labels_failed_an_audit_is_read_only_when_named():
    from seawall.training.datasets import LOADERS, trusted

    assert LOADERS["sms-smishing"].unreliable
    assert "sms-smishing" not in trusted() and "sms-smishing" not in trusted(default_only=False)
    assert "olid" in trusted() and "olid" in trusted(default_only=True)
    assert "hasoc2019" in trusted() and "hasoc2019" not in trusted(default_only=True)
