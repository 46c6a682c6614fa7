"""Video and audio decode in a bounded child process; hostile files fail alone, with a reason."""

import json

import numpy as np
import pytest

from seawall.content.decode import decode_media
from seawall.content.frames import FrameSampler
from seawall.content.limits import MB, MediaLimits
from seawall.content.load import open_media
from seawall.errors import InvalidInput, SeawallError, TooLarge, UnsupportedMedia
from tests.fixtures.media import audio_file, have_espeak, random_bytes, truncated, video_file

LIMITS = MediaLimits()
needs_espeak = pytest.mark.skipif(not have_espeak(), reason="espeak-ng is not installed")


@pytest.fixture(scope="module")
def media_dir(tmp_path_factory):
    d = tmp_path_factory.mktemp("media")
    video_file(d / "clip.mp4", duration=3.0, size=(320, 180), fps=10, scenes=2,
               captions=[(1.0, 2.0, "HELLO")])
    video_file(d / "clip.webm", duration=1.0, size=(160, 90), fps=10, codec="libvpx",
               container="webm")
    video_file(d / "long.mp4", duration=6.0, size=(160, 90), fps=5)
    return d


def decode(path, kind, limits=LIMITS, **kw):
    with open_media(str(path), kind, limits=limits) as media:
        return decode_media(media, limits=limits, **kw)


def test_video_yields_sampled_frames_vpdq_and_timings(media_dir):
    d = decode(media_dir / "clip.mp4", "video")
    assert (d.width, d.height) == (320, 180)
    assert d.duration == pytest.approx(3.0, abs=0.2)
    assert d.frames_decoded == 30
    assert d.frames[0].time == 0.0 and d.frames[0].image.shape == (180, 320, 3)
    assert [f.time for f in d.frames] == sorted(f.time for f in d.frames)
    assert len(d.vpdq) == 3 and all(len(f.pdq_hex) == 64 for f in d.vpdq)
    assert d.audio is None and "total" in d.timings


def test_scene_cut_is_sampled_near_the_cut(media_dir):
    d = decode(media_dir / "clip.mp4", "video")
    cuts = [f.time for f in d.frames if f.reason == "change"]
    assert any(1.5 <= t <= 1.8 for t in cuts)        # two scenes: the cut is at 1.5 s


def test_frame_budget_caps_the_samples(media_dir):
    d = decode(media_dir / "long.mp4", "video", sampler=FrameSampler(budget=2))
    assert len(d.frames) <= 2


def test_webm_vp8_decodes(media_dir):
    d = decode(media_dir / "clip.webm", "video")
    assert d.frames and d.frames[0].image.shape == (90, 160, 3)


def test_video_over_the_duration_limit_is_too_large(media_dir):
    with pytest.raises(TooLarge, match="over the limit of 2 s"):
        decode(media_dir / "long.mp4", "video", limits=MediaLimits(video_max_seconds=2))


def test_video_over_the_pixel_limit_is_too_large(media_dir):
    with pytest.raises(TooLarge, match="320x180"):
        decode(media_dir / "clip.mp4", "video", limits=MediaLimits(video_max_pixels=100 * 100))


def test_video_over_the_frame_limit_is_too_large(media_dir):
    with pytest.raises(TooLarge, match="more than 10 frames"):
        decode(media_dir / "clip.mp4", "video", limits=MediaLimits(video_max_frames=10))


def test_truncated_video_fails_alone(media_dir, tmp_path):
    bad = tmp_path / "cut.mp4"
    bad.write_bytes(truncated((media_dir / "clip.mp4").read_bytes(), keep=0.3))
    with pytest.raises(InvalidInput):
        decode(bad, "video")


def test_mp4_header_over_random_bytes_fails_alone(tmp_path):
    bad = tmp_path / "fake.mp4"
    bad.write_bytes(b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00isomiso2avc1mp41" + random_bytes(20000))
    with pytest.raises(InvalidInput):
        decode(bad, "video")


def test_decoding_past_the_deadline_is_cut(media_dir):
    with pytest.raises(TooLarge, match="longer than"):
        decode(media_dir / "clip.mp4", "video", limits=MediaLimits(decode_timeout_s=0.05))


def test_a_decoder_out_of_memory_fails_alone(media_dir):
    with pytest.raises(SeawallError):
        decode(media_dir / "clip.mp4", "video", limits=MediaLimits(decode_memory_bytes=48 * MB))


def test_audio_field_needs_a_sound_track(media_dir):
    with pytest.raises(InvalidInput, match="no audio track"):
        decode(media_dir / "clip.mp4", "audio")


def test_image_file_in_the_video_field_is_unsupported(tmp_path):
    from tests.fixtures.media import clean_image
    p = tmp_path / "x.mp4"
    p.write_bytes(clean_image())
    with pytest.raises(UnsupportedMedia, match="video is jpeg"):
        decode(p, "video")


@needs_espeak
@pytest.mark.parametrize("fmt", ["wav", "mp3", "ogg", "m4a"])
def test_audio_decodes_to_16k_mono(tmp_path, fmt):
    path = audio_file(tmp_path / f"a.{fmt}", [(0.2, "hello")], 1.5, fmt=fmt)
    d = decode(path, "audio")
    assert d.audio.dtype == np.float32 and d.audio.ndim == 1
    assert d.audio.size == pytest.approx(1.5 * 16000, rel=0.1)
    assert np.abs(d.audio).max() > 0.05


@needs_espeak
def test_audio_over_the_duration_limit_is_too_large(tmp_path):
    path = audio_file(tmp_path / "a.wav", [(0.2, "hello")], 3.0)
    with pytest.raises(TooLarge):
        decode(path, "audio", limits=MediaLimits(audio_max_seconds=1.0))


def test_child_writes_no_pickle(media_dir, monkeypatch):
    # The child's results travel as JSON and .npy without object arrays.
    import seawall.content.decode as dec
    seen = {}
    real = dec._read_result

    def spy(info, out_dir, kind):
        seen["info"] = json.loads(json.dumps(info))
        seen["files"] = sorted(p.suffix for p in out_dir.iterdir())
        return real(info, out_dir, kind)

    monkeypatch.setattr(dec, "_read_result", spy)
    decode(media_dir / "clip.mp4", "video")
    assert set(seen["files"]) <= {".json", ".npy"}
