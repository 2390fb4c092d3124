"""The worker side of the router: a `Desk` for one update, and the features that use it.

Every feature checks the worker's rights on the server for every command and button: buttons
carry opaque ids that mean nothing without that check, so forged callback data does nothing.
Messages to anyone else go through the outbox in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import AuditEntry, OutboxMessage, Person, Role
from bot.records.conversation_record import ConversationRecord
from bot.time.outbox import enqueue
from content.loader import Content
from flows.base import Event, Keyboard, Reply

WORKER_ROLES = {Role.SUPPORT_WORKER, Role.DUTY_WORKER, Role.MANAGER, Role.ADMIN}


@dataclass
class Desk:
    """Everything a worker feature may use while handling one update."""

    session: AsyncSession
    worker: Person
    convo: ConversationRecord
    content: Content
    now: datetime
    notes: dict[str, Any] = field(default_factory=dict)

    @property
    def role(self) -> str:
        return self.worker.role

    def awaiting(self, feature: str, what: str, **context: Any) -> None:
        """The worker's next typed text belongs to `feature` (e.g. an outcome note)."""
        self.convo.flow, self.convo.state, self.convo.context = "worker", f"{feature}:{what}", context

    def clear_awaiting(self) -> None:
        self.convo.flow, self.convo.state, self.convo.context = "worker", "idle", {}

    @property
    def awaited(self) -> tuple[str, str] | None:
        if self.convo.state and ":" in self.convo.state:
            feature, what = self.convo.state.split(":", 1)
            return feature, what
        return None

    def say(self, key: str, **values: object) -> str:
        """Words for the worker, from `content/staff.yaml` (`key` is `staff.<...>`)."""
        return self.content.text(key, **values)

    async def tell(self, person: Person, text: str, buttons: Keyboard = (), *,
                   dedupe_key: str | None = None, alert_id: int | None = None
                   ) -> OutboxMessage | None:
        """Message someone else, through the outbox, in this transaction."""
        if person.telegram_id is None:
            return None
        return await enqueue(self.session, chat_id=person.telegram_id, text=text, buttons=buttons,
                             now=self.now, dedupe_key=dedupe_key, alert_id=alert_id)

    async def audit(self, action: str, subject: Person | None = None, **detail: Any) -> None:
        """Who read or changed which young person's record, and when."""
        self.session.add(AuditEntry(actor_id=self.worker.id, action=action,
                                    subject_id=subject.id if subject else None, at=self.now,
                                    detail=detail))


class WorkerFeature(Protocol):
    """A piece of the worker side: its commands, and how it handles an event."""

    name: ClassVar[str]
    commands: ClassVar[tuple[str, ...]]  # its commands; /help says `staff.help.<command>`
    roles: ClassVar[set[str]]  # who may use it at all

    async def handle(self, desk: Desk, event: Event) -> list[Reply] | None:
        """Replies if the event is this feature's, None if it is not."""
        ...


def worker_help(features: list[WorkerFeature], desk: Desk) -> Reply:
    lines = [desk.say("staff.help.hello", name=desk.worker.display_name or desk.worker.pseudonym,
                      role=desk.say(f"staff.role.{desk.role}")), ""]
    for feature in features:
        if desk.role in feature.roles:
            lines += [desk.say("staff.help.line", command=command,
                               about=desk.say(f"staff.help.{command}"))
                      for command in feature.commands]
    return Reply("\n".join(lines).strip())
