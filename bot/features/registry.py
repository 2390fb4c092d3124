"""The feature registry: what each feature declares, in one place, and the tables built from it.

A feature is one `Feature` value in its own module: its commands (with the words Telegram's
command menu or a worker's /help shows), its button prefix, its flow (a young person's) or its
handler (a worker's, or a safety hook that sees a young person's event before their flow), and
`parts`: the effect appliers keyed by effect type, the profile data it loads, and its clock
jobs, built from the services it `needs`. The catalogue (`bot/app/catalogue.py`) lists the features;
the router and the Telegram adapter read the `Registry` built from it, and nothing else lists
features.

A registry built without a service (no escalation in a test of the flows alone) leaves out the
parts that need it: a young person's flow still runs, a worker feature is not there at all.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Person
from content.loader import Content
from flows.base import Event, Flow, Goto, Reply

if TYPE_CHECKING:
    from bot.care.checkins import Checkins
    from bot.records.conversation_record import ConversationRecord
    from bot.safety.escalation import Escalation
    from bot.time.clock import JobHandler
    from bot.workers.desk import WorkerFeature

Side = Literal["young person", "worker", "safety"]
YOUNG_PERSON: Side = "young person"
WORKER: Side = "worker"
SAFETY: Side = "safety"  # acts on a young person's events before their flow does

# what a command does for a young person
Opens = Literal["goto", "interrupt", "reply", "start"]
EffectApplier = Callable[[AsyncSession, Person, Any, datetime], Awaitable["list[Reply] | None"]]
ProfileLoader = Callable[[AsyncSession, Person], Awaitable[Any]]
JobsOf = Callable[[Any], None]  # `register(clock)`: gives a clock the handlers of its job kinds


class YoungPersonHook(Protocol):
    """Something that may take a young person's event before their flow does (a safety answer,
    a relay message); returns None to let the flow have it."""

    async def handle(self, session: AsyncSession, person: Person,
                     convo: ConversationRecord | None, event: Event) -> list[Reply] | None: ...


@dataclass(frozen=True)
class Command:
    """A slash command. `about` is what Telegram's command menu says (young people's; a
    worker's /help reads `staff.help.<command>`); a command without it works but is not listed.

    For a young person, `opens` says what it does: `goto` switches to `goto` (the menu, the whole
    plan); `interrupt` enters `flow` from wherever they are and hands back afterwards (the timer);
    `reply` answers at once and moves nothing (help, hide); `start` is /start (and its links)."""

    name: str
    about: str = ""
    opens: Opens = "goto"
    goto: Goto | None = None
    flow: str = ""
    reply: Callable[[Content, bool], Reply] | None = None  # (content, has a conversation)


@dataclass(frozen=True)
class Parts:
    """What a feature does once built with its services."""

    handler: WorkerFeature | YoungPersonHook | None = None
    effects: Mapping[type, EffectApplier] = field(default_factory=dict)
    profile: Mapping[str, ProfileLoader] = field(default_factory=dict)  # Profile field -> loader
    jobs: Sequence[JobsOf] = ()


@dataclass(frozen=True)
class Kit:
    """The services features are built with; one that is None leaves out what needs it."""

    content: Content
    now: Callable[[], datetime]
    escalation: Escalation | None = None
    checkins: Checkins | None = None
    bot_username: str = "rise_demo_bot"


@dataclass(frozen=True)
class Feature:
    name: str
    side: Side
    commands: tuple[Command, ...] = ()
    prefix: str = ""  # of its buttons (`<prefix>:...`); a flow's own prefix when it has a flow
    flow: type[Flow] | None = None
    needs: frozenset[str] = frozenset()  # the Kit's services `parts` uses
    parts: Callable[[Kit], Parts] | None = None

    @property
    def button_prefix(self) -> str:
        return self.prefix or (self.flow.prefix if self.flow is not None else "")


def worker_feature(handler: type, *, needs: Iterable[str] = (),
                   build: Callable[[Kit], Any] | None = None) -> Feature:
    """A worker feature, declared by its handler's class: its `name`, its `commands` (a worker's
    /help says `staff.help.<command>`) and its button `prefix` (its name when it has none)."""
    return Feature(name=handler.name, side=WORKER,
                   commands=tuple(Command(name) for name in handler.commands),
                   prefix=getattr(handler, "prefix", "") or handler.name, needs=frozenset(needs),
                   parts=lambda kit: Parts(handler=build(kit) if build else handler()))


class RegistryError(Exception):
    """Two features claim one command, prefix, effect, profile field or job kind."""


class _Jobs:
    """Collects `register(kind, handler)` calls, as a clock would take them."""

    def __init__(self) -> None:
        self.handlers: dict[str, JobHandler] = {}

    def register(self, kind: str, handler: JobHandler) -> None:
        if kind in self.handlers:
            raise RegistryError(f"two handlers for the job kind {kind!r}")
        self.handlers[kind] = handler


class Registry:
    """Every table the router and the Telegram adapter read, built once per process."""

    def __init__(self, features: Iterable[Feature], kit: Kit, *,
                 sides: Iterable[Side] = (YOUNG_PERSON, WORKER, SAFETY)):
        wanted = set(sides)
        self.content = kit.content
        self.features = [f for f in features if f.side in wanted]
        self.flows: dict[str, Flow] = {}
        self.by_prefix: dict[str, Flow] = {}
        self.commands: dict[str, Command] = {}  # a young person's
        self.workers: list[WorkerFeature] = []  # in the order of a worker's /help
        self.worker_by_name: dict[str, WorkerFeature] = {}
        self.worker_by_command: dict[str, WorkerFeature] = {}
        self.worker_by_prefix: dict[str, WorkerFeature] = {}
        self.hooks: list[YoungPersonHook] = []  # in the order they see an event
        self.effects: dict[type, EffectApplier] = {}
        self.profile: dict[str, ProfileLoader] = {}
        self._jobs = _Jobs()
        for feature in self.features:
            self._add(feature, kit)

    def _add(self, feature: Feature, kit: Kit) -> None:
        built = (feature.parts(kit) if feature.parts is not None
                 and all(getattr(kit, need) is not None for need in feature.needs) else None)
        if feature.side == WORKER:
            if built is None or built.handler is None:
                return  # a worker feature without its services is not there at all
            worker: WorkerFeature = built.handler  # type: ignore[assignment]
            self.workers.append(worker)
            _put(self.worker_by_name, feature.name, worker, "worker feature")
            for command in feature.commands:
                _put(self.worker_by_command, command.name, worker, "worker command")
            _put(self.worker_by_prefix, feature.button_prefix, worker, "worker button prefix")
            return
        if feature.flow is not None:
            flow = feature.flow(kit.content)
            _put(self.flows, flow.name, flow, "flow")
            _put(self.by_prefix, flow.prefix, flow, "button prefix")
        for command in feature.commands:
            _put(self.commands, command.name, command, "command")
        if built is None:
            return
        if built.handler is not None:
            self.hooks.append(built.handler)  # type: ignore[arg-type]
        for kind, applier in built.effects.items():
            _put(self.effects, kind, applier, "effect applier")
        for name, loader in built.profile.items():
            _put(self.profile, name, loader, "profile loader")
        for jobs in built.jobs:
            jobs(self._jobs)

    def telegram_commands(self) -> list[tuple[str, str]]:
        """(command, description) for Telegram's command menu (setMyCommands)."""
        return [(c.name, c.about) for c in self.commands.values() if c.about]

    @property
    def jobs(self) -> Mapping[str, JobHandler]:
        """Job kind -> its handler, from every feature."""
        return self._jobs.handlers

    def register_jobs(self, clock: Any) -> None:
        """Give the clock every feature's job handlers."""
        for kind, handler in self._jobs.handlers.items():
            clock.register(kind, handler)


def _put(table: dict, key: Any, value: Any, what: str) -> None:
    if key in table:
        raise RegistryError(f"two features declare the {what} {key!r}")
    table[key] = value
