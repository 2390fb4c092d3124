"""The safety gate with both channels behind it: every young person's text, before any flow.

A rating of medium or above opens (or updates) an alert in the caller's transaction, then the
young person gets a calm reply by severity, in the same update. When the model is unsure, the
bot asks the young person kindly (*tell a worker* / *I'm OK*) instead of waking the duty
worker; a question left unanswered for ``QUESTION_MINUTES`` becomes a flag to their worker.
Recent messages are kept encrypted in the database for half an hour (``bot.safety.recent``),
so "I'm scared of him" then "he's here" counts together on any process, across restarts.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Person
from bot.safety import recent
from bot.safety.detector import Severity
from bot.safety.escalation import Escalation
from bot.safety.gate import SafetyOutcome
from bot.safety.reader import SafetyReader
from bot.safety.replies import safety_reply_text
from bot.time.clock import schedule
from content.loader import Content
from flows.base import Button, Reply

QUESTION_UNANSWERED = "safety_question_unanswered"
QUESTION_MINUTES = 5
EXCERPT_BEFORE = 3  # earlier messages kept on an alert beside the one that raised it


def safe_question(content: Content, alert_id: int) -> Reply:
    text = content.text
    return Reply(text("safety.are_you_safe"), ((
        Button(text("safety.safe_yes"), f"safe:yes:{alert_id}"),
        Button(text("safety.safe_no"), f"safe:no:{alert_id}"),
        Button(text("safety.safe_unsure"), f"safe:unsure:{alert_id}"),
    ),))


def kind_question(content: Content, message_id: int) -> Reply:
    """Asked when the model is unsure: the young person chooses, nobody is woken."""
    text = content.text
    return Reply(text("safety.unsure_question"), ((
        Button(text("safety.unsure_tell"), f"ask:tell:{message_id}"),
        Button(text("safety.unsure_ok"), f"ask:ok:{message_id}"),
    ),))


class DetectingGate:
    def __init__(self, reader: SafetyReader, escalation: Escalation, content: Content,
                 clock: Callable[[], datetime]):
        self.reader = reader
        self.escalation = escalation
        self.content = content
        self.clock = clock
        self.scanned = 0

    @property
    def detector(self):  # the lexicon, for callers that only need code words
        return self.reader.lexicon

    async def check(self, session: AsyncSession, person: Person, text: str, *,
                    remember: bool = True) -> SafetyOutcome:
        self.scanned += 1
        now = self.clock()
        before = await recent.earlier(session, person.id, now)
        verdict = self.reader.read(text, before)
        kept_id = None
        if remember or verdict.severity >= Severity.MEDIUM or verdict.ask:
            # an answer to a private step (a nickname, a plan section, where and who) is not
            # kept as context nor quoted later, unless it is itself worrying
            kept_id = await recent.remember(session, person.id, text, verdict.severity, now)
        if verdict.severity < Severity.MEDIUM:
            if verdict.ask and kept_id is not None:
                await schedule(session, QUESTION_UNANSWERED,
                               now + timedelta(minutes=QUESTION_MINUTES), person_id=person.id,
                               payload={"message_id": kept_id,
                                        "categories": list(verdict.categories)},
                               dedupe_key=f"ask:{kept_id}")
                return SafetyOutcome(replies=[kind_question(self.content, kept_id)])
            return SafetyOutcome()
        # each message as a worker is shown it: a long one by the part around its danger
        excerpt = [self.reader.quote(e.text) for e in before[-EXCERPT_BEFORE:]] + [verdict.quote]
        alert = await self.escalation.raise_alert(
            session, person, severity=verdict.severity, categories=verdict.categories,
            source="message", now=now, excerpt=excerpt, channels=verdict.channels)
        assert alert is not None
        replies = [Reply(safety_reply_text(self.content, verdict.severity.label,
                                           verdict.categories))]
        if verdict.severity >= Severity.HIGH:
            replies.append(safe_question(self.content, alert.id))
        return SafetyOutcome(replies=replies, hold_flow=True)
