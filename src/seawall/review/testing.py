"""Test helpers for review, feedback and the console: databases with every table, people, routed items,
and synthetic images (rendered shapes and words: never real harmful imagery)."""

from __future__ import annotations

import contextlib
import importlib
import random
from collections.abc import Iterator
from pathlib import Path

from seawall.review import TABLE_MODULES
from seawall.types import Content, Decision, Evidence, Signal

PASSWORD = "correct horse battery"


@contextlib.contextmanager
def database(kind: str, tmp_path: Path) -> Iterator:
    """A Database ("sqlite" or "postgres") with the core tables and review's own."""
    from seawall.storage import testing

    for name in TABLE_MODULES:
        importlib.import_module(name)
    with testing.database(kind, tmp_path) as db:
        yield db


def add_user(db, username: str, role: str, queues: list[str] | None = None, *, password: str = PASSWORD):
    from seawall.review.users import create_user, principal

    with db.session() as s:
        return principal(create_user(s, username, password, role=role, queues=queues or []))


def synth_image(path: Path, *, seed: int = 0, size: tuple[int, int] = (320, 240), label: str = "TEST") -> Path:
    """A textured picture of shapes and a word: enough structure for PDQ to hash with good quality."""
    from PIL import Image, ImageDraw

    rng = random.Random(seed)
    im = Image.new("RGB", size, (rng.randrange(40, 200), rng.randrange(40, 200), rng.randrange(40, 200)))
    draw = ImageDraw.Draw(im)
    for _ in range(24):
        x0, y0 = rng.randrange(size[0]), rng.randrange(size[1])
        x1, y1 = x0 + rng.randrange(10, size[0] // 2), y0 + rng.randrange(10, size[1] // 2)
        colour = (rng.randrange(256), rng.randrange(256), rng.randrange(256))
        if rng.random() < 0.5:
            draw.rectangle((x0, y0, x1, y1), fill=colour)
        else:
            draw.ellipse((x0, y0, x1, y1), fill=colour)
    draw.text((10, 10), label, fill=(255, 255, 255))
    path.parent.mkdir(parents=True, exist_ok=True)
    im.save(path)
    return path


# A box where synthetic images carry their "detected" region, in pixels (x, y, w, h).
TEST_BOX = (40.0, 30.0, 120.0, 90.0)


def image_signal(content: Content) -> list[Signal]:
    """A stand-in image detector: a graphic-violence score with a box, for files named "graphic-*"
    or items sent with meta {"test_detector": "graphic"} (the API renames uploads)."""
    if not content.image:
        return []
    graphic = "graphic" in Path(content.image).name or (content.meta or {}).get("test_detector") == "graphic"
    score = 0.8 if graphic else 0.0
    evidence = (Evidence("violence/graphic", score, "image", "test.image.v1", box=TEST_BOX),) if score else ()
    return [Signal(source="test.image.v1", modality="image",
                   scores={"violence": score, "violence/graphic": score * 0.9, "nudity": 0.0, "sexual": 0.0},
                   evidence=evidence), hash_signal(content)]


def hash_signal(content: Content) -> Signal:
    """The hashes the real image analyzer reports (`image.hash.v1`), computed the same way."""
    from seawall.feedback.banking import hash_media
    from seawall.taxonomy import empty_scores

    hashes: dict[str, list[str]] = {"pdq": [], "md5": []}
    for h in hash_media(content):
        hashes.setdefault(h.kind, []).append(h.value)
    return Signal(source="image.hash.v1", modality="image", scores=empty_scores(), meta={"hashes": hashes})


def moderate_with(banks=None):
    """A moderate() for tests: the fake text classifier, the stand-in image detector, bank matches, real policy."""
    from seawall.api.testing import fake_signals
    from seawall.policy import decide

    def moderate(content: Content, *, policy=None) -> Decision:
        signals = fake_signals(content) + image_signal(content)
        if banks is not None:
            signals += banks.signals(content)
        return decide(content, signals, policy=policy)

    return moderate


def route(db, content: Content, *, moderate=None) -> dict:
    """Judge, store and enforce an item as the API would; returns the stored decision JSON."""
    from seawall.actions.dispatch import Dispatcher

    out, _ = Dispatcher(db, moderate=moderate or moderate_with()).process(content)
    return out
