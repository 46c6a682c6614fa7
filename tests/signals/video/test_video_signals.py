"""Video: harmful words in an overlay caption or the speech track are caught and placed in
time (and, for captions, on screen); a clean clip is not flagged; vPDQ goes to the banks."""

import pytest

from seawall.content.hashes import parse_vpdq
from seawall.content.limits import MediaLimits
from seawall.content.load import open_media
from seawall.content.ocr import TextLine
from seawall.signals.image.analyze import Findings
from seawall.signals.video.analyze import _captions, _Frame, _with_segments, video_signals
from seawall.content.decode import SampledFrame
from seawall.types import Evidence, Signal
from tests.fixtures.media import fake_classify_texts, have_espeak, video_file

LIMITS = MediaLimits()


def frame(t, end, *texts):
    lines = tuple(TextLine(x, (10, 300, 200, 30), 0.9) for x in texts)
    return _Frame(SampledFrame(t, end, None, "change", 0.1), Findings(lines=lines))


def test_a_caption_on_screen_across_samples_is_one_caption_with_its_time():
    found = _captions([frame(0, 1), frame(1, 2, "KILL"), frame(2, 3, "KILL"), frame(3, 4, "bye")])
    assert [(f.text, f.time) for f in found] == [("KILL", (1, 3)), ("bye", (3, 4))]


def test_segments_merge_overlapping_evidence_times():
    ev = [Evidence("violence", 0.9, "video", "s", time=(1.0, 2.0)),
          Evidence("violence", 0.8, "video", "s", time=(1.5, 3.0)),
          Evidence("violence", 0.7, "video", "s", time=(5.0, 6.0)),
          Evidence("violence", 0.2, "video", "s", time=(8.0, 9.0))]
    sig = _with_segments(Signal("s", "video", {}, tuple(ev)), min_score=0.5)
    assert sig.meta["segments"] == {"violence": [[1.0, 3.0], [5.0, 6.0]]}


def judge(path, lang=None):
    from seawall.signals.media import default_judge
    with open_media(str(path), "video", limits=LIMITS) as media:
        return {s.source: s for s in video_signals(media, analyzer=default_judge().video,
                                                   limits=LIMITS, text_classifier=fake_classify_texts,
                                                   lang=lang)}


@pytest.fixture(scope="module")
def harmful(tmp_path_factory):
    if not have_espeak():
        pytest.skip("espeak-ng is not installed")
    path = tmp_path_factory.mktemp("v") / "harmful.mp4"
    video_file(path, duration=8.0, size=(640, 360), fps=15, scenes=2,
               captions=[(1.0, 3.5, "YOU STUPID IDIOT"), (5.0, 7.0, "HAVE A NICE DAY")],
               speech_parts=[(0.3, "good morning everyone"), (4.5, "I will kill you")])
    return judge(path)


@pytest.mark.slow
def test_harmful_caption_is_caught_with_its_time_and_box(harmful):
    ocr = harmful["video.ocr.v1"]
    assert ocr.modality == "video" and ocr.scores["harassment"] == 0.9
    ev = next(e for e in ocr.evidence if e.text == "IDIOT")
    start, end = ev.time
    assert 0.9 <= start <= 1.6 and 3.0 <= end <= 4.2
    x, y, w, h = ev.box
    assert y > 250                                 # a bottom caption on a 360-line picture
    assert ocr.meta["segments"]["harassment"][0][0] == start


@pytest.mark.slow
def test_harmful_speech_is_caught_with_its_time(harmful):
    speech = harmful["video.speech.v1"]
    assert speech.scores["violence"] == 0.9
    ev = next(e for e in speech.evidence if e.category == "violence")
    assert ev.text.lower() == "kill" and 4.5 <= ev.time[0] <= ev.time[1] <= 7.0
    assert speech.meta["languages"] == ["en"]


@pytest.mark.slow
def test_video_hashes_carry_a_threatexchange_vpdq(harmful):
    meta = harmful["video.hash.v1"].meta
    (serialized,) = meta["hashes"]["vpdq"]
    features = parse_vpdq(serialized)
    assert [round(f.timestamp) for f in features] == list(range(8))
    assert meta["hashes"]["md5"] and meta["hashes"]["sha256"] and meta["hashes"]["pdq"]
    assert {"decode", "ocr", "asr", "nudity", "nsfw"} <= set(meta["timings"])


@pytest.mark.slow
def test_clean_video_is_not_flagged(tmp_path):
    path = video_file(tmp_path / "clean.mp4", duration=4.0, size=(480, 270), fps=10,
                      captions=[(1.0, 3.0, "WHAT A LOVELY DAY")],
                      speech_parts=[(0.5, "the weather is nice today")] if have_espeak() else None)
    sigs = judge(path)
    for sig in sigs.values():
        assert max(sig.scores.values()) < 0.25, (sig.source, sig.scores)
    captions = {c["text"] for c in sigs["video.ocr.v1"].meta["captions"]}
    assert captions == {"WHAT A LOVELY DAY"}


@pytest.mark.slow
def test_speech_in_an_unsupported_language_is_marked_not_judged(tmp_path):
    path = video_file(tmp_path / "fr.mp4", duration=1.0, size=(160, 90), fps=5,
                      speech_parts=[(0.1, "bonjour")] if have_espeak() else None)
    speech = judge(path, lang="fr")["video.speech.v1"]
    if have_espeak():
        assert speech.meta["complete"] is False and "not supported" in speech.meta["skipped"]


def test_frame_pdq_and_vpdq_agree_with_the_bank_hashers():
    import numpy as np

    from seawall.content.hashes import VpdqFeature, pdq, vpdq_signal_string
    from seawall.signals.hashers import PdqHasher, VpdqHasher
    from tests.fixtures.media import background
    rgb = np.asarray(background(320, 240, seed=9))
    mine = pdq(rgb)
    theirs = PdqHasher().hash_image(rgb)
    assert mine == (theirs.hex, theirs.quality)
    serialized = vpdq_signal_string([VpdqFeature(mine[0], mine[1], 0.0), VpdqFeature(mine[0], mine[1], 1.0)])
    frames = VpdqHasher().parse_frames(serialized)
    assert [(f.pdq_hex, f.timestamp) for f in frames] == [(mine[0], 0.0), (mine[0], 1.0)]
