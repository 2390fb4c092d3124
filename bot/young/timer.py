"""The safety timer (`/timer`, from anywhere, handing back afterwards): when it is up and they
have not said they are OK, a worker is told."""

from __future__ import annotations

from bot.features.registry import YOUNG_PERSON, Command, Feature, Kit, Parts
from flows.timer import AnswerTimer, EndTimer, StartTimer, TimerFlow


def parts(kit: Kit) -> Parts:
    assert kit.checkins is not None
    return Parts(effects=dict.fromkeys((StartTimer, AnswerTimer, EndTimer), kit.checkins.apply),
                 profile={"timer_running": kit.checkins.timer_profile},
                 jobs=(kit.checkins.register_timers,))


FEATURE = Feature("timer", YOUNG_PERSON, flow=TimerFlow, needs=frozenset({"checkins"}),
                  commands=(Command("timer", opens="interrupt", flow="timer"),), parts=parts)
