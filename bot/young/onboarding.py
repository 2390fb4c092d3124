"""Onboarding (`/start`, and invite links): how privacy works here, a nickname, an age band."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Person
from bot.features.registry import YOUNG_PERSON, Command, Feature, Parts
from flows.base import AcceptPrivacy, SetAgeBand, SetNickname
from flows.onboarding import OnboardingFlow


async def accept_privacy(session: AsyncSession, person: Person, effect: AcceptPrivacy,
                         now: datetime) -> None:
    person.privacy_accepted_at = now


async def set_nickname(session: AsyncSession, person: Person, effect: SetNickname,
                       now: datetime) -> None:
    person.nickname = effect.nickname


async def set_age_band(session: AsyncSession, person: Person, effect: SetAgeBand,
                       now: datetime) -> None:
    person.age_band = effect.age_band


FEATURE = Feature(
    "onboarding", YOUNG_PERSON, flow=OnboardingFlow,
    commands=(Command("start", "Start again", opens="start"),),
    parts=lambda kit: Parts(effects={AcceptPrivacy: accept_privacy, SetNickname: set_nickname,
                                     SetAgeBand: set_age_band}))
