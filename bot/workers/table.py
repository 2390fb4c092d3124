"""A worker feature's conversation as a `transitions` table, like a young person's flow.

Most worker features answer a command or a button at once. A few wait for the worker's typed
text (a case note, an outcome note, check-in times, a chat through the bot); their states and
what moves between them are a table of data, read like the `transitions` README:

    TRANSITIONS = [
        {"trigger": "picked", "source": "*", "dest": "text", "after": "ask"},
        {"trigger": "typed", "source": "text", "dest": "idle", "after": "save"},
    ]

The machine only moves the state and names the `after` callbacks; they are the feature's async
methods, run in order with the desk and the event (so the database work stays out of the
machine). The state is kept in the worker's
conversation as `<feature>:<state>` ("idle" when no feature waits), as before, so a
conversation saved by an older version carries on.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar

from transitions import Machine

from bot.workers.desk import Desk
from flows.base import Event, Reply

IDLE = "idle"


@dataclass
class _Move:
    """The machine's model for one event: the state, and the callbacks it named on the way."""

    state: str
    steps: list[str] = field(default_factory=list)


class WorkerTable:
    """A feature's states and transitions (class attributes), and `run` to take one event.

    `after` callbacks are the feature's async methods `(desk, event) -> replies`; one that
    returns None lets the event go (what the worker was waiting on is gone) and leaves the state
    to it. `conditions` are its plain methods `(desk, event) -> bool`."""

    STATES: ClassVar[list[str]]
    TRANSITIONS: ClassVar[list[dict[str, Any]]]
    _machine: ClassVar[Machine | None] = None

    @classmethod
    def machine(cls) -> Machine:
        if cls.__dict__.get("_machine") is None:
            cls._machine = Machine(model=None, states=[IDLE, *cls.STATES],
                                   transitions=cls.TRANSITIONS, initial=IDLE,
                                   auto_transitions=False, send_event=False)
        assert cls._machine is not None
        return cls._machine

    def waiting_in(self, desk: Desk) -> str:
        """The state of this feature's conversation with the worker (idle if not waiting)."""
        name: str = self.name  # type: ignore[attr-defined]
        return desk.awaited[1] if desk.awaited is not None and desk.awaited[0] == name else IDLE

    def wait(self, desk: Desk, state: str, **context: Any) -> None:
        """Enter `state` from outside the table (a pick, a button), remembering `context`."""
        desk.awaiting(self.name, state, **context)  # type: ignore[attr-defined]

    async def run(self, desk: Desk, event: Event) -> list[Reply] | None:
        """Take the event from where the worker is: move, then run the callbacks the move
        names. None when the table has no move for it (the event is not this feature's)."""
        before = self.waiting_in(desk)
        trigger = trigger_of(event)
        machine = self.machine()
        if trigger not in machine.get_triggers(before):
            return None
        move = _Move(before)
        for name, kind in _callback_names(machine).items():
            setattr(move, name, _recorder(move, name) if kind == "after"
                    else _condition(getattr(self, name), desk, event))
        machine.add_model(move, initial=before)
        try:
            moved = move.trigger(trigger)  # type: ignore[attr-defined]
        finally:
            machine.remove_model(move)
        if not moved:  # every move for it had a condition that did not hold
            return None
        replies: list[Reply] = []
        for name in move.steps:
            said = await getattr(self, name)(desk, event)
            if said is None:
                return None
            replies += said
        if desk.awaited == ((self.name, before) if before != IDLE else None):  # type: ignore[attr-defined]
            if move.state == IDLE:
                desk.clear_awaiting()
            else:
                self.wait(desk, move.state, **desk.convo.context)
        return replies


def trigger_of(event: Event) -> str:
    """What a worker's event is, as a trigger: typed words, blank text, /cancel, another
    command, or its kind ("media", "button", "edit")."""
    if event.kind == "text":
        return "typed" if event.text.strip() else "blank"
    if event.kind == "command":
        return "cancel" if event.command == "cancel" else "command"
    return event.kind


def _callback_names(machine: Machine) -> dict[str, str]:
    """Every callback the table names: name -> "after" or "condition"."""
    names: dict[str, str] = {}
    for event in machine.events.values():
        for transitions in event.transitions.values():
            for transition in transitions:
                names.update({c: "after" for c in transition.after if isinstance(c, str)})
                names.update({c.func: "condition" for c in transition.conditions
                              if isinstance(c.func, str)})
    return names


def _recorder(move: _Move, name: str) -> Callable[[], None]:
    return lambda: move.steps.append(name)


def _condition(check: Callable[[Desk, Event], bool], desk: Desk,
               event: Event) -> Callable[[], bool]:
    return lambda: check(desk, event)
