"""The wellbeing worker features, /plan, /wheel and /close: what they share."""

from __future__ import annotations

from typing import ClassVar

from bot.workers.case import CaseFeature


class WellbeingCase(CaseFeature):
    """A case feature whose picker says `pick` (its other buttons name an action), in the
    wellbeing features' own words."""

    pick: ClassVar[str] = "pick"
    page: ClassVar[str] = "page"
    nobody: ClassVar[str] = "staff.wellbeing.nobody"
    refused: ClassVar[str] = "staff.wellbeing.refused"
