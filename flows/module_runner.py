"""The module runner: any module from content/, one step per message.

Back and Pause on every step, and a way on without answering (Next, or Skip on questions and
reflections: trauma-aware, nobody has to answer anything to carry on); "Step 3 of 8"; kind
feedback on every choice; quiz answers explained; reflections scanned for danger by the router
before they get here, and never stored. Progress is saved on every step, so leaving half-way (or a
restart) resumes at the same step; a finished module opened again starts from the beginning.

A story step is a branching scenario inside one step: the young person's pick decides which
scene comes next (the scene and the way there are kept in the conversation's context, so Back
goes to the scene before; leaving half-way starts the story again). Story picks are never
graded and not recorded. A recap step shows its points as one card.
"""

from __future__ import annotations

from typing import ClassVar

from content.schema import (
    ChoiceStep,
    MessageStep,
    Module,
    QuizStep,
    RecapStep,
    ReflectionStep,
    SignpostStep,
    StoryStep,
)
from flows.base import Button, Event, Flow, Goto, Keyboard, SaveProgress, Turn, keyboard
from flows.callback import parse_number
from flows.common import contacts_text, menu_button

ANSWERED_STATES = ["reading", "asking", "answered", "reflecting", "finished"]


class ModuleFlow(Flow):
    name = "module"
    prefix = "mod"
    profile_needs = frozenset({"modules"})
    STATES: ClassVar[list[str]] = ["reading", "asking", "answered", "reflecting", "finished"]
    TRANSITIONS: ClassVar[list[dict]] = [
        # trigger    from                        to            what happens
        {"trigger": "enter", "source": "*", "dest": None, "conditions": "module_known",
         "after": "open_at_saved_step"},
        {"trigger": "next", "source": ["reading", "answered"], "dest": None, "after": "go_forward"},
        {"trigger": "back", "source": "*", "dest": None, "after": "go_back"},
        {"trigger": "pause", "source": "*", "dest": None, "after": "pause_module"},
        {"trigger": "answer", "source": "asking", "dest": "answered", "conditions": "valid_option",
         "after": "give_feedback"},
        {"trigger": "reflect", "source": "reflecting", "dest": "answered",
         "after": "thank_for_reflection"},
        {"trigger": "choose", "source": "asking", "dest": None, "conditions": "valid_story_option",
         "after": "follow_story"},
        # worrying words at a reflection: the safety reply answered them; they need not answer
        {"trigger": "safety_held", "source": "reflecting", "dest": "answered",
         "after": "where_after_safety"},
        {"trigger": "safety_held", "source": ["reading", "asking", "answered"], "dest": None,
         "after": "show"},
        {"trigger": "skip", "source": ["asking", "reflecting"], "dest": None, "after": "go_forward"},
        # `present` is fired by the callbacks above: it moves to the state the step needs
        {"trigger": "present", "source": "*", "dest": "finished", "conditions": "past_last_step",
         "after": "complete"},
        {"trigger": "present", "source": "*", "dest": "reading", "conditions": "on_reading_step",
         "after": "show"},
        {"trigger": "present", "source": "*", "dest": "asking", "conditions": "on_question_step",
         "after": "show"},
        {"trigger": "present", "source": "*", "dest": "reflecting", "after": "show"},
    ]

    def trigger_for(self, event: Event) -> str | None:
        if event.kind == "text":
            return "reflect"
        return super().trigger_for(event)

    # --- where we are -------------------------------------------------------------------------

    def _module(self, turn: Turn) -> Module:
        return self.content.modules[turn.context["module"]]

    def _steps(self, turn: Turn):
        return self._module(turn).steps_for(turn.profile.age_band)

    def _step(self, turn: Turn):
        return self._steps(turn)[turn.context["step"]]

    def module_known(self, turn: Turn) -> bool:
        return turn.event.args in self.content.modules

    def past_last_step(self, turn: Turn) -> bool:
        return turn.context["step"] >= len(self._steps(turn))

    def _scene(self, turn: Turn) -> str | None:
        return turn.context.get("scene")

    def on_reading_step(self, turn: Turn) -> bool:
        step = self._step(turn)
        if isinstance(step, StoryStep):  # a story's ending is read, then Next
            return not step.options_at(self._scene(turn))
        return isinstance(step, MessageStep | SignpostStep | RecapStep)

    def on_question_step(self, turn: Turn) -> bool:
        return isinstance(self._step(turn), ChoiceStep | QuizStep | StoryStep)

    def valid_option(self, turn: Turn) -> bool:
        step = self._step(turn)
        index = self.button_number(turn)
        return (isinstance(step, ChoiceStep | QuizStep) and index is not None
                and index < len(step.options))

    def valid_story_option(self, turn: Turn) -> bool:
        """`<scene number>:<option>`: a button from another scene of the story is stale."""
        step = self._step(turn)
        if not isinstance(step, StoryStep):
            return False
        scene, _, option = self.button_arg(turn).partition(":")
        index = parse_number(option)
        here = self._scene(turn)
        return (scene == str(step.scene_index(here)) and index is not None
                and index < len(step.options_at(here)))

    # --- moving -------------------------------------------------------------------------------

    def open_at_saved_step(self, turn: Turn) -> None:
        module = self.content.modules[turn.event.args]
        status = turn.profile.modules.get(module.id)
        total = len(module.steps_for(turn.profile.age_band))
        half_way = bool(status and status.started and not status.completed and 0 < status.step < total)
        # a step number saved under another version of the module may point at another step
        changed = half_way and status.version not in (None, module.version)
        resume = half_way and not changed
        turn.context = {"module": module.id, "step": status.step if resume else 0}
        text = self.content.text
        if resume:
            turn.say(text("module.resume", title=module.title, step=status.step + 1, total=total))
        else:
            intro = text("module.intro", title=module.title, summary=module.summary,
                         minutes=module.minutes)
            turn.say(intro + ("\n" + text("module.changed") if changed else ""))
        self._save(turn)
        turn.trigger("present")

    def go_forward(self, turn: Turn) -> None:
        turn.context["step"] += 1
        self._leave_story(turn)
        self._save(turn)
        turn.trigger("present")

    def go_back(self, turn: Turn) -> None:
        trail = turn.context.get("trail") or []
        if trail and turn.context["step"] < len(self._steps(turn)):  # the scene before
            turn.context["scene"] = trail[-1]
            turn.context["trail"] = trail[:-1]
            turn.trigger("present")
            return
        turn.context["step"] = max(0, min(turn.context["step"], len(self._steps(turn))) - 1)
        self._leave_story(turn)
        self._save(turn)
        turn.trigger("present")

    def _leave_story(self, turn: Turn) -> None:
        turn.context.pop("scene", None)
        turn.context.pop("trail", None)

    def follow_story(self, turn: Turn) -> None:
        """What they picked, said back kindly, then the scene it leads to."""
        step = self._step(turn)
        assert isinstance(step, StoryStep)
        here = self._scene(turn)
        option = step.options_at(here)[parse_number(self.button_arg(turn).partition(":")[2]) or 0]
        parts = [f"You picked: {option.label}"]
        if option.feedback:
            parts.append(option.feedback.strip())
        turn.say("\n\n".join(parts))
        turn.context["trail"] = [*(turn.context.get("trail") or []), here]
        turn.context["scene"] = option.next
        turn.trigger("present")

    def pause_module(self, turn: Turn) -> None:
        turn.say(self.content.text("module.paused"))
        turn.goto = Goto("menu")

    def _save(self, turn: Turn, **answer) -> None:
        module = self._module(turn)
        turn.effects.append(SaveProgress(module.id, module.version, turn.context["step"], **answer))

    # --- saying things ------------------------------------------------------------------------

    def show(self, turn: Turn) -> None:
        """Show the current step, whatever state it leaves us in."""
        if turn.state == "finished":
            self._finished_buttons(turn)
            return
        step = self._step(turn)
        total = len(self._steps(turn))
        header = self.content.text("module.progress", step=turn.context["step"] + 1, total=total)
        body = step.text.strip()
        if isinstance(step, StoryStep):
            body = step.text_at(self._scene(turn)).strip()
        if isinstance(step, RecapStep):
            body = self.content.text("module.recap", title=body) + "\n" + "\n".join(
                f"• {point.strip()}" for point in step.points)
        if isinstance(step, SignpostStep):
            body += "\n\n" + contacts_text(self.content, step.contacts)
        if isinstance(step, ReflectionStep):  # who may be told, before they write anything
            body = self.content.text("module.reflection_before") + "\n\n" + body
            if turn.state != "answered":  # answered: Next, not "type your answer"
                body += "\n\n" + self.content.text("module.reflection_hint")
        if turn.state == "answered":
            turn.say(f"{header}\n\n{body}", self._nav(turn, forward=True))
            return
        turn.say(f"{header}\n\n{body}", self._step_buttons(turn, step))

    def _step_buttons(self, turn: Turn, step) -> Keyboard:
        text = self.content.text
        if isinstance(step, StoryStep):
            here = self._scene(turn)
            number = step.scene_index(here)
            options = [[Button(o.label, f"mod:choose:{number}:{i}")]
                       for i, o in enumerate(step.options_at(here))]
            if not options:  # an ending: read it, then on
                return self._nav(turn, forward=True)
            return keyboard(*options, *self._nav(turn, forward=False, skip=True))
        if isinstance(step, ChoiceStep | QuizStep):
            options = [[Button(o.label, f"mod:answer:{i}")] for i, o in enumerate(step.options)]
            return keyboard(*options, *self._nav(turn, forward=False, skip=True))
        if isinstance(step, ReflectionStep):
            return keyboard([Button(text("buttons.skip"), "mod:skip")],
                            *self._nav(turn, forward=False))
        return self._nav(turn, forward=True)

    def _nav(self, turn: Turn, *, forward: bool, skip: bool = False) -> Keyboard:
        """Back (after the first step), Next or Skip, and Pause: on every step."""
        text = self.content.text
        row = []
        if turn.context["step"] > 0 or turn.context.get("trail"):
            row.append(Button(text("buttons.back"), "mod:back"))
        if forward:
            row.append(Button(text("buttons.next"), "mod:next"))
        if skip:
            row.append(Button(text("buttons.skip"), "mod:skip"))
        return keyboard(row, [Button(text("buttons.pause"), "mod:pause")])

    def give_feedback(self, turn: Turn) -> None:
        step = self._step(turn)
        index = self.button_number(turn)
        assert index is not None  # valid_option
        option = step.options[index]
        if isinstance(step, QuizStep):
            right = option.correct
            verdict = self.content.text("module.quiz_right" if right else "module.quiz_wrong")
            parts = [f"You picked: {option.label}", verdict]
            if option.feedback:
                parts.append(option.feedback.strip())
            parts.append(step.explanation.strip())
            self._save(turn, answer=(step.id, index), correct=right)
        else:
            parts = [f"You picked: {option.label}", option.feedback.strip()]
            self._save(turn, answer=(step.id, index))
        turn.say("\n\n".join(parts), self._nav(turn, forward=True))

    def thank_for_reflection(self, turn: Turn) -> None:
        """The module's own thanks for an ordinary answer; when the bot was unsure and asked
        them whether a worker should know, thanks that leave that choice with them."""
        step = self._step(turn)
        assert isinstance(step, ReflectionStep)
        thanks = (self.content.text("module.reflection_thanks_unsure")
                  if turn.event.heard == "unsure" else step.thanks.strip())
        turn.say(thanks, self._nav(turn, forward=True))

    def where_after_safety(self, turn: Turn) -> None:
        """After the safety reply to a worrying answer: where they are, and the way on."""
        steps = self._steps(turn)
        turn.say(self.content.text("module.after_safety", title=self._module(turn).title,
                                   step=turn.context["step"] + 1, total=len(steps)),
                 self._nav(turn, forward=True))

    def complete(self, turn: Turn) -> None:
        module = self._module(turn)
        self._save(turn, completed=True)
        turn.say(self.content.text("module.completed", title=module.title) + "\n"
                 + module.completion.strip())
        self._finished_buttons(turn)

    def _finished_buttons(self, turn: Turn) -> None:
        text = self.content.text
        turn.say(text("help.footer"), keyboard(
            [Button(text("menu.modules_button"), "menu:modules")], [menu_button(self.content)]))
