"""Speech becomes text with word times, so a phrase can be found on the timeline."""

import numpy as np
import pytest

from seawall.content.asr import SpeechSegment, WhisperTranscriber, Word
from tests.fixtures.media import have_espeak, speech_track


def test_time_of_a_span_comes_from_its_words():
    seg = SpeechSegment(1.0, 4.0, "Good morning. I will kill you.", (
        Word(" Good", 1.0, 1.3), Word(" morning.", 1.3, 1.9), Word(" I", 2.2, 2.3),
        Word(" will", 2.3, 2.6), Word(" kill", 2.6, 2.9), Word(" you.", 2.9, 3.2)))
    a = seg.text.index("kill")
    assert seg.time_of(a, a + 4) == (2.6, 2.9)
    assert seg.time_of(0, len(seg.text)) == (1.0, 3.2)


def test_time_of_without_word_times_is_the_segment():
    assert SpeechSegment(1.0, 4.0, "hello").time_of(0, 5) == (1.0, 4.0)


def test_silence_is_not_transcribed():
    assert WhisperTranscriber().transcribe(np.zeros(800, np.float32)) == []


@pytest.mark.slow
@pytest.mark.skipif(not have_espeak(), reason="espeak-ng is not installed")
def test_whisper_transcribes_espeak_speech_with_word_times():
    track = speech_track([(0.5, "good morning everyone"), (4.0, "see you tomorrow")], 6.0)
    x = track.astype(np.float32) / 32768
    x16 = np.interp(np.arange(0, len(x), 22050 / 16000), np.arange(len(x)), x).astype(np.float32)
    segments = WhisperTranscriber().transcribe(x16)
    text = " ".join(s.text for s in segments).lower()
    assert "morning" in text and "tomorrow" in text
    words = [w for s in segments for w in s.words]
    tomorrow = next(w for w in words if "tomorrow" in w.text.lower())
    assert 4.0 <= tomorrow.start <= 6.0
