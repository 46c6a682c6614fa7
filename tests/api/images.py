"""Tiny real images for API tests (PNG bytes made here, nothing downloaded)."""

import base64
import io


def png_bytes(size=(32, 32), color=(200, 30, 30)) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", size, color).save(buf, format="PNG")
    return buf.getvalue()


def png_data_url() -> str:
    return "data:image/png;base64," + base64.b64encode(png_bytes()).decode()
