"""Content stage: media loaded under limits, and what is derived from it (frames, OCR, speech, hashes)."""

from seawall.content.fetch import Fetcher, public_address
from seawall.content.limits import MediaLimits
from seawall.content.load import DecodedImage, MediaFile, decode_image, open_media

__all__ = ["DecodedImage", "Fetcher", "MediaFile", "MediaLimits", "decode_image", "open_media",
           "public_address"]
