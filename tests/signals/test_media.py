"""A post's caption and media are judged together; each category's score is explained by
the modality and place that produced it; hostile media fail as that item's error."""

import pytest

from seawall.content.limits import MediaLimits
from seawall.content.ocr import TextLine
from seawall.errors import FetchRefused, InvalidInput, SeawallError, TooLarge, UnsupportedMedia
from seawall.signals.audio.analyze import AudioAnalyzer
from seawall.signals.image.analyze import ImageAnalyzer
from seawall.signals.media import MediaJudge, default_judge, explain_scores, media_signals
from seawall.signals.video.analyze import VideoAnalyzer
from seawall.taxonomy import NAMES
from seawall.types import Content
from tests.fixtures.media import (clean_image, fake_classify_texts, png_header_bomb,
                                  random_bytes, text_image, truncated, video_file)


class ScriptedOcr:
    name, languages = "scripted", ("en",)

    def __init__(self, lines):
        self.lines = lines

    def read(self, rgb):
        return list(self.lines)

    def warm(self):
        pass


class NoSpeech:
    name, languages = "none", ("en",)

    def transcribe(self, samples):
        return []

    def warm(self):
        pass


def light_judge(lines=(), **kw):
    image = ImageAnalyzer(detector=None, nsfw=None, ocr=ScriptedOcr(lines))
    return MediaJudge(image=image, video=VideoAnalyzer(image=image, transcriber=None),
                      audio=AudioAnalyzer(transcriber=NoSpeech()), **kw)


def post_signals(content, judge):
    signals = list(fake_classify_texts([content.text])) if content.text else []
    return signals + media_signals(content, text_classifier=fake_classify_texts, judge=judge)


def test_each_post_score_is_explained_by_modality_and_place(tmp_path):
    img = tmp_path / "m.png"
    img.write_bytes(text_image("x"))
    judge = light_judge([TextLine("BUY PILLS HERE", (5, 6, 70, 20), 0.9)])
    post = Content(id="p1", text="what an idiot", image=str(img))
    why = explain_scores(post_signals(post, judge))
    assert set(why) == set(NAMES)
    assert why["harassment"]["modality"] == "text"
    assert why["harassment"]["place"] == {"span": [8, 13], "text": "idiot"}
    assert why["illicit"]["modality"] == "image" and why["illicit"]["source"] == "image.ocr.v1"
    assert why["illicit"]["place"] == {"text": "PILLS", "box": [5.0, 6.0, 70.0, 20.0]}
    assert why["violence"] == {"score": 0.0}


def test_a_post_with_image_video_and_audio_yields_each_modality(tmp_path):
    img, vid = tmp_path / "i.jpg", tmp_path / "v.mp4"
    img.write_bytes(clean_image())
    video_file(vid, duration=1.0, size=(160, 90), fps=5)
    sigs = media_signals(Content(id="p", image=str(img), video=str(vid)),
                         text_classifier=fake_classify_texts, judge=light_judge())
    assert {s.modality for s in sigs} == {"image", "video"}
    assert all(set(s.scores) == set(NAMES) for s in sigs)


def hostile(tmp_path, name, data):
    p = tmp_path / name
    p.write_bytes(data)
    return str(p)


@pytest.mark.parametrize("field, name, make, error", [
    ("image", "r.png", lambda: random_bytes(), UnsupportedMedia),
    ("image", "bomb.png", png_header_bomb, TooLarge),
    ("image", "cut.png", lambda: truncated(text_image("hello")), InvalidInput),
    ("video", "r.mp4", lambda: random_bytes(), UnsupportedMedia),
    ("video", "still.mp4", lambda: clean_image(), UnsupportedMedia),
    ("video", "fake.mp4", lambda: b"\x00\x00\x00\x18ftypmp42" + random_bytes(5000), InvalidInput),
    ("audio", "r.wav", lambda: random_bytes(), UnsupportedMedia),
    ("audio", "fake.wav", lambda: b"RIFF\x10\x00\x00\x00WAVEfmt " + random_bytes(3000), InvalidInput),
])
def test_hostile_media_fail_as_this_items_error(tmp_path, field, name, make, error):
    content = Content(id="h", **{field: hostile(tmp_path, name, make())})
    with pytest.raises(error) as info:
        media_signals(content, text_classifier=fake_classify_texts, judge=light_judge())
    assert info.value.to_json()["message"]
    # The process goes on: the next item is judged normally.
    ok = tmp_path / "ok.jpg"
    ok.write_bytes(clean_image())
    assert media_signals(Content(id="next", image=str(ok)), text_classifier=fake_classify_texts,
                         judge=light_judge())


@pytest.mark.parametrize("url", ["http://127.0.0.1/a.png", "http://[::1]/v.mp4",
                                 "http://169.254.169.254/latest", "https://10.0.0.8/a.mp3"])
def test_media_urls_to_private_addresses_are_refused(url):
    field = {"png": "image", "mp4": "video", "mp3": "audio"}.get(url.rsplit(".", 1)[-1], "image")
    with pytest.raises(FetchRefused):
        media_signals(Content(id="u", **{field: url}), text_classifier=fake_classify_texts,
                      judge=light_judge())


def test_item_limits_come_from_the_judge(tmp_path):
    img = hostile(tmp_path, "c.jpg", clean_image())
    judge = light_judge(limits=MediaLimits(image_max_bytes=100))
    with pytest.raises(TooLarge):
        media_signals(Content(id="x", image=img), text_classifier=fake_classify_texts, judge=judge)


def test_errors_have_stable_codes_for_the_scan_command():
    codes = {cls("m").to_json()["code"] for cls in (InvalidInput, TooLarge, UnsupportedMedia, FetchRefused)}
    assert codes == {"invalid_input", "too_large", "unsupported_media", "fetch_refused"}
    assert all(issubclass(c, SeawallError) for c in (InvalidInput, TooLarge))


def test_one_default_judge_per_process():
    assert default_judge() is default_judge()
    judge = default_judge()
    assert judge.video.image is judge.image and judge.video.transcriber is judge.audio.transcriber
