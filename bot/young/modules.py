"""Modules: where the young person is in each, saved as they move; finishing "Looking back"
during closure sends the closure summary."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.care import wellbeing
from bot.db.models import Person
from bot.features.registry import YOUNG_PERSON, Feature, Kit, Parts
from bot.records import module_progress
from content.loader import Content
from flows.base import Reply, SaveProgress
from flows.module_runner import ModuleFlow


def saver(content: Content):
    async def save_progress(session: AsyncSession, person: Person, effect: SaveProgress,
                            now: datetime) -> list[Reply]:
        await module_progress.save(session, person.id, effect, now)
        if (effect.completed and effect.module_id == wellbeing.CLOSURE_MODULE
                and person.closure_started_at is not None and person.closed_at is None):
            return await wellbeing.finish_closure(session, content, person, now,
                                                  tell_young_person_directly=True)
        return []
    return save_progress


async def statuses(session: AsyncSession, person: Person):
    return await module_progress.statuses(session, person.id)


def parts(kit: Kit) -> Parts:
    return Parts(effects={SaveProgress: saver(kit.content)}, profile={"modules": statuses})


FEATURE = Feature("modules", YOUNG_PERSON, flow=ModuleFlow, parts=parts)
