"""The review console: server-rendered pages with htmx, served by `seawall serve` at /console."""

from __future__ import annotations

from seawall.console.app import mount, router

__all__ = ["mount", "router"]
