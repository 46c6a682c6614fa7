"""Images: words drawn into a picture are read, judged by the text classifiers, and boxed;
clean pictures are not flagged; every image carries its hashes for the banks."""

import hashlib

import pytest

from seawall.content.limits import MediaLimits
from seawall.content.load import open_media
from seawall.content.ocr import TextLine
from seawall.signals.image.analyze import ImageAnalyzer, found_in_lines, image_signals
from seawall.signals.image.words import FoundText, classify_found
from tests.fixtures.media import clean_image, fake_classify_texts, text_image

LIMITS = MediaLimits()


class ScriptedOcr:
    name = "scripted"
    languages = ("en",)

    def __init__(self, lines):
        self.lines = lines

    def read(self, rgb):
        return list(self.lines)

    def warm(self):
        pass


def light(ocr_lines):
    return ImageAnalyzer(detector=None, nsfw=None, ocr=ScriptedOcr(ocr_lines))


def judge(path, analyzer):
    with open_media(str(path), "image", limits=LIMITS) as media:
        return {s.source: s for s in image_signals(media, analyzer=analyzer, limits=LIMITS,
                                                   text_classifier=fake_classify_texts, lang=None)}


def test_ocr_words_are_scored_and_boxed(tmp_path):
    path = tmp_path / "m.png"
    path.write_bytes(text_image("x", size=(400, 300)))
    sigs = judge(path, light([TextLine("I WILL KILL YOU", (10, 10, 200, 30), 0.95)]))
    ocr = sigs["image.ocr.v1"]
    assert ocr.modality == "image" and ocr.scores["violence"] == 0.9
    ev = ocr.evidence[0]
    assert (ev.category, ev.text, ev.box, ev.detail["found_text"]) == \
        ("violence", "KILL", (10.0, 10.0, 200.0, 30.0), "I WILL KILL YOU")


def test_boxes_are_in_file_pixels_when_analysed_smaller(tmp_path):
    path = tmp_path / "big.jpg"
    path.write_bytes(clean_image(size=(2560, 1440)))
    analyzer = ImageAnalyzer(detector=None, nsfw=None, ocr=ScriptedOcr(
        [TextLine("scam", (100, 100, 50, 20), 0.9)]), max_side=1280)
    ev = judge(path, analyzer)["image.ocr.v1"].evidence[0]
    assert ev.box == (200.0, 200.0, 100.0, 40.0)


def test_lines_are_also_read_together():
    found = found_in_lines((TextLine("TOP", (0, 0, 10, 10), 1.0), TextLine("BOTTOM", (0, 90, 20, 10), 1.0)))
    assert [f.text for f in found] == ["TOP", "BOTTOM", "TOP BOTTOM"]
    assert found[-1].box == (0, 0, 20, 100)


def test_every_category_is_present_and_clean_words_score_zero():
    words = classify_found([FoundText("have a nice day")], text_classifier=fake_classify_texts,
                           lang=None, modality="image", source="image.ocr.v1")
    from seawall.taxonomy import NAMES
    assert set(words.scores) == set(NAMES) and max(words.scores.values()) == 0.0
    assert words.evidence == ()


def test_image_hashes_are_ready_for_the_banks(tmp_path):
    data = text_image(["WORDS MAKE EDGES", "AND EDGES MAKE PDQ"])
    path = tmp_path / "c.png"
    path.write_bytes(data)
    hashes = judge(path, light([]))["image.hash.v1"].meta["hashes"]
    assert hashes["md5"] == [hashlib.md5(data).hexdigest()]
    assert hashes["sha256"] == [hashlib.sha256(data).hexdigest()]
    assert len(hashes["pdq"]) == 1 and len(hashes["pdq"][0]) == 64


def test_image_hash_carries_the_mirror_and_middle_hashes_robust_banks_match(tmp_path):
    from seawall.signals.hashers.pdq import PdqHasher

    path = tmp_path / "c.png"
    path.write_bytes(text_image(["WORDS MAKE EDGES", "AND EDGES MAKE PDQ"]))
    meta = judge(path, light([]))["image.hash.v1"].meta
    [h] = meta["hashes"]["pdq"]
    assert meta["hash_edits"]["pdq"] == {h: PdqHasher().query_hashes(str(path))}
    assert "mirror" in meta["hash_edits"]["pdq"][h]


def test_a_banked_picture_is_found_by_the_flow_after_a_horizontal_flip(tmp_path, monkeypatch):
    # The bank holds only the picture's hash (as a partner's list would): its mirror is
    # found only through the query's own edits, which the image stage must hand over.
    skdata = pytest.importorskip("skimage.data")
    from PIL import Image

    from seawall import flow
    from seawall.banks.service import get_service
    from seawall.signals import media
    from seawall.signals.hashers.pdq import PdqHasher
    from seawall.types import Content

    # Hashes are all this test is about: no nudity, NSFW or OCR models (and no text to classify).
    judge_ = media.MediaJudge(image=ImageAnalyzer(detector=None, nsfw=None, ocr=None))
    monkeypatch.setattr(media, "default_judge", lambda: judge_)
    rgb = skdata.coffee()
    service = get_service()
    service.create_bank("known-pictures", "pdq", category="violence/graphic")
    service.add_entries("known-pictures", [PdqHasher().hash_image(rgb).hex], source="test")
    flipped = tmp_path / "flipped.png"
    Image.fromarray(rgb[:, ::-1].copy()).save(flipped)

    [signals] = flow.signals_for_many([Content(id="flipped", image=str(flipped))])
    [bank] = [s for s in signals if s.source.startswith("bank")]
    assert bank.source == "bank:known-pictures"
    assert bank.meta["matches"][0]["detail"]["query_edit"] == "mirror"


def test_a_featureless_picture_gets_no_pdq(tmp_path):
    path = tmp_path / "smooth.jpg"
    path.write_bytes(clean_image())      # soft gradients only: PDQ quality is low
    sig = judge(path, light([]))["image.hash.v1"]
    assert sig.meta["pdq_quality"] < 50 and sig.meta["hashes"]["pdq"] == []


def test_pdq_is_stable_under_re_encoding(tmp_path):
    from seawall.content.hashes import pdq
    from seawall.content.load import decode_image
    png = decode_image(text_image("SAME PICTURE", fmt="PNG"), limits=LIMITS).rgb
    jpg = decode_image(text_image("SAME PICTURE", fmt="JPEG"), limits=LIMITS).rgb
    a, b = int(pdq(png)[0], 16), int(pdq(jpg)[0], 16)
    assert bin(a ^ b).count("1") <= 31


@pytest.mark.slow
def test_harmful_words_in_a_meme_are_caught_and_placed(tmp_path):
    from seawall.signals.media import default_judge
    path = tmp_path / "meme.png"
    path.write_bytes(text_image(["YOU STUPID IDIOT", "HAVE A NICE DAY"], size=(640, 480)))
    sigs = judge(path, default_judge().image)
    ocr = sigs["image.ocr.v1"]
    assert ocr.scores["harassment"] == 0.9
    idiot = next(e for e in ocr.evidence if e.text == "IDIOT")
    x, y, w, h = idiot.box
    assert y < 120 and w > 100                   # the top line, where it was drawn
    assert sigs["image.nudity.v1"].scores["nudity"] < 0.25
    assert sigs["image.nsfw.v1"].scores["nudity"] < 0.2


@pytest.mark.slow
def test_clean_picture_is_not_flagged(tmp_path):
    from seawall.signals.media import default_judge
    path = tmp_path / "clean.jpg"
    path.write_bytes(clean_image())
    sigs = judge(path, default_judge().image)
    for sig in sigs.values():
        assert max(sig.scores.values()) < 0.25, sig.source
    assert sigs["image.ocr.v1"].meta["lines"] == []


@pytest.mark.slow
def test_real_text_classifier_on_meme_words(tmp_path):
    text = pytest.importorskip("seawall.signals.text")
    classify = getattr(text, "classify_texts", None)
    if classify is None:
        pytest.skip("seawall.signals.text.classify_texts is not there yet")
    from seawall.errors import ModelMissing
    try:
        classify(["probe"], langs=["en"])
    except ModelMissing as exc:
        pytest.skip(f"the text model is not built here: {exc}")
    from seawall.signals.media import default_judge
    path = tmp_path / "meme.png"
    path.write_bytes(text_image(["I WILL KILL YOU", "AND YOUR WHOLE FAMILY"], size=(640, 480)))
    with open_media(str(path), "image", limits=LIMITS) as media:
        sigs = image_signals(media, analyzer=default_judge().image, limits=LIMITS,
                             text_classifier=classify, lang="en")
    ocr = next(s for s in sigs if s.source == "image.ocr.v1")
    threat = max(ocr.scores[c] for c in ("violence", "harassment/threatening", "harassment"))
    assert threat >= 0.5, ocr.scores
    assert any(e.box for e in ocr.evidence)


def test_lines_read_together_add_evidence_only_where_no_line_explains_it():
    found = [FoundText("I WILL", box=(0, 0, 10, 10)), FoundText("KILL YOU", box=(0, 90, 10, 10)),
             FoundText("I WILL KILL YOU", box=(0, 0, 10, 100), joined=True)]
    words = classify_found(found, text_classifier=fake_classify_texts, lang=None,
                           modality="image", source="image.ocr.v1")
    assert [(e.text, e.box) for e in words.evidence] == [("KILL", (0, 90, 10, 10))]
