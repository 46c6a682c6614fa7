"""Prometheus metrics for the HTTP API: requests by route and status, latency, decisions by action."""

from __future__ import annotations

import time

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class Metrics:
    """One registry per app, so tests and several apps in a process do not share counters."""

    content_type = CONTENT_TYPE_LATEST

    def __init__(self):
        self.registry = CollectorRegistry()
        self.requests = Counter("seawall_http_requests_total", "HTTP requests",
                                ("method", "route", "status"), registry=self.registry)
        self.latency = Histogram("seawall_http_request_duration_seconds", "HTTP request latency",
                                 ("route",), buckets=_BUCKETS, registry=self.registry)
        self.decisions = Counter("seawall_decisions_total", "Decisions made", ("action", "endpoint"),
                                 registry=self.registry)
        self.errors = Counter("seawall_errors_total", "Error responses by code", ("code",),
                              registry=self.registry)

    def render(self) -> bytes:
        return generate_latest(self.registry)


class MetricsMiddleware:
    """ASGI middleware timing each request under its route template (not the raw path)."""

    def __init__(self, app, metrics: Metrics):
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started = time.perf_counter()
        status = {"code": 500}

        async def wrapped(message):
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, wrapped)
        finally:
            route = scope.get("route")
            path = getattr(route, "path", None) or "unmatched"
            self.metrics.requests.labels(scope["method"], path, str(status["code"])).inc()
            self.metrics.latency.labels(path).observe(time.perf_counter() - started)
