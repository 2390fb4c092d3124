"""While a worker talks with a young person through the bot (a relay, started from an alert by
/alerts' Talk button), what they type goes to the young person; End chat stops it."""

from __future__ import annotations

from typing import ClassVar

from bot.db.models import Person, Relay
from bot.features.registry import worker_feature
from bot.safety.young_person_side import active_relay, finish_relay
from bot.workers import access_rule
from bot.workers.desk import Desk
from bot.workers.table import WorkerTable
from flows.base import Button, Event, Reply


class RelayFeature(WorkerTable):
    """While a worker talks with a young person, their typed text goes to them."""

    name: ClassVar[str] = "relay"
    commands: ClassVar[tuple[str, ...]] = ()
    prefix: ClassVar[str] = "rl"
    roles: ClassVar[set[str]] = access_rule.ALERT_ROLES
    # 💬 Talk to them (bot/workers/duty.py) starts the talk; End chat ends it
    STATES: ClassVar[list[str]] = ["talking"]
    TRANSITIONS: ClassVar[list[dict]] = [
        {"trigger": "typed", "source": "talking", "dest": "talking", "after": "forward"},
        {"trigger": "blank", "source": "talking", "dest": "talking", "after": "forward"},
    ]

    async def handle(self, desk: Desk, event: Event) -> list[Reply] | None:
        if event.kind == "button" and event.data.startswith("rl:end:"):
            return await self._end(desk)
        return await self.run(desk, event)

    async def forward(self, desk: Desk, event: Event) -> list[Reply] | None:
        """What the worker typed, to the young person; None once the chat has gone."""
        relay = await active_relay(desk.session, worker_id=desk.worker.id)
        if relay is None:
            desk.clear_awaiting()
            return None
        young = await desk.session.get(Person, relay.young_person_id)
        if young is None:
            return None
        await desk.tell(young, desk.content.text("safety.relay_from_worker", text=event.text),
                        ((Button(desk.content.text("safety.relay_end_button"),
                                 f"rl:end:{relay.id}"),),), alert_id=relay.alert_id)
        await desk.audit("relay_message", young, relay_id=relay.id)
        return []

    async def _end(self, desk: Desk) -> list[Reply]:
        relay: Relay | None = await active_relay(desk.session, worker_id=desk.worker.id)
        desk.clear_awaiting()
        if relay is None:
            return [Reply(desk.content.text("staff.said.chat_already_ended"))]
        await finish_relay(desk.session, relay, desk.content, desk.now, ended_by="worker")
        return [Reply(desk.content.text("staff.said.chat_ended"))]


FEATURE = worker_feature(RelayFeature, needs={"escalation"})
