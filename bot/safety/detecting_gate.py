"""The safety gate with the detector behind it: every young person's text, before any flow.

A hit of medium or above opens (or updates) an alert in the caller's transaction, then the young
person gets a calm reply by severity, in the same update. Recent messages are kept in memory
only, for a short while, so "I'm scared of him" then "he's here" counts together without storing
free text that raised nothing.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Person
from bot.safety.detector import Detector, Severity
from bot.safety.escalation import Escalation
from bot.safety.gate import SafetyOutcome
from content.loader import Content
from flows.base import Button, Reply

RECENT_COUNT = 4
RECENT_SECONDS = 30 * 60


class RecentMessages:
    """A few recent messages per person, in memory, forgotten after half an hour."""

    def __init__(self, monotonic: Callable[[], float] = time.monotonic):
        self.monotonic = monotonic
        self._by_person: dict[int, deque[tuple[float, str]]] = {}

    def get(self, person_id: int) -> list[str]:
        cutoff = self.monotonic() - RECENT_SECONDS
        kept = self._by_person.get(person_id)
        if not kept:
            return []
        while kept and kept[0][0] < cutoff:
            kept.popleft()
        return [text for _, text in kept]

    def add(self, person_id: int, text: str) -> None:
        self._by_person.setdefault(person_id, deque(maxlen=RECENT_COUNT)).append(
            (self.monotonic(), text))
        if len(self._by_person) > 50_000:  # bounded memory whatever happens
            self._by_person.pop(next(iter(self._by_person)))


def safe_question(content: Content, alert_id: int) -> Reply:
    text = content.text
    return Reply(text("safety.are_you_safe"), ((
        Button(text("safety.safe_yes"), f"safe:yes:{alert_id}"),
        Button(text("safety.safe_no"), f"safe:no:{alert_id}"),
        Button(text("safety.safe_unsure"), f"safe:unsure:{alert_id}"),
    ),))


class DetectingGate:
    def __init__(self, detector: Detector, escalation: Escalation, content: Content,
                 clock: Callable[[], datetime], recent: RecentMessages | None = None):
        self.detector = detector
        self.escalation = escalation
        self.content = content
        self.clock = clock
        self.recent = recent or RecentMessages()
        self.scanned = 0

    async def check(self, session: AsyncSession, person: Person, text: str, *,
                    remember: bool = True) -> SafetyOutcome:
        self.scanned += 1
        before = self.recent.get(person.id)
        detection = self.detector.scan(text, before)
        if remember:  # not a nickname or other set-up answer: worth reading beside the next one
            self.recent.add(person.id, text)
        if detection.severity < Severity.MEDIUM:
            return SafetyOutcome()
        alert = await self.escalation.raise_alert(
            session, person, severity=detection.severity, categories=detection.categories,
            source="message", now=self.clock(), excerpt=[*before[-3:], text])
        if not remember:
            self.recent.add(person.id, text)  # it raised an alert: it is part of the story now
        assert alert is not None
        replies = [Reply(self.content.text(f"safety.{detection.severity.label}"))]
        if detection.severity >= Severity.HIGH:
            replies.append(safe_question(self.content, alert.id))
        return SafetyOutcome(replies=replies, hold_flow=True)
