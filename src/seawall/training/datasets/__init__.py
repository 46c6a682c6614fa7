"""Labeled public datasets, each mapped onto the Seawall taxonomy; `load()` is the entry point."""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

from seawall.training.datasets import base as _base
from seawall.training.datasets.base import Example, Loader, data_dir
from seawall.training.datasets.cmsb import CMSB
from seawall.training.datasets.davidson import Davidson
from seawall.training.datasets.germeval import GermEval2018
from seawall.training.datasets.hasoc2019 import HASOC2019
from seawall.training.datasets.hatexplain import HateXplain
from seawall.training.datasets.korean_hate import KoreanHate
from seawall.training.datasets.l_hsab import LHSAB
from seawall.training.datasets.mlma import MLMA
from seawall.training.datasets.olid import OLID
from seawall.training.datasets.sms_smishing import SMSSmishing
from seawall.training.datasets.sms_spam import SMSSpam
from seawall.training.datasets.split import hash_split, text_key
from seawall.training.datasets.stormfront import Stormfront
from seawall.training.datasets.suicide_ideation import SuicideIdeation
from seawall.training.datasets.toxic_spans import ToxicSpans
from seawall.training.datasets.toxigen import ToxiGen
from seawall.training.datasets.youtube_spam import YouTubeSpam

# The one label key that is not a taxonomy category: general offensive/toxic language
# (insults, profanity, threats, hate), as OLID, HASOC and GermEval judge it.
OFFENSIVE = "offensive"
SPLITS = ("train", "dev", "test")

LOADERS: dict[str, Loader] = {loader.name: loader for loader in (
    OLID(), Davidson(), HASOC2019(), GermEval2018(), HateXplain(), KoreanHate(), LHSAB(),
    MLMA(), Stormfront(), ToxicSpans(), CMSB(), SMSSpam(), SMSSmishing(), YouTubeSpam(),
    SuicideIdeation(), ToxiGen(),
)}


def trusted(default_only: bool = False) -> list[str]:
    """The sets "all sets" means: labels not found unreliable (and, with `default_only`,
    licensed for the shipped model)."""
    return [n for n, loader in LOADERS.items()
            if not getattr(loader, "unreliable", "") and (loader.default_model or not default_only)]


def load(names: Iterable[str] | None = None, splits: Iterable[str] | None = None,
         data_dir: Path | str | None = None) -> list[Example]:
    """Examples of the named sets (every trusted one when None), restricted to `splits`."""
    chosen = trusted() if names is None else list(names)
    unknown = [n for n in chosen if n not in LOADERS]
    if unknown:
        raise KeyError(f"unknown dataset(s) {unknown}; valid: {', '.join(LOADERS)}")
    wanted = set(SPLITS if splits is None else splits)
    if not wanted <= set(SPLITS):
        raise ValueError(f"unknown split(s) {sorted(wanted - set(SPLITS))}; valid: {', '.join(SPLITS)}")
    root = Path(data_dir) if data_dir is not None else _base.data_dir()
    return [ex for n in chosen for ex in LOADERS[n].load(root) if ex.split in wanted]


__all__ = ["Example", "LOADERS", "Loader", "OFFENSIVE", "SPLITS", "data_dir", "hash_split",
           "load", "text_key", "trusted"]
