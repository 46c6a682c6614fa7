"""Signals: what classifiers and hashers say about content (text, image, video, audio, hashes)."""
