"""Media kept for review: named by its bytes, checked by sniffing, bounded in size and in time."""

import hashlib
import os
import time
from datetime import timedelta

import pytest

from seawall.errors import NotFound, SeawallError, TooLarge, UnsupportedMedia
from seawall.review.testing import synth_image
from seawall.storage.media import MediaStore


@pytest.fixture
def store(tmp_path):
    return MediaStore(tmp_path / "media", retention=timedelta(days=30), max_bytes=1_000_000)


def test_kept_media_is_named_by_its_bytes_and_kept_once(store, tmp_path):
    img = synth_image(tmp_path / "a.png")
    first = store.keep(img, "image")
    again = store.keep(synth_image(tmp_path / "copy.png"), "image")
    digest = hashlib.sha256(img.read_bytes()).hexdigest()
    assert first == again == {"sha256": digest, "format": "png", "size": img.stat().st_size}
    assert [p.name for p in store.root.iterdir()] == [digest]
    assert store.path(digest).read_bytes() == img.read_bytes()


def test_media_over_the_size_limit_is_not_kept(tmp_path):
    small = MediaStore(tmp_path / "media", max_bytes=100)
    with pytest.raises(TooLarge):
        small.keep(synth_image(tmp_path / "a.png"), "image")
    assert not (tmp_path / "media").exists() or not list((tmp_path / "media").iterdir())


def test_bytes_that_are_not_an_accepted_format_for_the_field_are_not_kept(store, tmp_path):
    fake = tmp_path / "evil.png"
    fake.write_text("<script>alert(1)</script>")
    with pytest.raises(UnsupportedMedia):
        store.keep(fake, "image")
    with pytest.raises(UnsupportedMedia):
        store.keep(synth_image(tmp_path / "a.png"), "video")   # a picture is not a video
    assert not store.root.exists() or not list(store.root.iterdir())


def test_copies_past_retention_are_gone_on_read_and_on_prune(store, tmp_path):
    a = store.keep(synth_image(tmp_path / "a.png", seed=1), "image")["sha256"]
    b = store.keep(synth_image(tmp_path / "b.png", seed=2), "image")["sha256"]
    old = time.time() - 31 * 86400
    os.utime(store.root / a, (old, old))
    (store.root / ".partial-crashed").write_bytes(b"half")
    os.utime(store.root / ".partial-crashed", (old, old))
    with pytest.raises(NotFound, match="retention"):
        store.path(a)
    assert store.prune() == 1 and sorted(p.name for p in store.root.iterdir()) == [b]
    assert store.path(b) and store.prune(now=time.time() + 31 * 86400) == 1


def test_keeping_the_same_bytes_again_restarts_their_retention(store, tmp_path):
    img = synth_image(tmp_path / "a.png")
    digest = store.keep(img, "image")["sha256"]
    old = time.time() - 29 * 86400
    os.utime(store.root / digest, (old, old))
    store.keep(img, "image")
    assert store.prune(now=time.time() + 2 * 86400) == 0


@pytest.mark.parametrize("digest", ["../../etc/passwd", "A" * 64, "", "0" * 63])
def test_only_digests_name_kept_files(store, digest):
    with pytest.raises(NotFound):
        store.path(digest)


def test_settings_are_checked_and_zero_days_keeps_nothing(tmp_path):
    env = {"SEAWALL_HOME": str(tmp_path / "home")}
    assert MediaStore.from_env(env).root == tmp_path / "home" / "media"
    assert MediaStore.from_env({**env, "SEAWALL_REVIEW_MEDIA_DAYS": "7"}).retention == timedelta(days=7)
    assert MediaStore.from_env({**env, "SEAWALL_REVIEW_MEDIA_DAYS": "0"}) is None
    for bad in ("soon", "-1", "nan"):
        with pytest.raises(SeawallError) as exc:
            MediaStore.from_env({**env, "SEAWALL_REVIEW_MEDIA_DAYS": bad})
        assert exc.value.code == "bad_config"
