"""What every flow shares: the event it gets, the replies it gives, and the machine around it.

A flow is a `transitions` state machine built once per flow definition. For each update the
router adds a `Turn` as the machine's model at the saved state, fires one trigger, collects the
replies and effects, and removes the model again. Flows know nothing of Telegram, the database
or the clock: they turn (saved state, event, profile) into (new state, replies, effects).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any, ClassVar, Literal, Protocol

from transitions import Machine

from content.loader import Content
from flows import callback

EventKind = Literal["text", "button", "command", "media", "edit", "enter"]


@dataclass(frozen=True)
class Event:
    """One thing a person did, free of any transport."""

    kind: EventKind
    text: str = ""
    data: str = ""
    command: str = ""
    args: str = ""
    media: str = ""  # for "media": photo, voice, location... ("" when the kind is not known)
    message_id: int = 0  # for "media": the message in the person's own chat, to pass it on
    # what Telegram sent, apart from its update id (chat, message id and date; or the press's
    # id): with the id it tells a real redelivery from a new update reusing an old number
    fingerprint: str = field(default="", compare=False)
    # what the safety gate made of typed words it answered without stopping the flow:
    # "unsure" (it asked them kindly whether a worker should know), else ""
    heard: str = ""

    @classmethod
    def typed(cls, text: str) -> Event:
        return cls("text", text=text)

    @classmethod
    def button(cls, data: str) -> Event:
        return cls("button", data=data)

    @classmethod
    def slash(cls, command: str, args: str = "") -> Event:
        return cls("command", command=command, args=args)

    @classmethod
    def enter(cls, args: str = "") -> Event:
        return cls("enter", args=args)


@dataclass(frozen=True)
class Button:
    label: str
    data: str


Keyboard = tuple[tuple[Button, ...], ...]


class Drawing(Protocol):
    """A picture drawn only when it is about to be sent: after the update's transaction has
    committed, so nobody waits on a lock while it is drawn."""

    async def draw(self) -> bytes: ...


@dataclass(frozen=True)
class Reply:
    """One message the bot sends; with `photo` (PNG bytes, or a drawing to make them) it is
    sent as a picture."""

    text: str
    buttons: Keyboard = ()
    action: str | None = None  # only the transport can do it: "hide" the chat, "settle" a press
    photo: bytes | Drawing | None = field(default=None, repr=False)

    def with_row(self, *row: Button) -> Reply:
        return replace(self, buttons=(*self.buttons, tuple(row)))

    def has_button(self, data: str) -> bool:
        return any(b.data == data for row in self.buttons for b in row)


def keyboard(*rows: list[Button] | tuple[Button, ...]) -> Keyboard:
    return tuple(tuple(row) for row in rows if row)


@dataclass(frozen=True)
class ModuleStatus:
    """Where a young person is in one module."""

    step: int = 0
    completed: bool = False
    assigned: bool = False
    started: bool = False
    version: int | None = None  # the module's version when they last moved in it


@dataclass(frozen=True)
class Profile:
    """What a flow may know about the person it talks to (read-only)."""

    nickname: str | None = None
    age_band: str | None = None
    has_worker: bool = False
    modules: Mapping[str, ModuleStatus] = field(default_factory=dict)
    safety_plan: Mapping[str, Any] = field(default_factory=dict)  # section id -> what they wrote
    wheels_done: int = 0
    timer_running: bool = False  # a safety timer is set and not over yet


PROFILE_FIELDS = frozenset({"modules", "safety_plan", "wheels_done", "timer_running"})


# --- effects: what the router must do after the flow has answered -----------------------------


@dataclass(frozen=True)
class AcceptPrivacy:
    """The young person has read how privacy works here."""


@dataclass(frozen=True)
class SetNickname:
    nickname: str


@dataclass(frozen=True)
class SetAgeBand:
    age_band: str | None


@dataclass(frozen=True)
class SaveProgress:
    """Where the young person is in a module; answers are option numbers, never free text."""

    module_id: str
    version: int
    step: int
    answer: tuple[str, int] | None = None
    correct: bool | None = None
    completed: bool = False


@dataclass(frozen=True)
class SavePlanSection:
    """One section of the safety plan, as the young person wrote it (their own words, kept on
    purpose: the one place free text is stored). A list of strings, of {name, number}, or a word."""

    section: str
    value: Any


@dataclass(frozen=True)
class SaveWheel:
    """A finished outcome wheel: one score 1-10 per area id. `asked_by`: self | schedule | worker.

    The router stores it, and answers with the chart (first and latest wheel) and what changed."""

    scores: Mapping[str, int]
    asked_by: str = "self"


Effect = AcceptPrivacy | SetNickname | SetAgeBand | SaveProgress | SavePlanSection | SaveWheel


@dataclass(frozen=True)
class Goto:
    """Hand the conversation to another flow; `Goto("return")` goes back to where the person
    was before an interrupting flow (a check-in, a safety question) started."""

    flow: str
    args: str = ""
    keep_return: bool = False


@dataclass
class Outcome:
    """What one turn produced."""

    state: str
    context: dict[str, Any]
    replies: list[Reply]
    effects: list[Effect]
    goto: Goto | None = None
    understood: bool = True


@dataclass
class Turn:
    """The machine's model for one update: the saved conversation plus what happens now."""

    state: str
    context: dict[str, Any]
    event: Event
    profile: Profile
    replies: list[Reply] = field(default_factory=list)
    effects: list[Effect] = field(default_factory=list)
    goto: Goto | None = None

    def say(self, text: str, buttons: Keyboard = ()) -> None:
        self.replies.append(Reply(text, buttons))


class Flow:
    """A conversation defined by a state table; subclasses give the table and the callbacks.

    Callbacks are methods of the flow taking the `Turn`; the machine calls them through the
    model with `send_event=True`, and `_bind` points them back here.
    """

    name: ClassVar[str]
    prefix: ClassVar[str]
    STATES: ClassVar[list[str]]
    TRANSITIONS: ClassVar[list[dict[str, Any]]]
    interrupts: ClassVar[bool] = False  # its buttons may come at any time; then it hands back
    entered_by_button: ClassVar[bool] = False  # its buttons may switch to it from another flow
    # the Profile fields this flow reads beyond nickname and age band (each costs a query)
    profile_needs: ClassVar[frozenset[str]] = frozenset()
    entry_state: ClassVar[str] = ""  # where its buttons are handled from; default: first state
    # states whose typed answers are not free talk (a plan section, a phone number, a code word,
    # where and who): still scanned for danger, but never kept as context nor quoted on an alert
    sensitive_states: ClassVar[frozenset[str]] = frozenset()

    def __init__(self, content: Content):
        self.content = content
        if not self.entry_state:
            type(self).entry_state = self.STATES[0]
        self.machine = Machine(
            model=None,
            states=self.STATES,
            transitions=self.TRANSITIONS,
            initial=self.STATES[0],
            auto_transitions=False,
            send_event=True,
            model_attribute="state",
        )
        self._idle_turns: list[Turn] = []  # see _new_turn

    # --- the public face used by the router ---------------------------------------------------

    def start(self, profile: Profile, args: str = "") -> Outcome:
        """Enter this flow from outside."""
        return self._run(self.STATES[0], {}, Event.enter(args), profile, "enter")

    def handle(self, state: str, context: dict[str, Any], event: Event, profile: Profile) -> Outcome:
        """Run one event; an event that means nothing here is not understood (router re-prompts)."""
        trigger = self.trigger_for(event)
        if trigger is None:
            return Outcome(state, context, [], [], understood=False)
        return self._run(state, context, event, profile, trigger)

    def render(self, state: str, context: dict[str, Any], profile: Profile) -> list[Reply]:
        """Show the current question again (after help, a restart, or a stale button)."""
        turn = Turn(state, dict(context), Event.enter(), profile)
        self.show(turn)
        return turn.replies

    def after_safety(self, state: str, context: dict[str, Any], profile: Profile) -> Outcome:
        """Worrying words were answered by the safety reply, and the flow did not take them.
        Where typing answers the current step (a nickname, a plan section), the step is shown
        again, so they see where they are and a next "ok" is not taken for the answer; a flow
        with a ``safety_held`` trigger in this state decides for itself (a module's reflection
        counts as answered). Elsewhere their buttons are still on screen: nothing is added."""
        triggers = self.machine.get_triggers(state)
        if "safety_held" in triggers:
            return self._run(state, context, Event.enter(), profile, "safety_held")
        if self.trigger_for(Event.typed("…")) in triggers:
            return Outcome(state, context, self.render(state, context, profile), [])
        return Outcome(state, context, [], [])

    # --- what subclasses fill in --------------------------------------------------------------

    def trigger_for(self, event: Event) -> str | None:
        """Which trigger an event fires; buttons carry `<prefix>:<trigger>[:<arg>]`."""
        if event.kind == "button" and event.data.startswith(self.prefix + ":"):
            return event.data.split(":")[1]
        return None

    def show(self, turn: Turn) -> None:
        """Say what the current state asks for."""
        raise NotImplementedError

    # --- machinery ----------------------------------------------------------------------------

    def button_arg(self, turn: Turn) -> str:
        return callback.parse(turn.event.data).rest(1)

    def button_number(self, turn: Turn, maximum: int = callback.MAX_NUMBER) -> int | None:
        """The button's argument as a number (an index, a row id), or None: see flows.callback."""
        return callback.parse_number(self.button_arg(turn), maximum)

    def _run(self, state: str, context: dict[str, Any], event: Event, profile: Profile,
             trigger: str) -> Outcome:
        turn = self._idle_turns.pop() if self._idle_turns else self._new_turn(state, profile)
        turn.state, turn.context, turn.event, turn.profile = state, dict(context), event, profile
        turn.replies, turn.effects, turn.goto = [], [], None
        try:
            if trigger not in self.machine.get_triggers(state) or not turn.may_trigger(trigger):
                return Outcome(state, context, [], [], understood=False)
            turn.trigger(trigger)
            return Outcome(turn.state, turn.context, turn.replies, turn.effects, turn.goto)
        finally:
            self._idle_turns.append(turn)

    def _new_turn(self, state: str, profile: Profile) -> Turn:
        """A model for the machine, kept and reused: adding a model to a machine (its trigger
        and state methods) costs more than running the turn itself. Each turn gets fresh lists
        and context, so an Outcome never shares them with a later turn."""
        turn = Turn(state, {}, Event.enter(), profile)
        self._bind(turn)
        self.machine.add_model(turn, initial=state)
        return turn

    def _bind(self, turn: Turn) -> None:
        """Expose this flow's callbacks on the model, so the state table can name them."""
        for name in self._callback_names():
            setattr(turn, name, _Bound(getattr(self, name), turn))

    def _callback_names(self) -> set[str]:
        cached = getattr(type(self), "_callbacks", None)
        if cached is None:
            names: set[str] = set()
            for row in self.TRANSITIONS:
                for key in ("conditions", "unless", "before", "after", "prepare"):
                    value = row.get(key)
                    if value:
                        names.update([value] if isinstance(value, str) else value)
            type(self)._callbacks = names
            cached = names
        return cached


class _Bound:
    """A flow method called by the machine as `model.<name>(event_data)`."""

    __slots__ = ("method", "turn")

    def __init__(self, method: Any, turn: Turn):
        self.method = method
        self.turn = turn

    def __call__(self, _event_data: Any = None) -> Any:
        return self.method(self.turn)
