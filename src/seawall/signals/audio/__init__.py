"""Audio signals: speech through the text classifiers, placed in time."""

from seawall.signals.audio.analyze import AudioAnalyzer, audio_signals

__all__ = ["AudioAnalyzer", "audio_signals"]
