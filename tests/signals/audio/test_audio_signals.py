"""Audio: speech goes through the text classifiers and is placed in time."""

import numpy as np
import pytest

from seawall.content.asr import SpeechSegment, Word
from seawall.content.limits import MediaLimits
from seawall.content.load import open_media
from seawall.signals.audio.analyze import audio_signals
from seawall.signals.audio.speech import language_supported, speech_signal
from tests.fixtures.media import audio_file, fake_classify_texts, have_espeak

LIMITS = MediaLimits()


class ScriptedAsr:
    name = "scripted"
    languages = ("en",)

    def __init__(self, segments):
        self.segments = segments
        self.calls = 0

    def transcribe(self, samples):
        self.calls += 1
        return self.segments

    def warm(self):
        pass


SEGMENT = SpeechSegment(2.0, 5.0, "you are an idiot", (
    Word(" you", 2.0, 2.3), Word(" are", 2.3, 2.5), Word(" an", 2.5, 2.7), Word(" idiot", 2.7, 3.4)))


def test_flagged_words_are_placed_by_their_word_times():
    sig = speech_signal(np.ones(16000, np.float32), transcriber=ScriptedAsr([SEGMENT]),
                        text_classifier=fake_classify_texts, lang="en", modality="audio",
                        source="audio.speech.v1")
    assert sig.scores["harassment"] == 0.9
    (ev,) = sig.evidence
    assert (ev.text, ev.time, ev.modality) == ("idiot", (2.7, 3.4), "audio")
    assert sig.meta["transcript"] == [{"start": 2.0, "end": 5.0, "text": "you are an idiot"}]


def test_unsupported_language_is_reported_not_silently_passed():
    asr = ScriptedAsr([SEGMENT])
    sig = speech_signal(np.ones(16000, np.float32), transcriber=asr,
                        text_classifier=fake_classify_texts, lang="de", modality="audio",
                        source="audio.speech.v1")
    assert asr.calls == 0 and sig.meta["complete"] is False
    assert "'de'" in sig.meta["skipped"] and max(sig.scores.values()) == 0.0


@pytest.mark.parametrize("lang, ok", [(None, True), ("en", True), ("en-GB", True),
                                      ("EN_us", True), ("es", False)])
def test_language_support(lang, ok):
    assert language_supported(lang, ("en",)) is ok


@pytest.mark.slow
@pytest.mark.skipif(not have_espeak(), reason="espeak-ng is not installed")
def test_harmful_speech_in_an_audio_file_is_caught_and_timed(tmp_path):
    from seawall.signals.media import default_judge
    path = audio_file(tmp_path / "a.mp3", [(0.5, "good morning"), (3.0, "I will kill you")],
                      6.0, fmt="mp3")
    with open_media(str(path), "audio", limits=LIMITS) as media:
        sigs = {s.source: s for s in audio_signals(media, analyzer=default_judge().audio,
                                                   limits=LIMITS, text_classifier=fake_classify_texts,
                                                   lang=None)}
    speech = sigs["audio.speech.v1"]
    assert speech.scores["violence"] == 0.9
    ev = next(e for e in speech.evidence if e.category == "violence")
    assert 3.0 <= ev.time[0] < ev.time[1] <= 6.0
    assert sigs["audio.hash.v1"].meta["hashes"]["sha256"]


@pytest.mark.slow
@pytest.mark.skipif(not have_espeak(), reason="espeak-ng is not installed")
def test_clean_speech_is_not_flagged(tmp_path):
    from seawall.signals.media import default_judge
    path = audio_file(tmp_path / "a.wav", [(0.3, "thank you for watching, see you next week")], 4.0)
    with open_media(str(path), "audio", limits=LIMITS) as media:
        sigs = audio_signals(media, analyzer=default_judge().audio, limits=LIMITS,
                             text_classifier=fake_classify_texts, lang="en")
    assert all(max(s.scores.values()) == 0.0 for s in sigs)
    assert "watching" in sigs[0].meta["transcript"][0]["text"].lower()
