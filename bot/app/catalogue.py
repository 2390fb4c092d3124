"""Every feature of the bot, in one list: adding a feature is its module and one line here.

The order is what people see: the young person's commands in Telegram's command menu, the
safety features in the order they look at a young person's event before their flow, a worker's
commands in their /help.
"""

from __future__ import annotations

from collections.abc import Iterable

from bot.features.registry import SAFETY, WORKER, YOUNG_PERSON, Feature, Kit, Registry, Side
from bot.safety import alerts, media, reach_worker, wheel_concerns, young_person_side
from bot.workers import (
    assign,
    caseload,
    checkins,
    closure,
    duty,
    invites,
    notes,
    plans,
    progress,
    relay,
    transfer,
    wheels,
)
from bot.young import checkin, help, menu, modules, onboarding, plan, timer, wheel

FEATURES: tuple[Feature, ...] = (
    # the young person's
    menu.FEATURE,
    modules.FEATURE,
    plan.FEATURE,
    wheel.FEATURE,
    checkin.FEATURE,
    timer.FEATURE,
    help.FEATURE,
    onboarding.FEATURE,
    # safety, around the young person's flows
    young_person_side.FEATURE,
    media.FEATURE,
    reach_worker.FEATURE,
    alerts.FEATURE,
    wheel_concerns.FEATURE,
    # the workers'
    relay.FEATURE,
    duty.FEATURE,
    caseload.FEATURE,
    invites.FEATURE,
    assign.FEATURE,
    progress.FEATURE,
    notes.FEATURE,
    transfer.FEATURE,
    plans.FEATURE,
    wheels.FEATURE,
    closure.FEATURE,
    checkins.FEATURE,
)


def registry(kit: Kit, sides: Iterable[Side] = (YOUNG_PERSON, WORKER, SAFETY)) -> Registry:
    """The registry of every feature (of these sides) that the kit's services can build."""
    return Registry(FEATURES, kit, sides=sides)
