"""A wheel scored at its lowest for feeling safe flags the young person's worker at once.

The wheel is usually read at the next review; a 1 for "feeling safe" cannot wait for that. The
flow (`flows.wheel`) says so to the young person and asks for this with a `WheelConcern`; here it
becomes a medium alert, paged like a run of missed check-ins (no scores or words in the logs).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Person
from bot.features.registry import SAFETY, Feature, Parts
from bot.safety.detector import Severity
from bot.safety.escalation import Escalation
from flows.wheel import WheelConcern


class WheelConcerns:
    """The router's effect handler for `WheelConcern`."""

    def __init__(self, escalation: Escalation):
        self.escalation = escalation

    async def apply(self, session: AsyncSession, person: Person, effect: WheelConcern,
                    now: datetime) -> None:
        """Raise the alert."""
        await self.escalation.raise_alert(
            session, person, severity=Severity.MEDIUM, source="wheel", now=now,
            categories=[f"wheel_{area}_{score}_of_10" for area, score in effect.scores])


FEATURE = Feature("wheel concerns", SAFETY, needs=frozenset({"escalation"}),
                  parts=lambda kit: Parts(effects={WheelConcern: WheelConcerns(kit.escalation).apply}))
