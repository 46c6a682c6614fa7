"""Local files and images are checked (size, kind, pixels) before anything decodes them."""

import hashlib
import io
import os
import time

import numpy as np
import pytest
from PIL import Image

from seawall.content.limits import MediaLimits
from seawall.content.load import decode_image, open_media
from seawall.errors import FetchRefused, InvalidInput, TooLarge, UnsupportedMedia
from tests.fixtures.media import (clean_image, encode, png_header_bomb, random_bytes,
                                  text_image, truncated)

LIMITS = MediaLimits()


def write(tmp_path, name, data):
    p = tmp_path / name
    p.write_bytes(data)
    return str(p)


def test_open_media_gives_format_size_and_hashes(tmp_path):
    data = clean_image()
    with open_media(write(tmp_path, "photo.bin", data), "image", limits=LIMITS) as media:
        assert media.format == "jpeg"
        assert media.size == len(data)
        assert media.md5 == hashlib.md5(data).hexdigest()
        assert media.sha256 == hashlib.sha256(data).hexdigest()


def test_file_name_does_not_decide_the_format(tmp_path):
    path = write(tmp_path, "cat.jpg", random_bytes(1000))
    with pytest.raises(UnsupportedMedia):
        with open_media(path, "image", limits=LIMITS):
            pass


def test_file_over_the_byte_limit_is_too_large(tmp_path):
    path = write(tmp_path, "big.jpg", clean_image())
    with pytest.raises(TooLarge, match="over the limit"):
        with open_media(path, "image", limits=MediaLimits(image_max_bytes=1000)):
            pass


@pytest.mark.parametrize("ref", ["/nonexistent/file.png", "/dev/zero", "/tmp"])
def test_missing_or_special_files_are_invalid_input(ref):
    with pytest.raises(InvalidInput):
        with open_media(ref, "image", limits=LIMITS):
            pass


def test_local_paths_can_be_turned_off(tmp_path):
    path = write(tmp_path, "a.png", text_image("hi"))
    with pytest.raises(InvalidInput, match="local paths are not accepted"):
        with open_media(path, "image", limits=LIMITS, allow_local=False):
            pass


@pytest.mark.parametrize("ref", ["file:///etc/passwd", "ftp://example.com/a.png",
                                 "gopher://example.com/"])
def test_urls_other_than_http_are_refused(ref):
    with pytest.raises(FetchRefused, match="not fetched"):
        with open_media(ref, "image", limits=LIMITS):
            pass


def test_header_bomb_is_refused_before_decoding():
    started = time.perf_counter()
    with pytest.raises(TooLarge, match="pixels"):
        decode_image(png_header_bomb(), limits=LIMITS)
    assert time.perf_counter() - started < 1.0


def test_real_zlib_bomb_is_refused_by_pixel_count():
    bomb = encode(Image.new("L", (2000, 2000), 0), "PNG")   # 4 Mpx in a few kB
    assert len(bomb) < 20_000
    with pytest.raises(TooLarge, match="pixels"):
        decode_image(bomb, limits=MediaLimits(image_max_pixels=1_000_000))


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "GIF", "WEBP"])
def test_truncated_image_is_invalid_input(fmt):
    data = truncated(text_image("hello", fmt=fmt, size=(320, 240)), keep=0.4)
    with pytest.raises(InvalidInput, match="could not be decoded"):
        decode_image(data, limits=LIMITS)


def test_corrupt_png_chunk_is_invalid_input():
    data = bytearray(text_image("hello", fmt="PNG", size=(320, 240)))
    data[60:80] = b"\xff" * 20
    with pytest.raises(InvalidInput):
        decode_image(bytes(data), limits=LIMITS)


def test_decoded_image_is_rgb_at_file_size():
    img = decode_image(text_image("hi", size=(300, 200)), limits=LIMITS)
    assert img.rgb.shape == (200, 300, 3) and img.rgb.dtype == np.uint8
    assert (img.width, img.height, img.format) == (300, 200, "png")


def test_large_picture_is_analysed_smaller_but_reports_file_size():
    img = decode_image(clean_image(size=(3000, 2000)), limits=LIMITS, max_side=1000)
    assert max(img.rgb.shape[:2]) <= 1000
    assert (img.width, img.height) == (3000, 2000)


def test_exif_rotation_is_applied_like_a_viewer():
    src = Image.new("RGB", (400, 100), (200, 30, 30))
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise to view
    buf = io.BytesIO()
    src.save(buf, format="JPEG", exif=exif)
    img = decode_image(buf.getvalue(), limits=LIMITS)
    assert (img.width, img.height) == (100, 400)
    assert img.rgb.shape[:2] == (400, 100)


def test_transparent_pixels_become_white():
    rgba = Image.new("RGBA", (10, 10), (0, 0, 0, 0))
    img = decode_image(encode(rgba, "PNG"), limits=LIMITS)
    assert img.rgb.min() == 255


def test_fifo_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "pipe.png"
    os.mkfifo(fifo)
    with pytest.raises(InvalidInput, match="not a regular file"):
        with open_media(str(fifo), "image", limits=LIMITS):
            pass
