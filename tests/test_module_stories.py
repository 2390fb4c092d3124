"""Branching stories and recap cards in the module runner, as a young person sees them."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import select

from bot.db.models import ModuleProgress
from bot.router import ConversationRouter
from content.loader import load_module_file
from flows.base import Event
from tests.conftest import FIXTURES, router_for
from tests.transcript import Chat

OPENING = "Step 2 of 4\n\nKai is asked to a party by someone older. What does Kai do?"
AT_PARTY = "Step 2 of 4\n\nAt the party, someone says Kai owes them now. What could Kai say?"
STORY_BUTTONS = ["◀️ Back", "Skip", "⏸ Pause", "🆘 Help"]
RECAP = ("Step 3 of 4\n\n📌 Your recap card: Remember\n• You never owe anyone.\n"
         "• You can always get help.")


@pytest.fixture
def story_router(db, content, clock) -> ConversationRouter:
    module = load_module_file(FIXTURES / "modules" / "story.yaml")
    return router_for(db, replace(content, modules={module.id: module}), clock)


@pytest.fixture
async def reader(story_router) -> Chat:
    chat = Chat(story_router, telegram_id=6101)
    await chat.onboard(nickname="Sky", age="11 to 13")
    await chat.press("📚 Modules")
    await chat.press("Story module")
    return chat


async def test_what_they_pick_decides_the_next_scene(reader, db):
    replies = await reader.press("Next ▶️")
    assert replies[0].text == OPENING
    assert reader.labels() == ["Goes to the party", "Asks a friend first", *STORY_BUTTONS]

    replies = await reader.press("Goes to the party")
    assert [r.text for r in replies] == [
        "You picked: Goes to the party\n\nLots of people would. Let's see what happens.",
        AT_PARTY]
    assert reader.labels() == ['"I don\'t owe you"', "Calls someone", *STORY_BUTTONS]

    replies = await reader.press('"I don\'t owe you"')
    assert [r.text for r in replies] == [
        "You picked: \"I don't owe you\"\n\nGood. Kai does not owe anyone.",
        "Step 2 of 4\n\nKai leaves and tells a worker. It was never Kai's fault."]
    assert reader.labels() == ["◀️ Back", "Next ▶️", "⏸ Pause", "🆘 Help"]

    replies = await reader.press("Next ▶️")
    assert replies[0].text == RECAP
    replies = await reader.press("Next ▶️")
    assert replies[0].text.startswith("Step 4 of 4\n\nYou can always get help.\n\n• Childline:")
    replies = await reader.press("Next ▶️")
    assert replies[0].text == '🎉 You finished "Story module"!\nWell done for finishing.'
    async with db.transaction() as session:
        row = await session.scalar(select(ModuleProgress))
    assert row.completed_at is not None
    assert (row.answers, row.score, row.questions) == ({}, 0, 0)  # stories are never graded


async def test_the_other_choice_leads_somewhere_else(reader):
    await reader.press("Next ▶️")
    replies = await reader.press("Asks a friend first")
    # no feedback on this option: the pick is said back, then the scene it leads to
    assert [r.text for r in replies] == [
        "You picked: Asks a friend first",
        "Step 2 of 4\n\nThe friend says it sounds odd. They tell a worker together."]
    replies = await reader.press("Next ▶️")
    assert replies[0].text == RECAP


async def test_back_goes_to_the_scene_before_then_the_step_before(reader):
    await reader.press("Next ▶️")
    await reader.press("Goes to the party")
    await reader.press("Calls someone")
    assert (await reader.press("◀️ Back"))[0].text == AT_PARTY
    assert (await reader.press("◀️ Back"))[0].text == OPENING
    assert (await reader.press("◀️ Back"))[0].text == "Step 1 of 4\n\nThis is the first step."
    assert (await reader.press("Next ▶️"))[0].text == OPENING  # a story opens at its start


async def test_a_story_can_be_skipped(reader):
    await reader.press("Next ▶️")
    await reader.press("Goes to the party")
    replies = await reader.press("Skip")
    assert replies[0].text == RECAP


async def test_a_button_from_another_scene_is_stale(reader):
    await reader.press("Next ▶️")
    stale = reader.button_data("Goes to the party")
    await reader.press("Goes to the party")
    replies = await reader.event(Event.button(stale))
    assert replies[0].text == "That button is from an older message. Here's where we are now:"
    assert replies[1].text == AT_PARTY


async def test_pausing_in_a_story_comes_back_to_the_start_of_the_story(reader):
    await reader.press("Next ▶️")
    await reader.press("Goes to the party")
    await reader.press("⏸ Pause")
    await reader.press("📚 Modules")
    replies = await reader.press("▶️ Story module")
    assert replies[0].text == "📚 Story module\nWelcome back! Let's carry on from step 2 of 4."
    assert replies[1].text == OPENING


async def test_help_in_the_middle_of_a_story_comes_back_to_the_same_scene(reader):
    await reader.press("Next ▶️")
    await reader.press("Goes to the party")
    await reader.press("🆘 Help")
    replies = await reader.press("↩️ Back to where I was")
    assert replies[-1].text == AT_PARTY


# --- every path of every story in the real curriculum ------------------------------------------


def story_paths(step, here=None) -> list[list[int]]:
    """Every way through a story: the option picked at each scene, until an ending."""
    options = step.options_at(here)
    if not options:
        return [[]]
    return [[i, *rest] for i, option in enumerate(options) for rest in story_paths(step, option.next)]


@pytest.mark.parametrize("age", ["11 to 13", "14 to 17"])
async def test_every_path_of_every_story_reaches_an_ending(router, content, age):
    from content.schema import StoryStep

    band = {"11 to 13": "11-13", "14 to 17": "14-17"}[age]
    walked = 0
    for number, module in enumerate(content.modules.values()):
        chat = Chat(router, telegram_id=6200 + number + (100 if band == "14-17" else 0))
        await chat.onboard(nickname="Sky", age=age)
        await chat.press("📚 Modules")
        await chat.press(module.title)
        steps = module.steps_for(band)
        for index, step in enumerate(steps):
            if isinstance(step, StoryStep):
                for path in story_paths(step):
                    here = None
                    for pick in path:
                        option = step.options_at(here)[pick]
                        replies = await chat.press(option.label)
                        here = option.next
                        assert replies[-1].text.endswith(step.scene(here).text.strip())
                    assert chat.labels()[:2] == ["◀️ Back", "Next ▶️"]  # an ending
                    for _ in path:
                        await chat.press("◀️ Back")
                    assert chat.last[-1].text.endswith(step.text.strip())
                    walked += 1
            kind = step.kind
            await chat.press("Skip" if kind in ("choice", "quiz", "reflection", "story")
                             else "Next ▶️")
            if index + 1 < len(steps):
                assert chat.last[0].text.startswith(f"Step {index + 2} of {len(steps)}")
    assert walked >= 2 * len(content.modules)
