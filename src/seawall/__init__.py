"""Seawall: an open, self-hostable trust & safety platform."""

__version__ = "0.1.0"
