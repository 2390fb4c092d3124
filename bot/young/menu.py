"""The main menu (`/menu`): everything else starts from here."""

from __future__ import annotations

from bot.features.registry import YOUNG_PERSON, Command, Feature
from flows.base import Goto
from flows.menu import MenuFlow

FEATURE = Feature("menu", YOUNG_PERSON, flow=MenuFlow,
                  commands=(Command("menu", "Open the menu", goto=Goto("menu")),))
