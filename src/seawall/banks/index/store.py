"""The on-disk index format: a JSON manifest naming .npy arrays, written atomically.

No pickle: arrays are plain .npy (loaded with allow_pickle=False, memory-mapped where
large), and the manifest carries a format name and version so a newer Seawall can read
or refuse an older index instead of misreading it.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np

from seawall.errors import InvalidInput

FORMAT = "seawall.bank-index"
VERSION = 1
MANIFEST = "manifest.json"


def write_array(directory: Path, name: str, array: np.ndarray) -> str:
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    tmp = directory / f".{name}.tmp.npy"
    np.save(tmp, np.ascontiguousarray(array), allow_pickle=False)
    os.replace(tmp, directory / f"{name}.npy")
    return f"{name}.npy"


def read_array(directory: Path, filename: str, *, mmap: bool = False) -> np.ndarray:
    path = Path(directory) / filename
    if not path.is_file():
        raise InvalidInput(f"index file missing: {path}")
    arr = np.load(path, mmap_mode="r" if mmap else None, allow_pickle=False)
    # A plain ndarray view of the map: the compiled search takes ndarrays, not memmaps.
    return np.asarray(arr)


def write_manifest(directory: Path, manifest: dict) -> None:
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    body = {"format": FORMAT, "version": VERSION, **manifest}
    tmp = directory / f".{MANIFEST}.tmp"
    tmp.write_text(json.dumps(body, indent=1, sort_keys=True))
    os.replace(tmp, directory / MANIFEST)


def read_manifest(directory: Path) -> dict:
    path = directory / MANIFEST
    try:
        body = json.loads(path.read_text())
    except FileNotFoundError:
        raise InvalidInput(f"no index at {directory}") from None
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"index manifest {path} is corrupt: {exc}") from None
    if body.get("format") != FORMAT:
        raise InvalidInput(f"{path} is not a Seawall bank index")
    if body.get("version") != VERSION:
        raise InvalidInput(f"{path} has index format version {body.get('version')}; "
                           f"this Seawall reads version {VERSION}")
    return body


def remove_unlisted(directory: Path, keep: set[str]) -> None:
    """Delete array files a newer manifest no longer names (after it is in place)."""
    for path in Path(directory).glob("*.npy"):
        if path.name not in keep:
            path.unlink(missing_ok=True)
