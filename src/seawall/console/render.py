"""Pages, partials and errors: Jinja2 templates, htmx-aware responses, and the console's security headers."""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.routing import APIRoute
from jinja2 import Environment, FileSystemLoader, select_autoescape

from seawall import taxonomy
from seawall.console.auth import SignInRequired
from seawall.errors import SeawallError
from seawall.storage.columns import utcnow

log = logging.getLogger(__name__)
HERE = Path(__file__).resolve().parent

# No inline scripts, nothing from elsewhere: moderators may work on locked-down networks,
# and a console that shows user content must not run it.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' blob:; media-src 'self'; "
                               "style-src 'self' 'unsafe-inline'; script-src 'self'; object-src 'none'; "
                               "frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    # Pages and media show sensitive material: nothing is kept in shared or browser caches.
    "Cache-Control": "no-store",
}


def _ago(when: datetime | None, now: datetime | None = None) -> str:
    if when is None:
        return "—"
    return _span(((now or utcnow()) - when).total_seconds()) + " ago"


def _span(seconds: float) -> str:
    seconds = abs(int(seconds))
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m"
    if seconds < 86400:
        return f"{seconds // 3600}h {seconds % 3600 // 60}m"
    return f"{seconds // 86400}d {seconds % 86400 // 3600}h"


def _due(when: datetime, now: datetime | None = None) -> str:
    left = (when - (now or utcnow())).total_seconds()
    return f"due in {_span(left)}" if left >= 0 else f"overdue {_span(left)}"


ENV = Environment(loader=FileSystemLoader(str(HERE / "templates")), autoescape=select_autoescape(["html"]),
                  trim_blocks=True, lstrip_blocks=True)
ENV.filters.update(ago=_ago, due=_due, span=_span, words=lambda s: str(s).replace("_", " "))
ENV.globals.update(CATEGORIES=taxonomy.NAMES, BY_NAME=taxonomy.BY_NAME, now=utcnow, quote=quote)


def is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


def wants_json(request: Request) -> bool:
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept


def page(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
    body = ENV.get_template(name).render(request=request, **context)
    return HTMLResponse(body, status_code=status)


def partial(request: Request, macro: str, *args: Any, **kwargs: Any) -> HTMLResponse:
    """One macro of _partials.html, for an htmx swap."""
    module = ENV.get_template("_partials.html").make_module({"request": request, **kwargs.pop("context", {})})
    return HTMLResponse(str(getattr(module, macro)(*args, **kwargs)))


def redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


class ConsoleRoute(APIRoute):
    """Every console route: errors become a page (or JSON), sign-in becomes a redirect, headers are set."""

    def get_route_handler(self):
        handler = super().get_route_handler()

        async def run(request: Request) -> Response:
            try:
                response = await handler(request)
            except SignInRequired as exc:
                if is_htmx(request):
                    response = Response(status_code=401, headers={"HX-Redirect": "/console/login"})
                elif wants_json(request) or request.method != "GET":
                    response = JSONResponse({"error": exc.to_json()}, status_code=401)
                else:
                    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
                    response = redirect(f"/console/login?next={quote(target)}")
            except SeawallError as exc:
                if wants_json(request):
                    response = JSONResponse({"error": exc.to_json()}, status_code=exc.http_status)
                elif is_htmx(request):
                    response = partial(request, "flash", str(exc), "error")
                    response.status_code = exc.http_status
                    # htmx ignores 4xx bodies unless told where to put them.
                    response.headers["HX-Retarget"] = "#flash"
                    response.headers["HX-Reswap"] = "innerHTML"
                else:
                    response = page(request, "error.html", status=exc.http_status, error=exc, ctx=None)
            for k, v in SECURITY_HEADERS.items():
                response.headers.setdefault(k, v)
            return response

        return run
