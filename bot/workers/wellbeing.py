"""The wellbeing worker features: /plan, /wheel and /close (support workers and managers)."""

from __future__ import annotations

from bot.workers.closure import ClosureFeature
from bot.workers.desk import WorkerFeature
from bot.workers.plans import PlansFeature
from bot.workers.wheels import WheelsFeature


def wellbeing_features() -> list[WorkerFeature]:
    return [PlansFeature(), WheelsFeature(), ClosureFeature()]
