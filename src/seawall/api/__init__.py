"""HTTP API: OpenAI- and Perspective-compatible moderation plus native items, jobs and records."""

from seawall.api.app import create_app

__all__ = ["create_app"]
