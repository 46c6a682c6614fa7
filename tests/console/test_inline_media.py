"""Inline images of held items are kept for a while, so people see them (blurred first), not a placeholder."""

import base64
import hashlib
import io
import os
import time

import numpy as np
from PIL import Image

from seawall.review import testing


def data_url(path) -> str:
    return "data:image/png;base64," + base64.b64encode(path.read_bytes()).decode()


def post_inline(console, tmp_path, item_id, *, graphic=True):
    img = testing.synth_image(tmp_path / f"{item_id}.png", seed=3, size=(320, 240), label="SYNTHETIC")
    client = console.client()
    item = {"id": item_id, "text": "look [violence=0.8]" if graphic else "hello", "image": data_url(img)}
    if graphic:
        item["meta"] = {"test_detector": "graphic"}   # the stand-in image detector finds gore
    d = client.post("/v1/items", json=item).json()
    return img, d


def claim(console, user, queue):
    page = user.post(f"/console/queues/{queue}/claim")
    return int(page.url.path.rsplit("/", 1)[1])


def picture(response) -> np.ndarray:
    assert response.status_code == 200 and response.headers["content-type"] == "image/jpeg", response.content[:8]
    return np.asarray(Image.open(io.BytesIO(response.content)).convert("RGB")).astype(int)


def kept_file(tmp_path, img):
    return tmp_path / "home" / "media" / hashlib.sha256(img.read_bytes()).hexdigest()


def test_an_inline_image_held_for_review_is_shown_blurred_then_revealed(console, tmp_path):
    img, d = post_inline(console, tmp_path, "inline-1")
    assert d["action"] == "review" and d["queues"] == ["violence"]
    assert d["content"]["image"].startswith("data:sha256=")      # the decision log keeps no bytes
    kept = kept_file(tmp_path, img)
    assert kept.read_bytes() == img.read_bytes() and oct(kept.stat().st_mode & 0o777) == "0o600"
    testing.add_user(console.db, "mia", "moderator", ["violence"])
    mia = console.sign_in("mia")
    item_id = claim(console, mia, "violence")
    protected = picture(mia.get(f"/console/items/{item_id}/media/image"))
    original = np.asarray(Image.open(img).convert("RGB")).astype(int)
    assert protected.shape == original.shape
    inside = protected[60:100, 80:140]                          # within the blurred evidence box
    assert np.abs(inside[..., 0] - inside[..., 1]).max() <= 8   # grayscale
    assert inside.std() < original[60:100, 80:140].std()       # and blurred
    assert mia.post(f"/console/items/{item_id}/reveal", {"kind": "image"}).status_code == 200
    revealed = picture(mia.get(f"/console/items/{item_id}/media/image?view=original"))
    outside = (slice(150, 230), slice(200, 310))                # away from the outlined box
    diff = np.abs(revealed[outside] - original[outside])
    assert np.median(diff) <= 2 and diff.mean() < 6             # the original colours, JPEG-encoded
    assert np.abs(protected[outside] - original[outside]).mean() > 4 * diff.mean()


def test_inline_media_of_an_allowed_item_is_not_kept(console, tmp_path):
    img, d = post_inline(console, tmp_path, "fine-1", graphic=False)
    assert d["action"] == "allow" and not kept_file(tmp_path, img).exists()


def test_past_retention_the_console_shows_a_placeholder_and_the_copy_is_deleted(console, tmp_path):
    img, _ = post_inline(console, tmp_path, "old-1")
    kept = kept_file(tmp_path, img)
    old = time.time() - 31 * 86400
    os.utime(kept, (old, old))                                   # kept 31 days ago; retention is 30
    testing.add_user(console.db, "mia", "moderator", ["violence"])
    mia = console.sign_in("mia")
    r = mia.get(f"/console/items/{claim(console, mia, 'violence')}/media/image")
    assert r.status_code == 200 and r.content[:4] == b"\x89PNG"  # the placeholder tile
    assert not kept.exists()
