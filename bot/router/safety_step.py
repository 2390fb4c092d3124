"""Safety first: every word a young person types is read by the gate before any flow sees it.

When the gate holds the flow, a worker talking with them still reads their words (a hook), or
else the flow says where they are and the way on, with "Are you somewhere safe right now?"
kept last. When the gate only answered (it asked kindly), the flow still runs, told the bot
was unsure (`heard="unsure"`).
"""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Person, Role
from bot.records.conversation_record import conversation_of
from bot.router.young_person import SAFETY_ANSWERED, YoungPersonSide
from bot.safety.gate import SafetyGate
from flows.base import Event, Reply


class SafetyStep:
    """The gate, and what the young person's side does once it has spoken."""

    def __init__(self, gate: SafetyGate | None, side: YoungPersonSide):
        if gate is None:
            raise ValueError("a router needs a safety gate: a young person's words are never "
                             "left unread")
        self.gate = gate
        self.side = side

    async def hear(self, session: AsyncSession, person: Person,
                   event: Event) -> tuple[list[Reply], Event, bool]:
        """(replies so far, the event as the flow will see it, whether the update is answered)."""
        if not event.text:  # typed text, edits and captions alike are read
            return [], event, False
        convo = await conversation_of(session, person.id)
        outcome = await self.gate.check(session, person, event.text,
                                        remember=self.side.free_text(convo))
        replies = list(outcome.replies)
        if outcome.replies:  # the gate has answered their words (e.g. asked kindly)
            session.info[SAFETY_ANSWERED] = True
        if outcome.hold_flow:
            # the flow rests, but a worker talking with them must still read every word
            for hook in self.side.hooks:
                relayed = await hook.handle(session, person, convo, event)
                if relayed is not None:
                    return replies + relayed, event, True
            # then where they are, and what they can do next
            where = await self.side.after_safety(session, person, convo)
            return before_the_safe_question(replies, where), event, True
        if outcome.replies:
            event = replace(event, heard="unsure")
        return replies, event, False

    async def while_flooding(self, session: AsyncSession, person: Person | None,
                             event: Event) -> list[Reply]:
        """Too many messages too fast: the flow rests, but every one is still read."""
        if person is None or person.role != Role.YOUNG_PERSON or not event.text:
            return []
        remember = self.side.free_text(await conversation_of(session, person.id))
        return list((await self.gate.check(session, person, event.text,
                                           remember=remember)).replies)


def before_the_safe_question(safety: list[Reply], where: list[Reply]) -> list[Reply]:
    """The safety reply, where they are, then "Are you somewhere safe right now?" last, so
    the question stays the newest message on their screen."""
    last = safety[-1] if safety else None
    if last is not None and any(b.data.startswith("safe:") for row in last.buttons for b in row):
        return [*safety[:-1], *where, last]
    return [*safety, *where]
