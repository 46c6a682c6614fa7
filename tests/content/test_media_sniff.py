"""Formats are told by content, never by file name, and checked against each field's list."""

import pytest

from seawall.content.sniff import check_format, sniff
from seawall.errors import InvalidInput, UnsupportedMedia
from tests.fixtures.media import clean_image, random_bytes, text_image


@pytest.mark.parametrize("head, fmt", [
    (b"\xff\xd8\xff\xe0\x00\x10JFIF", "jpeg"),
    (b"\x89PNG\r\n\x1a\n\x00\x00", "png"),
    (b"GIF89a\x01\x00", "gif"),
    (b"RIFF\x00\x00\x00\x00WEBPVP8 ", "webp"),
    (b"RIFF\x00\x00\x00\x00WAVEfmt ", "wav"),
    (b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00", "mp4"),
    (b"\x00\x00\x00\x14ftypqt  \x00\x00\x02\x00", "mov"),
    (b"\x00\x00\x00\x20ftypM4A \x00\x00\x02\x00", "m4a"),
    (b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\x82\x84webm", "webm"),
    (b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\x82\x88matroska", "matroska"),
    (b"OggS\x00\x02", "ogg"),
    (b"fLaC\x00\x00", "flac"),
    (b"ID3\x04\x00", "mp3"),
    (b"\xff\xfb\x90\x64", "mp3"),
])
def test_sniff_names_format_from_first_bytes(head, fmt):
    assert sniff(head) == fmt


def test_sniff_knows_real_encoded_images():
    assert sniff(clean_image(fmt="JPEG")[:64]) == "jpeg"
    assert sniff(text_image("hi", fmt="PNG")[:64]) == "png"
    assert sniff(text_image("hi", fmt="WEBP")[:64]) == "webp"


def test_random_bytes_are_unsupported_media():
    with pytest.raises(UnsupportedMedia, match="not a recognised media file"):
        check_format(random_bytes(64), "image")


def test_video_given_as_image_is_refused_by_content():
    with pytest.raises(UnsupportedMedia, match="image is mp4"):
        check_format(b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00", "image")


def test_image_given_as_audio_is_refused():
    with pytest.raises(UnsupportedMedia, match="audio is png"):
        check_format(b"\x89PNG\r\n\x1a\n", "audio")


def test_empty_input_is_invalid():
    with pytest.raises(InvalidInput, match="empty"):
        check_format(b"", "video")


def test_svg_and_html_are_not_accepted():
    with pytest.raises(UnsupportedMedia):
        check_format(b"<svg xmlns='http://www.w3.org/2000/svg'>", "image")
    with pytest.raises(UnsupportedMedia):
        check_format(b"<!DOCTYPE html><html>", "image")
