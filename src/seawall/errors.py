"""Errors with a stable code, so every edge (CLI line, HTTP body) reports them the same way."""

from __future__ import annotations


class SeawallError(Exception):
    """Base error: `code` is machine-readable and stable, the message is for people."""

    code = "error"
    http_status = 400

    def __init__(self, message: str, *, code: str | None = None):
        super().__init__(message)
        if code:
            self.code = code

    def to_json(self) -> dict:
        return {"code": self.code, "message": str(self)}


class InvalidInput(SeawallError):
    code = "invalid_input"


class TooLarge(SeawallError):
    code = "too_large"
    http_status = 413


class UnsupportedMedia(SeawallError):
    code = "unsupported_media"
    http_status = 415


class FetchRefused(SeawallError):
    """A URL we will not fetch: private or loopback address, wrong scheme, too big, too slow."""

    code = "fetch_refused"


class NotFound(SeawallError):
    code = "not_found"
    http_status = 404


class Conflict(SeawallError):
    code = "conflict"
    http_status = 409


class ModelMissing(SeawallError):
    code = "model_missing"
    http_status = 503
