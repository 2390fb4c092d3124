"""The outcome wheel: stored when finished, answered with the chart and what changed; offered
again on a schedule (the `wheel_due` job)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.care import wellbeing
from bot.db.models import Person
from bot.features.registry import YOUNG_PERSON, Feature, Kit, Parts
from content.loader import Content
from flows.base import Reply, SaveWheel
from flows.wheel import WheelFlow


def saver(content: Content):
    async def save_wheel(session: AsyncSession, person: Person, effect: SaveWheel,
                         now: datetime) -> list[Reply]:
        await wellbeing.save_wheel(session, person, effect.scores, effect.asked_by, now)
        return await wellbeing.after_wheel(session, content, person, now)
    return save_wheel


async def wheels_done(session: AsyncSession, person: Person) -> int:
    return await wellbeing.wheels_done(session, person.id)


def parts(kit: Kit) -> Parts:
    return Parts(effects={SaveWheel: saver(kit.content)}, profile={"wheels_done": wheels_done},
                 jobs=(lambda clock: wellbeing.register_jobs(clock, kit.content),))


FEATURE = Feature("wheel", YOUNG_PERSON, flow=WheelFlow, parts=parts)
