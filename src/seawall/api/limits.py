"""Request limits enforced before any handler runs: body size and JSON nesting depth."""

from __future__ import annotations

import json
import re

# Strings are removed first so brackets inside text do not count (and so a megabyte of
# data URL is skipped at C speed instead of walked byte by byte).
_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.S)
_BRACKET = re.compile(rb"[\[\]{}]")


def json_depth(body: bytes) -> int:
    depth = deepest = 0
    for m in _BRACKET.finditer(_STRING.sub(b"", body)):
        if m.group() in (b"[", b"{"):
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


def _error(status: int, code: str, message: str) -> tuple[dict, bytes]:
    body = json.dumps({"error": {"code": code, "message": message, "type": "invalid_request_error"}}).encode()
    start = {"type": "http.response.start", "status": status,
             "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                         (b"connection", b"close")]}
    return start, body


class RequestLimits:
    """ASGI middleware: 413 for bodies over `max_bytes`, 400 for JSON nested deeper than `max_depth`.

    The body is read (up to the limit) before the app sees it, so an oversized upload is
    refused without buffering it whole and nothing downstream runs on it.
    """

    def __init__(self, app, *, max_bytes: int, max_depth: int = 32):
        self.app = app
        self.max_bytes = max_bytes
        self.max_depth = max_depth

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS", "DELETE"):
            return await self.app(scope, receive, send)
        headers = dict(scope.get("headers") or [])
        length = headers.get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > self.max_bytes):
            return await self._reject(send, 413, "too_large",
                                      f"request body over the limit of {self.max_bytes} bytes")
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return None
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                return await self._reject(send, 413, "too_large",
                                          f"request body over the limit of {self.max_bytes} bytes")
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        if b"json" in headers.get(b"content-type", b"json") and body and json_depth(body) > self.max_depth:
            return await self._reject(send, 400, "too_deep", f"JSON nested deeper than {self.max_depth} levels")

        sent = False

        async def replay():
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        return await self.app(scope, replay, send)

    @staticmethod
    async def _reject(send, status, code, message):
        start, body = _error(status, code, message)
        await send(start)
        await send({"type": "http.response.body", "body": body})
