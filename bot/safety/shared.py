"""The one safety reader of a process, for whoever needs it (the gate, the webhook's admission
queue and its health answer): the lexicon is compiled and the model loaded once."""

from __future__ import annotations

from bot.safety.detector import Detector
from bot.safety.reader import SafetyReader

_READER: SafetyReader | None = None


def shared_reader() -> SafetyReader:
    """The lexicon is compiled and the model loaded once per process."""
    global _READER
    if _READER is None:
        _READER = SafetyReader.load()
    return _READER


def shared_detector() -> Detector:
    """The lexicon alone: cheap enough to order a queue by (``bot.tg.admission``)."""
    return shared_reader().lexicon
