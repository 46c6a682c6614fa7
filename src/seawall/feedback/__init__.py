"""Feedback: human verdicts become training examples and bank entries; uncertain items are sampled for review."""

from __future__ import annotations

from seawall.feedback.banking import BankSink, MediaBanker, ReferenceBanks
from seawall.feedback.examples import LabelRecorder, export_jsonl
from seawall.feedback.sampling import sample_uncertain

__all__ = ["BankSink", "LabelRecorder", "MediaBanker", "ReferenceBanks", "default_subscribers", "export_jsonl",
           "sample_uncertain"]


def default_subscribers(sink: BankSink) -> list:
    """What review tells by default: labels for training, confirmed media for the banks."""
    return [LabelRecorder(), MediaBanker(sink)]
