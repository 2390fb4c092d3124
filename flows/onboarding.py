"""Onboarding: welcome -> how privacy works -> nickname -> age band -> (wheel offered) menu.

Nobody can type anything that matters before they have been told, in plain words, what stays
private and when a worker must be told. The bot never promises secrecy.
"""

from __future__ import annotations

from dataclasses import replace
from typing import ClassVar

from flows.base import (
    AcceptPrivacy,
    Button,
    Event,
    Flow,
    Goto,
    SetAgeBand,
    SetNickname,
    Turn,
    keyboard,
)
from flows.common import clean_nickname, rows, suggest_nicknames


class OnboardingFlow(Flow):
    name = "onboarding"
    prefix = "ob"
    STATES: ClassVar[list[str]] = ["welcome", "privacy", "nickname", "age"]
    # what is typed here is a set-up answer (above all the nickname), not free text to quote
    sensitive_states: ClassVar[frozenset[str]] = frozenset(STATES)
    TRANSITIONS: ClassVar[list[dict]] = [
        # trigger     from                      to           what happens
        {"trigger": "enter", "source": "*", "dest": "welcome", "after": ["begin", "show"]},
        {"trigger": "start", "source": "welcome", "dest": "privacy", "after": "show"},
        {"trigger": "more", "source": "privacy", "dest": "privacy", "after": "explain_more"},
        {"trigger": "agree", "source": "privacy", "dest": "nickname", "after": ["accept", "show"]},
        {"trigger": "others", "source": "nickname", "dest": "nickname", "after": "show"},
        {"trigger": "pick", "source": "nickname", "dest": "age", "conditions": "nickname_ok",
         "after": ["save_nickname", "show"]},
        {"trigger": "pick", "source": "nickname", "dest": "nickname", "after": "refuse_nickname"},
        {"trigger": "band", "source": "age", "dest": "age", "after": ["save_age", "finish"]},
    ]

    def trigger_for(self, event: Event) -> str | None:
        if event.kind == "text":
            return "pick"
        return super().trigger_for(event)

    # --- saying what each state asks ----------------------------------------------------------

    def show(self, turn: Turn) -> None:
        text = self.content.text
        if turn.state == "welcome":
            invited = turn.context.get("invited")
            greeting = text("onboarding.welcome_invited" if invited else "onboarding.welcome")
            if turn.context.get("invite_failed"):
                turn.say(text("onboarding.invite_not_valid"))
            if turn.context.get("already_linked"):
                turn.say(text("onboarding.already_linked"))
            turn.say(greeting, keyboard([Button(text("onboarding.start_button"), "ob:start")]))
        elif turn.state == "privacy":
            turn.say(text("onboarding.privacy"), self._privacy_buttons())
        elif turn.state == "nickname":
            seed = turn.context.get("seed", 0)
            turn.context["seed"] = seed + 1
            names = suggest_nicknames(3, seed=seed)
            buttons = [Button(n, f"ob:pick:{n}") for n in names]
            turn.say(text("onboarding.nickname"), (
                *rows(buttons), (Button(text("onboarding.nickname_more_button"), "ob:others"),)))
        elif turn.state == "age":
            nickname = turn.profile.nickname or ""
            turn.say(text("onboarding.age", nickname=nickname), keyboard(
                [Button(text("onboarding.age_young"), "ob:band:11-13"),
                 Button(text("onboarding.age_older"), "ob:band:14-17")],
                [Button(text("onboarding.age_skip"), "ob:band:none")],
            ))

    def _privacy_buttons(self):
        text = self.content.text
        return keyboard([Button(text("onboarding.privacy_agree_button"), "ob:agree")],
                        [Button(text("onboarding.privacy_more_button"), "ob:more")])

    # --- callbacks ----------------------------------------------------------------------------

    def begin(self, turn: Turn) -> None:
        """Remember how they arrived: `invited`, `invite_failed`, `already_linked` or nothing."""
        turn.context = {turn.event.args: True} if turn.event.args else {}

    def explain_more(self, turn: Turn) -> None:
        turn.say(self.content.text("onboarding.privacy_more"), keyboard(
            [Button(self.content.text("onboarding.privacy_agree_button"), "ob:agree")]))

    def accept(self, turn: Turn) -> None:
        turn.effects.append(AcceptPrivacy())

    def _chosen(self, turn: Turn) -> str | None:
        raw = turn.event.text if turn.event.kind == "text" else self.button_arg(turn)
        return clean_nickname(raw)

    def nickname_ok(self, turn: Turn) -> bool:
        return self._chosen(turn) is not None

    def save_nickname(self, turn: Turn) -> None:
        nickname = self._chosen(turn)
        assert nickname is not None
        # saved on the person at once, where it is encrypted; the conversation's context (plain
        # JSON) never holds a copy. The rest of this turn already greets them by it.
        turn.effects.append(SetNickname(nickname))
        turn.profile = replace(turn.profile, nickname=nickname)

    def refuse_nickname(self, turn: Turn) -> None:
        turn.say(self.content.text("onboarding.nickname_bad"))
        self.show(turn)

    def save_age(self, turn: Turn) -> None:
        band = self.button_arg(turn)
        turn.effects.append(SetAgeBand(band if band in ("11-13", "14-17") else None))

    def finish(self, turn: Turn) -> None:
        """All set: offer the first outcome wheel, and leave them at the menu."""
        text = self.content.text
        turn.say(text("onboarding.done") + "\n\n" + text("onboarding.wheel_offer"), keyboard(
            [Button(text("onboarding.wheel_offer_button"), "menu:wheel")]))
        turn.goto = Goto("menu")
