"""What every young person's safety feature is built from: the alerts, the words, the time."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from bot.safety.escalation import Escalation
from content.loader import Content


class SafetyService:
    """Base of the hooks that act on a young person's event before their flow (media, the
    kind question, reaching a worker, safe answers and relays)."""

    def __init__(self, escalation: Escalation, content: Content, clock: Callable[[], datetime]):
        self.escalation = escalation
        self.content = content
        self.clock = clock
