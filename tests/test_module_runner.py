"""The module runner, as a young person would see it (router + flows, no Telegram)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from bot.db.models import ModuleProgress
from tests.transcript import Chat

NOT_UNDERSTOOD = ("I'm a bot, so I might not understand what you typed. Sorry.\n"
                  "If you want your worker to see your message, tap Tell my worker.\n"
                  "If you need help now, tap Help.")


BEFORE = ("🔒 Nobody reads this chat as you type. If what you write makes us think you or "
          "someone else may not be safe, a worker from the team will be told, so they can help.")
REFLECTION_STEP = (f"Step 5 of 6\n\n{BEFORE}\n\nWhat is one thing that helps you feel safe?\n\n"
                   "Type your answer, or tap Skip.")


@pytest.fixture
async def learner(practice_router) -> Chat:
    chat = Chat(practice_router, telegram_id=6001)
    await chat.onboard(nickname="Sky", age="14 to 17")
    return chat


async def open_practice(chat: Chat) -> list:
    await chat.press("📚 Modules")
    return await chat.press("Practice module")


async def test_a_module_is_walked_through_step_by_step_with_feedback(learner, db):
    replies = await open_practice(learner)
    assert replies[0].text == ("📚 Practice module\nA short module the tests walk through.\n"
                               "About 2 minutes. You can pause or skip any time.")
    assert replies[1].text == "Step 1 of 6\n\nThis is the first step."
    assert learner.labels() == ["Next ▶️", "⏸ Pause", "🆘 Help"]

    replies = await learner.press("Next ▶️")
    assert replies[0].text == "Step 2 of 6\n\nHow do you feel today?"
    assert learner.labels() == ["Good", "Not great", "◀️ Back", "Skip", "⏸ Pause", "🆘 Help"]

    replies = await learner.press("Not great")
    assert replies[0].text == "You picked: Not great\n\nThanks for telling me. That's OK."

    await learner.press("Next ▶️")
    replies = await learner.press("Yes")
    assert replies[0].text == ("You picked: Yes\n\nNot quite, but that's OK.\n\nThe law says no.\n\n"
                               "Under 16s cannot agree to sex in law. This keeps young people safe.")
    replies = await learner.press("Next ▶️")
    assert replies[0].text == "Step 4 of 6\n\nThis step is only for 14 to 17 year olds."
    replies = await learner.press("Next ▶️")
    assert replies[0].text == REFLECTION_STEP  # who may be told comes before the question
    replies = await learner.send("my mum and my dog")
    assert replies[0].text == "Thanks for sharing that."
    replies = await learner.press("Next ▶️")
    assert replies[0].text.startswith("Step 6 of 6\n\nYou can always get help.\n\n• Childline: 0800 1111")
    replies = await learner.press("Next ▶️")
    assert replies[0].text == '🎉 You finished "Practice module"!\nWell done for finishing.'
    assert replies[1].text == "If you are not safe right now, call 999."
    assert learner.labels() == ["📚 Modules", "🏠 Menu", "🆘 Help"]

    async with db.transaction() as session:
        row = await session.scalar(select(ModuleProgress))
    assert row.completed_at is not None
    assert (row.module_version, row.score, row.questions) == (2, 0, 1)
    assert row.answers == {"feeling": {"option": 1, "correct": None},
                           "law": {"option": 0, "correct": False}}


async def test_the_reflection_answer_is_not_stored_anywhere(learner, db):
    await open_practice(learner)
    await learner.press("Next ▶️")
    await learner.press("Good")
    await learner.press("Next ▶️")
    await learner.press("No")
    await learner.press("Next ▶️")
    await learner.press("Next ▶️")
    replies = await learner.send("a secret only I know")
    assert replies[0].text == "Thanks for sharing that."
    if not db.is_sqlite:  # PostgreSQL: every row of every table, as text
        from sqlalchemy import text

        from bot.db.models import Base
        async with db.transaction() as session:
            rows = [str(row) for table in Base.metadata.sorted_tables
                    for row in (await session.execute(text(f"SELECT * FROM {table.name}"))).all()]
        assert rows and not any("a secret only I know" in row for row in rows)
        return
    await db.dispose()  # flush everything to the files
    path = Path(db.url.removeprefix("sqlite+aiosqlite:///"))
    stored = b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))
    assert b"a secret only I know" not in stored


async def test_an_11_to_13_year_old_does_not_see_steps_for_older_teens(practice_router):
    chat = Chat(practice_router, telegram_id=6002)
    await chat.onboard(age="11 to 13")
    await open_practice(chat)
    assert chat.last[1].text.startswith("Step 1 of 5")


async def test_leaving_half_way_and_coming_back_resumes_at_the_same_step(learner):
    await open_practice(learner)
    await learner.press("Next ▶️")
    await learner.press("Good")
    await learner.press("Next ▶️")
    replies = await learner.press("⏸ Pause")
    assert replies[0].text.startswith("No problem, we've saved your place.")
    replies = await learner.press("📚 Modules")
    assert "▶️ Practice module" in learner.labels()
    replies = await learner.press("▶️ Practice module")
    assert replies[0].text == "📚 Practice module\nWelcome back! Let's carry on from step 3 of 6."
    assert replies[1].text == "Step 3 of 6\n\nCan a 14-year-old agree to sex in the UK?"


async def test_back_goes_to_the_previous_step(learner):
    await open_practice(learner)
    await learner.press("Next ▶️")
    replies = await learner.press("◀️ Back")
    assert replies[0].text == "Step 1 of 6\n\nThis is the first step."


async def test_a_button_from_an_older_message_gets_a_gentle_explanation(learner):
    await open_practice(learner)
    await learner.press("Next ▶️")
    await learner.press("Good")
    stale = learner.button_data("Next ▶️")
    await learner.press("Next ▶️")  # now on the quiz
    from flows.base import Event

    replies = await learner.event(Event.button(stale))
    # "next" is not something the quiz accepts: we explain and show the quiz again
    assert replies[0].text == "That button is from an older message. Here's where we are now:"
    assert replies[1].text == "Step 3 of 6\n\nCan a 14-year-old agree to sex in the UK?"


async def test_typing_on_a_button_step_gets_a_re_prompt(learner):
    await open_practice(learner)
    replies = await learner.send("what?")
    assert replies[0].text == NOT_UNDERSTOOD
    assert [b.label for row in replies[0].buttons for b in row] == ["💬 Tell my worker", "🆘 Help"]
    assert replies[1].text == "Step 1 of 6\n\nThis is the first step."


async def test_a_question_can_be_skipped_and_nothing_is_recorded_for_it(learner, db):
    await open_practice(learner)
    await learner.press("Next ▶️")
    replies = await learner.press("Skip")  # the choice
    assert replies[0].text == "Step 3 of 6\n\nCan a 14-year-old agree to sex in the UK?"
    assert learner.labels() == ["Yes", "No", "◀️ Back", "Skip", "⏸ Pause", "🆘 Help"]
    replies = await learner.press("Skip")  # the quiz
    assert replies[0].text == "Step 4 of 6\n\nThis step is only for 14 to 17 year olds."
    async with db.transaction() as session:
        row = await session.scalar(select(ModuleProgress))
    assert (row.step, row.answers, row.score, row.questions) == (3, {}, 0, 0)


async def test_a_module_changed_since_they_started_starts_again_from_the_beginning(learner, db):
    await open_practice(learner)
    await learner.press("Next ▶️")
    await learner.press("Good")
    await learner.press("Next ▶️")
    await learner.press("⏸ Pause")
    async with db.transaction() as session:  # their place was saved under version 1
        row = await session.scalar(select(ModuleProgress))
        row.module_version = 1
    await learner.press("📚 Modules")
    replies = await learner.press("▶️ Practice module")
    assert replies[0].text == ("📚 Practice module\nA short module the tests walk through.\n"
                               "About 2 minutes. You can pause or skip any time.\n"
                               "This module has changed since you started it, so we will go from "
                               "the beginning.")
    assert replies[1].text == "Step 1 of 6\n\nThis is the first step."
    async with db.transaction() as session:
        row = await session.scalar(select(ModuleProgress))
    assert (row.module_version, row.step) == (2, 0)


async def to_the_reflection(chat: Chat) -> None:
    await open_practice(chat)
    for label in ("Next ▶️", "Good", "Next ▶️", "No", "Next ▶️"):
        await chat.press(label)
    assert (await chat.press("Next ▶️"))[0].text == REFLECTION_STEP


@pytest.fixture
async def guarded(system) -> Chat:
    """A learner with the safety gate in front, as the bot runs (the router alone has none)."""
    chat = system.chat(6003)
    await chat.onboard(nickname="Sky", age="14 to 17")
    return chat


async def test_a_worrying_answer_at_a_reflection_gets_help_then_where_they_are_and_the_way_on(
        guarded):
    learner = guarded
    await to_the_reflection(learner)
    replies = await learner.send("he's outside my house")
    assert [r.text for r in replies] == [
        "Thank you for telling me. That sounds really hard. 💛\n"
        "A worker from the team has been told, so they can help. They will try to talk to you "
        "first.\n"
        "If you are in danger right now, call 999. Childline is free on 0800 1111.",
        '📚 You are on step 5 of 6 of "Practice module". You don\'t need to answer again.\n'
        "Tap Next when you are ready, or Pause to stop for now.",
        "Are you somewhere safe right now?"]
    assert [b.label for row in replies[1].buttons for b in row] == ["◀️ Back", "Next ▶️",
                                                                  "⏸ Pause"]
    assert [b.label for row in replies[2].buttons for b in row] == ["Yes", "No", "Not sure",
                                                                  "🆘 Help"]

    replies = await learner.send("ok")  # not taken for the answer: it was answered
    assert [r.text for r in replies] == [
        NOT_UNDERSTOOD, REFLECTION_STEP.replace("\n\nType your answer, or tap Skip.", "")]
    assert (await learner.press("Next ▶️"))[0].text.startswith("Step 6 of 6\n\nYou can always")


async def test_a_worrying_message_at_a_reading_step_shows_the_step_again(guarded):
    learner = guarded
    await open_practice(learner)
    replies = await learner.send("im gonna kms tonight")
    assert replies[0].text.startswith("I'm really glad you told me. 💛")
    assert replies[-2].text == "Step 1 of 6\n\nThis is the first step."
    assert replies[-1].text == "Are you somewhere safe right now?"


async def test_a_worrying_nickname_shows_the_nickname_step_again_after_the_safety_reply(system):
    """Any free-text step, not only a module's: where they are, and what to do next."""
    sam = system.chat(6004)
    await sam.send("/start")
    await sam.press("Let's start")
    await sam.press("OK, I understand")
    replies = await sam.send("he's outside my house")
    assert replies[0].text.startswith("Thank you for telling me. That sounds really hard. 💛")
    assert replies[1].text == ("What should I call you? 🙂\nTap one of these, or type your own. "
                               "It's best not to use your real name.")
    assert replies[2].text == "Are you somewhere safe right now?"
    replies = await sam.send("Sky")  # the next words answer the step they can see
    assert replies[0].text.startswith("Nice to meet you, Sky! 👋")
