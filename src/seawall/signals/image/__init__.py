"""Image signals: nudity boxes, an NSFW score, words read by OCR, PDQ."""

from seawall.signals.image.analyze import ImageAnalyzer, image_signals
from seawall.signals.image.nudity import NudeNetDetector, OpenNsfwClassifier

__all__ = ["ImageAnalyzer", "NudeNetDetector", "OpenNsfwClassifier", "image_signals"]
