"""The main menu: modules, safety plan, wheel, help, about. Everything else starts from here."""

from __future__ import annotations

from typing import ClassVar

from flows.base import Button, Flow, Goto, Turn, keyboard
from flows.common import HIDE, menu_button, worker_now_button


class MenuFlow(Flow):
    name = "menu"
    prefix = "menu"
    profile_needs = frozenset({"modules"})
    entered_by_button = True
    STATES: ClassVar[list[str]] = ["menu", "modules", "about"]
    TRANSITIONS: ClassVar[list[dict]] = [
        # trigger     from       to          what happens
        {"trigger": "enter", "source": "*", "dest": "menu", "after": "show"},
        {"trigger": "modules", "source": "*", "dest": "modules", "after": "show"},
        {"trigger": "about", "source": "*", "dest": "about", "after": "show"},
        {"trigger": "open", "source": "*", "dest": "modules", "conditions": "module_exists",
         "after": "open_module"},
        {"trigger": "plan", "source": "*", "dest": "menu", "after": "open_plan"},
        {"trigger": "wheel", "source": "*", "dest": "menu", "after": "open_wheel"},
    ]

    def show(self, turn: Turn) -> None:
        text = self.content.text
        if turn.state == "menu":
            nickname = turn.profile.nickname
            title = text("menu.title", nickname=nickname) if nickname else text("menu.title_no_name")
            turn.say(title, keyboard(
                [Button(text("menu.modules_button"), "menu:modules")],
                [Button(text("menu.plan_button"), "menu:plan")],
                [Button(text("menu.wheel_button"), "menu:wheel"),
                 Button(text("menu.timer_button"), "tm:open")],
                [Button(text("menu.about_button"), "menu:about"),
                 Button(text("menu.hide_button"), HIDE)],
                [worker_now_button(self.content)],
            ))
        elif turn.state == "modules":
            self._list_modules(turn)
        elif turn.state == "about":
            turn.say(text("menu.about"), keyboard([menu_button(self.content)]))

    def _list_modules(self, turn: Turn) -> None:
        band = turn.profile.age_band
        buttons = []
        for module in self.content.modules.values():
            if not module.is_for(band):
                continue
            status = turn.profile.modules.get(module.id)
            mark = ""
            if status and status.completed:
                mark = "✅ "
            elif status and status.started:
                mark = "▶️ "
            elif status and status.assigned:
                mark = "⭐ "
            buttons.append([Button(f"{mark}{module.title}", f"menu:open:{module.id}")])
        if not buttons:
            turn.say(self.content.text("menu.no_modules"), keyboard([menu_button(self.content)]))
            return
        turn.say(self.content.text("menu.modules_title"),
                 keyboard(*buttons, [menu_button(self.content)]))

    def module_exists(self, turn: Turn) -> bool:
        return self.button_arg(turn) in self.content.modules

    def open_module(self, turn: Turn) -> None:
        turn.goto = Goto("module", self.button_arg(turn))

    def open_plan(self, turn: Turn) -> None:
        turn.goto = Goto("plan")

    def open_wheel(self, turn: Turn) -> None:
        turn.goto = Goto("wheel")
