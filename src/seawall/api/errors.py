"""Error bodies: one `{"error": {...}}` shape, in the dialect the caller's API speaks.

OpenAI-compatible paths get `{message, type, param, code}`, the Perspective path gets
Google's `{code: <http status>, message, status}`, native paths get `{code, message}`;
all carry `message`, and validation errors list the offending fields.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from seawall.api.auth import RateLimited
from seawall.errors import SeawallError

log = logging.getLogger(__name__)

_GOOGLE_STATUS = {400: "INVALID_ARGUMENT", 401: "UNAUTHENTICATED", 403: "PERMISSION_DENIED",
                  404: "NOT_FOUND", 409: "ALREADY_EXISTS", 413: "INVALID_ARGUMENT", 415: "INVALID_ARGUMENT",
                  422: "INVALID_ARGUMENT", 429: "RESOURCE_EXHAUSTED", 500: "INTERNAL", 503: "UNAVAILABLE"}
_OPENAI_TYPE = {401: "authentication_error", 403: "permission_error", 404: "not_found_error",
                429: "rate_limit_error", 500: "server_error", 503: "server_error"}


def error_body(path: str, status: int, code: str, message: str,
               details: list[Any] | None = None, param: str | None = None) -> dict[str, Any]:
    if path.startswith("/v1alpha1/"):
        err: dict[str, Any] = {"code": status, "message": message,
                               "status": _GOOGLE_STATUS.get(status, "UNKNOWN")}
        if details:
            err["details"] = details
        return {"error": err}
    err = {"code": code, "message": message,
           "type": _OPENAI_TYPE.get(status, "invalid_request_error")}
    if path.startswith("/v1/moderations"):
        err["param"] = param
    if details:
        err["details"] = details
    return {"error": err}


def respond(request: Request, status: int, code: str, message: str, details=None, param=None,
            headers: dict[str, str] | None = None) -> JSONResponse:
    st = getattr(request.app.state, "seawall", None)
    if st is not None:
        st.metrics.errors.labels(code).inc()
    return JSONResponse(error_body(request.url.path, status, code, message, details, param),
                        status_code=status, headers=headers)


def install(app: FastAPI) -> None:
    @app.exception_handler(SeawallError)
    async def seawall_error(request: Request, exc: SeawallError):
        headers = {"Retry-After": str(max(1, int(exc.retry_after + 0.999)))} \
            if isinstance(exc, RateLimited) else None
        body = exc.to_json()
        details = [body] if "line" in body else None  # policy errors carry file/line/column
        message = getattr(exc, "message", None) or str(exc)
        return respond(request, exc.http_status, exc.code, message, details, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError):
        details = []
        for e in exc.errors()[:20]:
            loc = [str(p) for p in e.get("loc", ()) if p != "body"]
            details.append({"field": ".".join(loc) or "body", "problem": e.get("msg", "invalid"),
                            "type": e.get("type")})
        first = details[0] if details else {"field": "body", "problem": "invalid"}
        code = "invalid_json" if any(d["type"] == "json_invalid" for d in details) else "invalid_input"
        return respond(request, 400, code, f"{first['field']}: {first['problem']}", details,
                       param=first["field"])

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        return respond(request, exc.status_code, code, str(exc.detail))

    @app.exception_handler(Exception)
    async def crashed(request: Request, exc: Exception):
        log.exception("unhandled error on %s", request.url.path)
        return respond(request, 500, "internal", "internal error; nothing was stored for this request")
