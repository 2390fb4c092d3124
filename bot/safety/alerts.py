"""Alerts as a feature: the escalation's clock jobs (paging on, the email channel, reminders to
acknowledge). The alerts themselves are raised by the other safety features."""

from __future__ import annotations

from bot.features.registry import SAFETY, Feature, Kit, Parts


def _jobs(kit: Kit) -> Parts:
    assert kit.escalation is not None
    return Parts(jobs=(kit.escalation.register,))


FEATURE = Feature("alerts", SAFETY, needs=frozenset({"escalation"}), parts=_jobs)
