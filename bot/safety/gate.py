"""The one entry point every young person's free text passes through before any flow sees it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Person
from flows.base import Reply


@dataclass
class SafetyOutcome:
    """What the safety check decided: replies to send first, and whether the flow may go on."""

    replies: list[Reply] = field(default_factory=list)
    hold_flow: bool = False


class SafetyGate(Protocol):
    async def check(self, session: AsyncSession, person: Person, text: str, *,
                    remember: bool = True) -> SafetyOutcome:
        """Scan the text; open or update an alert in this same transaction when needed."""
        ...


class CountingGate:
    """A gate that only counts what it saw, for tests that prove every young person's text
    reached the gate. Never a default: a router must be told which gate it has."""

    def __init__(self) -> None:
        self.seen = 0

    async def check(self, session: AsyncSession, person: Person, text: str, *,
                    remember: bool = True) -> SafetyOutcome:
        self.seen += 1
        return SafetyOutcome()
