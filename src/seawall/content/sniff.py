"""Which format a file is, told by its first bytes (never its name), and which formats we accept."""

from __future__ import annotations

from seawall.errors import InvalidInput, UnsupportedMedia

# The formats each field accepts. Anything else is refused before a decoder sees it, which
# keeps the attack surface to a few well-fuzzed demuxers and codecs.
ACCEPTED: dict[str, frozenset[str]] = {
    "image": frozenset({"jpeg", "png", "gif", "webp"}),
    "video": frozenset({"mp4", "mov", "webm", "matroska"}),
    # Voice notes often come in a video container; only their sound is used.
    "audio": frozenset({"wav", "mp3", "ogg", "flac", "m4a", "mp4", "webm", "matroska"}),
}

# ISO-BMFF major brands that hold audio only.
_AUDIO_BRANDS = (b"M4A ", b"M4B ", b"M4P ", b"F4A ")
_QT_BRANDS = (b"qt  ",)


def sniff(head: bytes) -> str | None:
    """Name the container format from a file's first bytes (64 are enough), or None."""
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "wav"
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in _AUDIO_BRANDS:
            return "m4a"
        return "mov" if brand in _QT_BRANDS else "mp4"
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        # The EBML DocType says which; both are demuxed by the same Matroska code.
        return "webm" if b"webm" in head[:64] else "matroska"
    if head.startswith(b"OggS"):
        return "ogg"
    if head.startswith(b"fLaC"):
        return "flac"
    if head.startswith(b"ID3") or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0
                                   and head[1] & 0x06 != 0):
        return "mp3"
    return None


def check_format(head: bytes, kind: str) -> str:
    """The format of a file given for field `kind`; refused unless on that field's list."""
    if not head:
        raise InvalidInput(f"{kind} is empty")
    fmt = sniff(head)
    if fmt is None:
        raise UnsupportedMedia(
            f"{kind} is not a recognised media file (accepted: {', '.join(sorted(ACCEPTED[kind]))})")
    if fmt not in ACCEPTED[kind]:
        raise UnsupportedMedia(
            f"{kind} is {fmt}, which is not accepted for {kind} "
            f"(accepted: {', '.join(sorted(ACCEPTED[kind]))})")
    return fmt
