"""Check-ins: the clock asks how they are; their answers come back as effects (`bot.care.checkins`)."""

from __future__ import annotations

from bot.features.registry import YOUNG_PERSON, Feature, Kit, Parts
from flows.checkin import AskToTalk, CheckinFlow, RecordCheckin, SkipCheckin, SnoozeCheckin


def parts(kit: Kit) -> Parts:
    assert kit.checkins is not None
    return Parts(effects=dict.fromkeys((RecordCheckin, SnoozeCheckin, SkipCheckin, AskToTalk),
                                       kit.checkins.apply),
                 jobs=(kit.checkins.register_checkins,))


FEATURE = Feature("checkin", YOUNG_PERSON, flow=CheckinFlow, needs=frozenset({"checkins"}),
                  parts=parts)
