"""Video signals: sampled frames through the image models, captions, speech, vPDQ."""

from seawall.signals.video.analyze import VideoAnalyzer, video_signals

__all__ = ["VideoAnalyzer", "video_signals"]
