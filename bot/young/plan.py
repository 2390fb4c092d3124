"""The safety plan (`/myplan` opens the whole plan): each section saved as they write it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Person
from bot.features.registry import YOUNG_PERSON, Command, Feature, Parts
from bot.records import safety_plans
from flows.base import Goto, SavePlanSection
from flows.safety_plan import PlanFlow


async def save_section(session: AsyncSession, person: Person, effect: SavePlanSection,
                       now: datetime) -> None:
    await safety_plans.save_section(session, person.id, effect.section, effect.value, now)


async def plan_of(session: AsyncSession, person: Person):
    return await safety_plans.get_plan(session, person.id)


FEATURE = Feature(
    "plan", YOUNG_PERSON, flow=PlanFlow,
    commands=(Command("myplan", "My safety plan", goto=Goto("plan", "whole")),),
    parts=lambda kit: Parts(effects={SavePlanSection: save_section},
                            profile={"safety_plan": plan_of}))
