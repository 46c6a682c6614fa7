"""The media packages export exactly their public surface."""

import seawall.content
import seawall.signals.audio
import seawall.signals.image
import seawall.signals.video


def test_public_names_are_exactly_these():
    assert sorted(seawall.content.__all__) == ["DecodedImage", "Fetcher", "MediaFile", "MediaLimits",
                                               "decode_image", "open_media", "public_address"]
    assert sorted(seawall.signals.image.__all__) == ["ImageAnalyzer", "NudeNetDetector",
                                                     "OpenNsfwClassifier", "image_signals"]
    assert seawall.signals.video.__all__ == ["VideoAnalyzer", "video_signals"]
    assert seawall.signals.audio.__all__ == ["AudioAnalyzer", "audio_signals"]
    for mod in (seawall.content, seawall.signals.image, seawall.signals.video, seawall.signals.audio):
        assert all(hasattr(mod, name) for name in mod.__all__)


def test_content_imports_no_signal_code():
    # The content stage feeds signals; it must not reach forward into them.
    import subprocess
    import sys
    code = ("import sys, seawall.content, seawall.content.decode, seawall.content.ocr, "
            "seawall.content.asr; print([m for m in sys.modules if m.startswith('seawall.signals')])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
