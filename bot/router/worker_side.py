"""The worker side of one update: a `Desk`, then the features that may take the event, in the
order that lets a feature awaiting the worker's typed text see it first."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Person
from bot.features.registry import Registry
from bot.records.conversation_record import begin_conversation, conversation_of
from bot.workers.desk import Desk, WorkerFeature, worker_help
from flows import callback
from flows.base import Event, Reply

OPEN_COMMANDS = ("start", "help")  # answered with the worker's help, never by a feature


class WorkerSide:
    """Hands a worker's event to the feature whose it is, or answers with their /help."""

    def __init__(self, registry: Registry, clock: Callable[[], datetime]):
        self.registry = registry
        self.content = registry.content
        self.clock = clock

    async def handle(self, session: AsyncSession, person: Person, event: Event,
                     arrival: str) -> list[Reply]:
        """Workers: each feature in turn; the one awaiting the worker's typed text goes first."""
        if not person.active:
            return [Reply(self.content.text("staff.said.switched_off"))]
        convo = await conversation_of(session, person.id)
        if convo is None:
            convo = begin_conversation(session, person.id, "worker", "idle")
        desk = Desk(session, person, convo, self.content, self.clock())
        replies: list[Reply] = []
        if arrival == "invited":
            replies.append(Reply(desk.say("staff.said.welcome",
                                          name=person.display_name or person.pseudonym)))
        opening = event.kind == "command" and event.command in OPEN_COMMANDS
        if not opening:
            for feature in self._features_for(desk, event):
                handled = await feature.handle(desk, event)
                if handled is not None:
                    return replies + handled
        if event.kind == "command" and not opening:
            replies.append(Reply(self.content.text("general.unknown_command")))
        if event.kind == "button":
            replies.append(Reply(self.content.text("staff.said.stale_button")))
        return replies + [worker_help(self.registry.workers, desk)]

    def _features_for(self, desk: Desk, event: Event) -> list[WorkerFeature]:
        """Who may take a worker's event: the feature awaiting their typed text first (it sees
        every event, and may let it go), then the one whose command or button it is."""
        registry = self.registry
        found: list[WorkerFeature] = []
        if desk.awaited is not None and desk.awaited[0] in registry.worker_by_name:
            found.append(registry.worker_by_name[desk.awaited[0]])
        if event.kind == "command":
            owner = registry.worker_by_command.get(event.command)
        elif event.kind == "button":
            owner = registry.worker_by_prefix.get(callback.parse(event.data).prefix)
        else:
            owner = None
        if owner is not None and owner not in found:
            found.append(owner)
        return [feature for feature in found if desk.role in feature.roles]
