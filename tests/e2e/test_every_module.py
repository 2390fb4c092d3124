"""Every module of the real curriculum, done end to end through the real PTB application and the
fake Bot API, for both age bands.

What the bot says at each step is checked word for word against the module's YAML: "Step i of n",
the step's text, the signpost's contacts, the feedback and explanation after each answer, and the
completion message, which is followed by where to get help. Steps with `min_age: 14` never reach an
11 to 13 year old. The newest message always carries the 🆘 Help button.

For one module and one age band, several young people join the same running bot and do the module
side by side. Young person r picks option r (wrapping round) at every question, so between them
every option of every quiz and choice is pressed. The first types an answer to the reflection and,
once finished, opens the module again (it starts from the beginning); the others tap Skip; the
second pauses half-way and comes back to the same step.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import pytest
from sqlalchemy import select

from bot.db.models import ModuleProgress
from bot.records import people
from content.loader import Content, default_content
from content.schema import Contact, Module, QuizStep, Step, StoryStep
from tests.e2e.harness import Stack

MODULES = list(default_content().modules)
BANDS = {"11 to 13": ("11-13", 11), "14 to 17": ("14-17", 14)}

HELP, NEXT, BACK, PAUSE, SKIP = "🆘 Help", "Next ▶️", "◀️ Back", "⏸ Pause", "Skip"
MODULES_BUTTON, MENU_BUTTON = "📚 Modules", "🏠 Menu"
RIGHT, WRONG = "✅ That's right!", "Not quite, but that's OK."
WHERE_TO_GET_HELP = "If you are not safe right now, call 999."
PAUSED = "No problem, we've saved your place. You can come back to it any time from the menu."
REFLECTION_ANSWER = "I feel a bit better now"
QUESTIONS = ("choice", "quiz")


@dataclass(frozen=True)
class Said:
    """One message from the bot, as the phone shows it: text and button labels by row."""

    text: str
    buttons: tuple[tuple[str, ...], ...] = ()


class YoungPerson:
    """A young person's phone: each action returns every message the bot sent back."""

    def __init__(self, stack: Stack, user_id: int):
        self.stack, self.user_id = stack, user_id
        stack.server.add_user(user_id, "Sam")
        self.seen = 0
        self.everything: list[Said] = []

    def _new(self) -> list[Said]:
        messages = [m for m in self.stack.server.chat(self.user_id) if m.from_bot]
        new = [Said(m.shown_text or "", tuple(tuple(label for label, _ in row) for row in m.buttons))
               for m in messages[self.seen:]]
        self.seen = len(messages)
        self.everything += new
        return new

    async def _answer(self, update_id: int) -> list[Said]:
        await self.stack.tracker.wait_for(update_id)
        answer = self._new()
        assert answer, "the bot said nothing"
        labels = [label for row in answer[-1].buttons for label in row]
        assert HELP in labels, f"no help button under {answer[-1].text!r}"
        return answer

    async def send(self, text: str) -> list[Said]:
        self._new()
        return await self._answer(self.stack.server.send_text(self.user_id, text))

    async def press(self, label: str) -> list[Said]:
        self._new()
        return await self._answer(self.stack.server.press(self.user_id, label))

    async def join(self, band_label: str) -> None:
        """Onboarding, as in tests/e2e/test_journey.py, ending at the menu."""
        await self.send("/start")
        await self.press("Let's start")
        await self.press("OK, I understand")
        await self.send("Sky")
        answer = await self.press(band_label)
        assert answer[-1].text == "What would you like to do, Sky?"


# --- what the YAML says the bot must say ---------------------------------------------------------


OLDEST = {11: 13, 14: 17}


def visible_steps(module: Module, youngest: int) -> list[Step]:
    """The steps a young person of this band sees, worked out here rather than by the runner."""
    return [step for step in module.steps if (step.min_age is None or step.min_age <= youngest)
            and (step.max_age is None or OLDEST[youngest] <= step.max_age)]


BEFORE_REFLECTION = ("🔒 Nobody reads this chat as you type. If what you write makes us think "
                     "you or someone else may not be safe, a worker from the team will be told, "
                     "so they can help.")


def contact_line(contact: Contact) -> str:
    return f"• {contact.name}: " + " · ".join(x for x in (contact.phone, contact.text, contact.url) if x)


def nav(number: int, *forward: str) -> tuple[tuple[str, ...], ...]:
    back = (BACK,) if number > 1 else ()
    return ((*back, *forward), (PAUSE,), (HELP,))


def step_message(content: Content, step: Step, number: int, total: int) -> Said:
    body = step.text.strip()
    if step.kind == "signpost":
        body += "\n\n" + "\n".join(contact_line(content.contacts.contacts[key])
                                   for key in step.contacts)
    if step.kind == "reflection":  # who may be told, said before the question
        body = f"{BEFORE_REFLECTION}\n\n{body}\n\nType your answer, or tap Skip."
    if step.kind == "recap":
        body = f"📌 Your recap card: {body}\n" + "\n".join(f"• {p.strip()}" for p in step.points)
    text = f"Step {number} of {total}\n\n{body}"
    if step.kind == "story":
        return Said(text, (*((option.label,) for option in step.options), *nav(number, SKIP)))
    if step.kind in QUESTIONS:
        return Said(text, (*((option.label,) for option in step.options), *nav(number, SKIP)))
    if step.kind == "reflection":
        return Said(text, ((SKIP,), *(((BACK,),) if number > 1 else ()), (PAUSE,), (HELP,)))
    return Said(text, nav(number, NEXT))


def feedback(step: Step, index: int, number: int) -> Said:
    option = step.options[index]
    parts = [f"You picked: {option.label}"]
    if isinstance(step, QuizStep):
        parts.append(RIGHT if option.correct else WRONG)
    if option.feedback:
        parts.append(option.feedback.strip())
    if isinstance(step, QuizStep):
        parts.append(step.explanation.strip())
    return Said("\n\n".join(parts), nav(number, NEXT))


def scene_message(step: StoryStep, scene_id: str, number: int, total: int) -> Said:
    scene = step.scene(scene_id)
    text = f"Step {number} of {total}\n\n{scene.text.strip()}"
    if not scene.options:  # an ending: Back to the scene before, and on
        return Said(text, (((BACK, NEXT)), (PAUSE,), (HELP,)))
    return Said(text, (*((o.label,) for o in scene.options), (BACK, SKIP), (PAUSE,), (HELP,)))


async def follow_story(yp: YoungPerson, step: StoryStep, pick: int, number: int,
                       total: int) -> list[str]:
    """Pick option `pick` (wrapping round) in every scene until an ending; the scenes seen."""
    here, seen = None, []
    while options := step.options_at(here):
        option = options[pick % len(options)]
        said = f"You picked: {option.label}" + (f"\n\n{option.feedback.strip()}"
                                                if option.feedback else "")
        assert await yp.press(option.label) == [
            Said(said), scene_message(step, option.next, number, total)], (step.id, here)
        here = option.next
        seen.append(here)
    return seen


def intro(module: Module) -> Said:
    return Said(f"📚 {module.title}\n{module.summary}\n"
                f"About {module.minutes} minutes. You can pause or skip any time.")


def completion(module: Module) -> list[Said]:
    return [Said(f'🎉 You finished "{module.title}"!\n{module.completion.strip()}'),
            Said(WHERE_TO_GET_HELP, ((MODULES_BUTTON,), (MENU_BUTTON,), (HELP,)))]


# --- walking a module -----------------------------------------------------------------------------


@dataclass
class Walk:
    """How one young person goes through the module: which option they pick at every question
    (None: Skip every question), whether they type at the reflection, where they pause."""

    pick: int | None
    type_reflection: bool = False
    pause_at: int | None = None


async def open_from_menu(yp: YoungPerson, module: Module, mark: str = "") -> list[Said]:
    listing = await yp.press(MODULES_BUTTON)
    assert (f"{mark}{module.title}",) in listing[-1].buttons
    return await yp.press(f"{mark}{module.title}")


async def walk(yp: YoungPerson, content: Content, module: Module, youngest: int,
               how: Walk, *, mark: str = "") -> dict[str, dict]:
    """Do the module from the menu to the completion message; return the answers given."""
    steps = visible_steps(module, youngest)
    total = len(steps)
    shown = await open_from_menu(yp, module, mark)
    assert shown == [intro(module), step_message(content, steps[0], 1, total)]
    answers: dict[str, dict] = {}
    for number, step in enumerate(steps, start=1):
        if number == how.pause_at:
            left = await yp.press(PAUSE)
            assert left[0].text == PAUSED and left[-1].text == "What would you like to do, Sky?"
            back = await open_from_menu(yp, module, "▶️ ")
            assert back == [
                Said(f"📚 {module.title}\nWelcome back! Let's carry on from step {number} of {total}."),
                step_message(content, step, number, total)]
        if step.kind in QUESTIONS and how.pick is not None:
            index = how.pick % len(step.options)
            assert await yp.press(step.options[index].label) == [feedback(step, index, number)]
            correct = step.options[index].correct if isinstance(step, QuizStep) else None
            answers[step.id] = {"option": index, "correct": correct}
            shown = await yp.press(NEXT)
        elif step.kind == "story" and how.pick is not None:
            await follow_story(yp, step, how.pick, number, total)
            shown = await yp.press(NEXT)
        elif step.kind == "reflection" and how.type_reflection:
            assert await yp.send(REFLECTION_ANSWER) == [Said(step.thanks.strip(), nav(number, NEXT))]
            shown = await yp.press(NEXT)
        elif step.kind in (*QUESTIONS, "reflection", "story"):
            shown = await yp.press(SKIP)
        else:
            shown = await yp.press(NEXT)
        if number < total:
            assert shown == [step_message(content, steps[number], number + 1, total)], step.id
        else:
            assert shown == completion(module)
            assert "999" in shown[-1].text  # the very last thing said is where to get help
    return answers


async def progress_row(stack: Stack, user_id: int, module_id: str) -> tuple[str | None, ModuleProgress]:
    async with stack.db.transaction() as session:
        person = await people.find_by_telegram(session, user_id)
        row = await session.scalar(select(ModuleProgress).where(
            ModuleProgress.person_id == person.id, ModuleProgress.module_id == module_id))
        return person.age_band, row


def score_of(answers: dict[str, dict]) -> tuple[int, int]:
    quiz = [a for a in answers.values() if a["correct"] is not None]
    return sum(1 for a in quiz if a["correct"]), len(quiz)


# --- the tests ----------------------------------------------------------------------------------


@pytest.mark.parametrize("band_label", list(BANDS))
@pytest.mark.parametrize("module_id", MODULES)
async def test_every_module_end_to_end_with_every_answer(content_stack, content, module_id,
                                                         band_label):
    module = content.modules[module_id]
    band, youngest = BANDS[band_label]
    steps = visible_steps(module, youngest)
    hidden = [step for step in module.steps if step not in steps]
    questions = [step for step in steps if step.kind in QUESTIONS]
    nav_labels = {HELP, NEXT, BACK, PAUSE, SKIP}
    assert not any(o.label in nav_labels for q in questions for o in q.options)
    runs = max(2, *(len(q.options) for q in questions))

    people_here = [YoungPerson(content_stack, 7000 + r) for r in range(runs)]
    await asyncio.gather(*(yp.join(band_label) for yp in people_here))
    if not module.is_for(band):  # a whole module for older teens is not even listed
        listing = await people_here[0].press(MODULES_BUTTON)
        assert not any(module.title in label for row in listing[-1].buttons for label in row)
        return

    walks = [Walk(pick=r, type_reflection=r == 0, pause_at=len(steps) // 2 + 1 if r == 1 else None)
             for r in range(runs)]
    answers = await asyncio.gather(*(walk(yp, content, module, youngest, how)
                                     for yp, how in zip(people_here, walks, strict=True)))

    # between them, every option of every question was pressed and its feedback seen
    for question in questions:
        pressed = {a[question.id]["option"] for a in answers}
        assert pressed == set(range(len(question.options))), question.id
    # steps for older teens never reach 11 to 13 year olds
    for yp in people_here:
        said = "\n".join(s.text for s in yp.everything)
        for step in hidden:
            assert step.text.strip() not in said, step.id
    if band == "11-13":
        assert len(steps) == len([s for s in module.steps if not s.min_age or s.min_age <= 11])
    # every module has a story, and its options are labelled apart from the navigation
    stories = [step for step in steps if isinstance(step, StoryStep)]
    assert stories
    for story in stories:
        labels = [o.label for o in story.options] + [o.label for s in story.scenes for o in s.options]
        assert not set(labels) & nav_labels

    for yp, given in zip(people_here, answers, strict=True):
        stored_band, row = await progress_row(content_stack, yp.user_id, module.id)
        assert stored_band == band
        assert row.completed_at is not None and row.started_at is not None
        assert (row.module_version, row.step) == (module.version, len(steps))
        assert row.answers == given
        assert (row.score, row.questions) == score_of(given)

    # a finished module opened again starts from the beginning, not "welcome back"
    first = people_here[0]
    again = await open_from_menu(first, module, "✅ ")
    assert again == [intro(module), step_message(content, steps[0], 1, len(steps))]


def test_some_module_has_steps_only_for_older_teens_and_some_only_for_11_to_13s(content):
    """So the age-band checks above are not empty."""
    assert any(step.min_age == 14 for module in content.modules.values() for step in module.steps)
    assert any(step.max_age == 13 for module in content.modules.values() for step in module.steps)


async def test_a_finished_module_done_again_keeps_the_first_finish_and_the_latest_answers(
        content_stack, content, clock):
    module = content.modules["what-is-cse"]
    yp = YoungPerson(content_stack, 7100)
    await yp.join("14 to 17")
    first = await walk(yp, content, module, 14, Walk(pick=0))
    _, row = await progress_row(content_stack, yp.user_id, module.id)
    finished_at = row.completed_at

    clock.advance(days=3)
    # the second time they skip every question and the reflection: nobody has to answer anything
    again = await walk(yp, content, module, 14, Walk(pick=None), mark="✅ ")
    assert again == {}
    _, row = await progress_row(content_stack, yp.user_id, module.id)
    assert row.completed_at == finished_at
    assert row.step == len(module.steps)
    assert row.answers == first  # skipped questions keep the answer given before
    assert (row.score, row.questions) == score_of(first)
