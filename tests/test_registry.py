"""The feature registry: every command, prefix, effect and job declared once, by its feature,
and a new feature added with one module and one line (the worked example in docs/rooms.md)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import ClassVar

import pytest

from bot.app.catalogue import FEATURES, registry
from bot.features.registry import (
    WORKER,
    YOUNG_PERSON,
    Command,
    Feature,
    Kit,
    Parts,
    Registry,
    RegistryError,
)
from bot.router import ConversationRouter
from bot.safety.gate import CountingGate
from flows.base import Button, Flow, Goto, Turn, keyboard
from tests.transcript import Chat


def now() -> datetime:
    return datetime(2026, 3, 2, 16, 0, tzinfo=UTC)


def test_telegrams_command_menu_is_what_the_features_declare(content):
    assert registry(Kit(content, now)).telegram_commands() == [
        ("menu", "Open the menu"), ("myplan", "My safety plan"), ("help", "Get help now"),
        ("start", "Start again")]


def test_every_young_persons_command_is_declared_once(content):
    commands = registry(Kit(content, now)).commands
    assert {name: c.opens for name, c in commands.items()} == {
        "menu": "goto", "myplan": "goto", "timer": "interrupt", "help": "reply",
        "hide": "reply", "start": "start"}
    assert commands["myplan"].goto == Goto("plan", "whole")


def test_features_that_need_a_service_are_left_out_without_it(content, system):
    bare = registry(Kit(content, now), sides=(WORKER,))
    assert "onduty" not in bare.worker_by_command and "checkins" not in bare.worker_by_command
    full = system.services.router.registry
    assert {"onduty", "offduty", "alerts", "checkins", "caseload"} <= set(full.worker_by_command)
    assert {"al", "rl", "ck", "wplan"} <= set(full.worker_by_prefix)
    assert [type(hook).__name__ for hook in full.hooks] == [
        "YoungPersonSafety", "MediaPassOn", "ReachWorker"]
    timer_running = full.profile["timer_running"]
    assert getattr(timer_running, "__self__", None) is system.services.checkins


def test_the_clock_runs_the_jobs_the_features_declare(system):
    from bot.care import checkins, wellbeing
    from bot.safety import media, reach_worker

    kinds = set(system.services.clock.handlers)
    assert {checkins.CHECKIN, checkins.CHECKIN_WINDOW, checkins.REMINDER, checkins.TIMER,
            checkins.TIMER_DEADLINE, wellbeing.WHEEL_DUE, media.OFFER, reach_worker.OFFER} <= kinds
    assert kinds == set(system.services.router.registry.jobs)


def test_two_features_may_not_claim_one_job_kind(content):
    def wheel_again(clock):
        clock.register("wheel_due", None)

    again = Feature("wheel again", YOUNG_PERSON, parts=lambda kit: Parts(jobs=(wheel_again,)))
    with pytest.raises(RegistryError, match="two handlers for the job kind 'wheel_due'"):
        Registry((*FEATURES, again), Kit(content, now))


def test_two_features_may_not_claim_one_command(content):
    again = Feature("another menu", YOUNG_PERSON, commands=(Command("menu", goto=Goto("menu")),))
    with pytest.raises(RegistryError, match="two features declare the command 'menu'"):
        Registry((*FEATURES, again), Kit(content, now))


# --- the worked example: a new feature is one module and one line --------------------------

class BreatheFlow(Flow):
    """(In a real feature: flows/breathe.py, its words in content/copy.yaml.)"""

    name = "breathe"
    prefix = "br"
    STATES: ClassVar[list[str]] = ["in", "out"]
    TRANSITIONS: ClassVar[list[dict]] = [
        {"trigger": "enter", "source": "*", "dest": "in", "after": "show"},
        {"trigger": "out", "source": "in", "dest": "out", "after": "show"},
    ]

    def show(self, turn: Turn) -> None:
        if turn.state == "in":
            turn.say("Breathe in slowly...", keyboard([Button("Now out", "br:out")]))
        else:
            turn.say("...and out. Well done.")


# (In a real feature: bot/young/breathe.py, and one line in bot/app/catalogue.py.)
BREATHE = Feature("breathe", YOUNG_PERSON, flow=BreatheFlow,
                  commands=(Command("breathe", "Breathe with me", goto=Goto("breathe")),))


async def test_a_new_feature_is_one_declaration_and_one_line(db, content, clock):
    features = Registry((*FEATURES, BREATHE), Kit(content, clock), sides=(YOUNG_PERSON,))
    assert ("breathe", "Breathe with me") in features.telegram_commands()
    sky = Chat(ConversationRouter(db, features, safety=CountingGate(), clock=clock), 5001)
    await sky.onboard()
    assert (await sky.send("/breathe"))[0].text == "Breathe in slowly..."
    assert (await sky.press("Now out"))[0].text == "...and out. Well done."
    assert sky.labels() == ["🆘 Help"]  # help is still one tap away
