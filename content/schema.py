"""What the bot says, as validated data.

Support workers edit YAML; these pydantic models are the contract that `rise-bot content check`
enforces, so a typo in a module is caught before a young person ever sees it.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

# Telegram limits: a message is at most 4096 characters, a button label is best kept short.
MAX_MESSAGE_CHARS = 1200
MAX_BUTTON_CHARS = 40
AgeBand = Literal["11-13", "14-17"]
BAND_YOUNGEST: dict[str, int] = {"11-13": 11, "14-17": 14}
BAND_OLDEST: dict[str, int] = {"11-13": 13, "14-17": 17}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Contact(_Strict):
    """One place a young person can get help."""

    name: str
    phone: str | None = None
    text: str | None = None
    url: str | None = None
    when: str = Field(description="One short line: when to use it, when it is open, who answers.")
    emergency: bool = False
    checked: date | None = Field(
        default=None, description="When someone last rang or read the service's own page.")
    sources: list[str] = Field(default_factory=list,
                               description="The service's own published page for the number.")


class AreaContacts(_Strict):
    """One area's own contacts (`AREA_CONTACTS_FILE`): another area changes this file only."""

    area: str = Field(description="The area these contacts are for, e.g. Northamptonshire.")
    contacts: dict[str, Contact]


class NationalContacts(_Strict):
    """The national lines, and which keys the help button shows (some come from the area)."""

    help_now: list[str] = Field(description="Keys shown, in order, by the help button.")
    crisis: list[str] = Field(default_factory=list,
                              description="Lines for a crisis, any time: the safety plan lists them.")
    contacts: dict[str, Contact]


class ContactBook(_Strict):
    """The contacts shown by /help, keyed so modules can point at them: national and the area's."""

    help_now: list[str] = Field(description="Keys shown, in order, by the help button.")
    crisis: list[str] = Field(default_factory=list)
    contacts: dict[str, Contact]
    area: str | None = None

    @model_validator(mode="after")
    def _help_keys_exist(self) -> ContactBook:
        missing = [key for key in [*self.help_now, *self.crisis] if key not in self.contacts]
        if missing:
            raise ValueError(f"help_now or crisis names unknown contacts: {', '.join(missing)}")
        return self


class _Step(_Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    text: str = Field(min_length=1, max_length=MAX_MESSAGE_CHARS)
    min_age: int | None = Field(default=None, ge=11, le=17)
    max_age: int | None = Field(default=None, ge=11, le=17,
                                description="`max_age: 13`: the 11-13 version of a step.")
    sources: list[str] = Field(default_factory=list, description="Law or evidence, for reviewers.")

    def for_band(self, age_band: AgeBand | None) -> bool:
        """Whether a young person of this band sees the step (every step when it is not known,
        except the younger versions: `max_age` steps are for a known younger band only)."""
        if age_band is None:
            return self.max_age is None
        youngest, oldest = BAND_YOUNGEST[age_band], BAND_OLDEST[age_band]
        return ((self.min_age is None or youngest >= self.min_age)
                and (self.max_age is None or oldest <= self.max_age))


class MessageStep(_Step):
    """Something to read, with a Next button."""

    kind: Literal["message"]


class ChoiceOption(_Strict):
    label: str = Field(min_length=1, max_length=MAX_BUTTON_CHARS)
    feedback: str = Field(min_length=1, max_length=MAX_MESSAGE_CHARS)


class ChoiceStep(_Step):
    """A question with no wrong answer: every option has its own kind feedback."""

    kind: Literal["choice"]
    options: list[ChoiceOption] = Field(min_length=2, max_length=6)


class QuizOption(_Strict):
    label: str = Field(min_length=1, max_length=MAX_BUTTON_CHARS)
    correct: bool = False
    feedback: str | None = Field(default=None, max_length=MAX_MESSAGE_CHARS)


class QuizStep(_Step):
    """A question with right answer(s); the explanation is shown whatever was picked."""

    kind: Literal["quiz"]
    options: list[QuizOption] = Field(min_length=2, max_length=6)
    explanation: str = Field(min_length=1, max_length=MAX_MESSAGE_CHARS)

    @field_validator("options")
    @classmethod
    def _one_correct(cls, options: list[QuizOption]) -> list[QuizOption]:
        if not any(option.correct for option in options):
            raise ValueError("a quiz needs at least one option with correct: true")
        return options


class ReflectionStep(_Step):
    """A free-text question. The answer is scanned for danger and never stored."""

    kind: Literal["reflection"]
    thanks: str = Field(min_length=1, max_length=MAX_MESSAGE_CHARS)


class SignpostStep(_Step):
    """Where to get help, by contact key."""

    kind: Literal["signpost"]
    contacts: list[str] = Field(min_length=1)


class RecapStep(_Step):
    """The recap card: a few short points to keep, shown as one card before the signpost."""

    kind: Literal["recap"]
    points: list[str] = Field(min_length=2, max_length=6)


class StoryOption(_Strict):
    """A choice in a story: what the young person does, and which scene it leads to."""

    label: str = Field(min_length=1, max_length=MAX_BUTTON_CHARS)
    next: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$", description="The id of the next scene.")
    feedback: str | None = Field(default=None, max_length=MAX_MESSAGE_CHARS)


class Scene(_Strict):
    """One moment of a story. With no options it is an ending: Next carries on the module."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    text: str = Field(min_length=1, max_length=MAX_MESSAGE_CHARS)
    options: list[StoryOption] = Field(default_factory=list, max_length=4)
    sources: list[str] = Field(default_factory=list)


class StoryStep(_Step):
    """A branching scenario: `text` and `options` are the opening scene; what the young person
    picks decides which scene comes next. Never graded: every path is met kindly."""

    kind: Literal["story"]
    options: list[StoryOption] = Field(min_length=2, max_length=4)
    scenes: list[Scene] = Field(min_length=2)

    @model_validator(mode="after")
    def _scenes_join_up(self) -> StoryStep:
        ids = [scene.id for scene in self.scenes]
        if len(set(ids)) != len(ids):
            raise ValueError("every scene needs its own id")
        known = set(ids)
        for option in [*self.options, *(o for s in self.scenes for o in s.options)]:
            if option.next not in known:
                raise ValueError(f"option {option.label!r} leads to unknown scene {option.next!r}")
        reached: list[str] = []
        todo = [option.next for option in self.options]
        while todo:
            scene_id = todo.pop()
            if scene_id not in reached:
                reached.append(scene_id)
                todo += [o.next for o in self.scene(scene_id).options]
        unreached = [scene_id for scene_id in ids if scene_id not in reached]
        if unreached:
            raise ValueError(f"no choice leads to scene {unreached[0]!r}")
        if self._loops():
            raise ValueError("a story must not go round in a circle: every path needs an ending")
        return self

    def _loops(self) -> bool:
        done: set[str] = set()

        def visit(scene_id: str, path: tuple[str, ...]) -> bool:
            if scene_id in path:
                return True
            if scene_id in done:
                return False
            done.add(scene_id)
            return any(visit(o.next, (*path, scene_id)) for o in self.scene(scene_id).options)

        return any(visit(o.next, ()) for o in self.options)

    def scene(self, scene_id: str) -> Scene:
        return next(scene for scene in self.scenes if scene.id == scene_id)

    def scene_index(self, scene_id: str | None) -> int:
        """0 for the opening, n for the n-th scene: short enough for a button's data."""
        return 0 if scene_id is None else 1 + [s.id for s in self.scenes].index(scene_id)

    def options_at(self, scene_id: str | None) -> list[StoryOption]:
        return self.options if scene_id is None else self.scene(scene_id).options

    def text_at(self, scene_id: str | None) -> str:
        return self.text if scene_id is None else self.scene(scene_id).text


Step = Annotated[
    MessageStep | ChoiceStep | QuizStep | ReflectionStep | SignpostStep | RecapStep | StoryStep,
    Field(discriminator="kind"),
]


class Module(_Strict):
    """One piece of support work, run step by step by the module runner."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=24)
    version: int = Field(ge=1)
    title: str = Field(max_length=MAX_BUTTON_CHARS)
    summary: str = Field(max_length=200)
    minutes: int = Field(ge=1, le=30)
    outcome: str
    order: int = Field(default=100, description="Position in the module list.")
    min_age: int | None = Field(default=None, ge=11, le=17)
    steps: list[Step] = Field(min_length=1)
    completion: str = Field(min_length=1, max_length=MAX_MESSAGE_CHARS)

    @model_validator(mode="after")
    def _unique_step_ids(self) -> Module:
        seen: set[str] = set()
        for step in self.steps:
            if step.id in seen:
                raise ValueError(f"step id {step.id!r} is used twice")
            seen.add(step.id)
        if self.steps[-1].kind != "signpost":
            raise ValueError("the last step must be a signpost, so every module ends with help")
        return self

    def steps_for(self, age_band: AgeBand | None) -> list[Step]:
        """The steps for this age band; every step when the band is not known yet.

        A band counts from its youngest age, so `min_age: 14` hides a step from 11-13s only;
        `max_age: 13` is the 11-13 version of a step, hidden from 14-17s.
        """
        return [step for step in self.steps if step.for_band(age_band)]

    def is_for(self, age_band: AgeBand | None) -> bool:
        """Whether the module as a whole suits this age band."""
        return age_band is None or self.min_age is None or BAND_YOUNGEST[age_band] >= self.min_age


class CopyText(_Strict):
    """Everything the bot says outside modules: onboarding, menus, re-prompts."""

    model_config = ConfigDict(extra="allow", frozen=True)


# --- the outcome wheel and the safety plan --------------------------------------------------------


class WheelArea(_Strict):
    """One area of the outcome wheel, scored 1 to 10, in our own words."""

    id: str = Field(pattern=r"^[a-z][a-z_]*$")
    name: str = Field(max_length=MAX_BUTTON_CHARS)
    short: str = Field(max_length=24, description="Label on the chart; may hold one line break.")
    question: str = Field(min_length=1, max_length=300)
    low: str = Field(max_length=30, description="What 1 means.")
    high: str = Field(max_length=30, description="What 10 means.")
    flag_at: int | None = Field(default=None, ge=1, le=10,
                                description="A score this low or lower flags the worker at once.")


class Wheel(_Strict):
    """The outcome wheel: eight areas, and how often it is offered unless a worker says otherwise."""

    every_weeks: int = Field(default=6, ge=1, le=52)
    areas: list[WheelArea] = Field(min_length=3, max_length=12)

    @model_validator(mode="after")
    def _unique_ids(self) -> Wheel:
        ids = [area.id for area in self.areas]
        if len(set(ids)) != len(ids):
            raise ValueError("every area needs its own id")
        return self


class PlanSection(_Strict):
    """One part of the safety plan: a list of things, people with numbers, or one word."""

    id: str = Field(pattern=r"^[a-z][a-z_]*$")
    kind: Literal["list", "people", "word"]
    title: str = Field(max_length=MAX_BUTTON_CHARS)
    emoji: str = Field(max_length=4)
    ask: str = Field(min_length=1, max_length=MAX_MESSAGE_CHARS)
    suggestions: list[str] = Field(default_factory=list, max_length=8)
    max_items: int = Field(default=8, ge=1, le=12)

    @field_validator("suggestions")
    @classmethod
    def _short_suggestions(cls, suggestions: list[str]) -> list[str]:
        long = [s for s in suggestions if len(s) > MAX_BUTTON_CHARS]
        if long:
            raise ValueError(f"a suggestion is a button, at most {MAX_BUTTON_CHARS} letters: {long[0]!r}")
        return suggestions


class SafetyPlan(_Strict):
    """The sections of the safety plan, in the order they are shown."""

    sections: list[PlanSection] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_ids(self) -> SafetyPlan:
        ids = [section.id for section in self.sections]
        if len(set(ids)) != len(ids):
            raise ValueError("every section needs its own id")
        return self

    def section(self, section_id: str) -> PlanSection | None:
        return next((s for s in self.sections if s.id == section_id), None)
