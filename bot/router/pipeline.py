"""The path of one update: claim -> flood -> identify -> safety first -> dispatch -> save.

Everything for one update happens in one database transaction, so the conversation state, the
progress and (with the safety work) any alert are saved together or not at all.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.engine import Database
from bot.db.models import Role
from bot.features.registry import Registry
from bot.pictures.charts import draw_pictures
from bot.records import people
from bot.records.conversation_record import save_held
from bot.router.flood import FloodGuard
from bot.router.last_active import mark_active, note_active
from bot.router.safety_step import SafetyStep
from bot.router.worker_side import WorkerSide
from bot.router.young_person import YoungPersonSide
from bot.safety.gate import SafetyGate
from bot.time.clock import system_clock
from bot.workers.invites import announce_joined, announce_other_invite
from content.loader import Content
from flows.base import Event, Reply
from flows.common import with_help

log = logging.getLogger(__name__)
Clock = Callable[[], datetime]
CONNECTION_ATTEMPTS = 2


@dataclass(frozen=True)
class Identity:
    """Who sent an update, as far as Telegram tells us. The first name is never stored."""

    telegram_id: int
    chat_id: int


class ConversationRouter:
    """Turns one event from one person into the replies to send, saving everything on the way.

    It needs a safety gate (`DetectingGate` in production; tests say which they use): a router
    that silently read nothing would be worse than one that does not start."""

    def __init__(self, db: Database, registry: Registry, *, safety: SafetyGate | None,
                 clock: Clock = system_clock):
        self.db = db
        self.registry = registry  # the features: flows, commands, hooks, effects, workers
        self.content: Content = registry.content
        self.flows = registry.flows
        self.clock = clock
        self.young = YoungPersonSide(registry, clock)
        self.hearing = SafetyStep(safety, self.young)
        self.safety: SafetyGate = self.hearing.gate
        self.workers = WorkerSide(registry, clock)
        self.on_commit: list[Callable[[], None]] = []  # e.g. wake the outbox sender
        self.flood = FloodGuard()

    async def handle(self, who: Identity, event: Event, *, update_id: int | None = None
                     ) -> list[Reply]:
        """One update, one transaction; then wake whoever waits for committed work, and draw
        any chart among the replies.

        The transaction starts by taking this person's lock, so two processes handling two of
        their updates at once take turns (the second sees what the first saved). A repeated
        delivery of the same update id does nothing the second time.
        """
        typed = event.kind in ("text", "media", "edit")  # button taps are never a flood
        flooding = self.flood.hit(who.telegram_id, self.clock()) if typed else ""
        for attempt in range(1, CONNECTION_ATTEMPTS + 1):
            try:
                replies = await self._in_transaction(who, event, update_id, flooding)
                break
            except _SeenBefore:
                log.info("duplicate update ignored", extra={"update_id": update_id})
                return []
            except DBAPIError as error:
                # the server dropped a pooled connection (a restart, a failover): nothing was
                # saved, the pool is already refreshed, so the whole update runs again
                if not error.connection_invalidated or attempt == CONNECTION_ATTEMPTS:
                    raise
                log.warning("database connection lost; handling the update again",
                            extra={"update_id": update_id})
        for wake in self.on_commit:
            wake()
        return await draw_pictures(replies)  # charts are drawn now, with no lock held

    async def _in_transaction(self, who: Identity, event: Event, update_id: int | None,
                              flooding: str) -> list[Reply]:
        async with self.db.transaction() as session:
            try:
                await self.db.claim_update(session, who.telegram_id, update_id, self.clock(),
                                           event.fingerprint)
            except IntegrityError as error:
                # only the claim tells a repeated delivery; a constraint failing later is an
                # error like any other (retried, never taken for a duplicate and dropped)
                raise _SeenBefore from error
            if flooding:
                replies = await self._flooded(session, who, event, flooding)
            else:
                replies = await self._handle(session, who, event)
                await mark_active(session, self.clock())
            await save_held(session, self.clock())
            return replies

    async def _flooded(self, session: AsyncSession, who: Identity, event: Event,
                       first: str) -> list[Reply]:
        """Too many messages too fast: danger scanning still runs on every one, the flow rests."""
        person = await people.find_by_telegram(session, who.telegram_id)
        replies = await self.hearing.while_flooding(session, person, event)
        if first == "first" and not replies:
            replies.append(Reply(self.content.text("general.slow_down")))
        return _finish(replies, self.content)

    async def _handle(self, session: AsyncSession, who: Identity, event: Event) -> list[Reply]:
        # the conversation is held here for the whole update, so later lookups need no query
        person, _held_conversation = await people.find_with_conversation(session,
                                                                         who.telegram_id)
        starting = self.young.opens(event) == "start"
        arrival = ""
        if starting and event.args.strip():
            claim = await people.claim_invite(session, event.args.strip(), who.telegram_id,
                                              self.clock(), existing=person)
            arrival = ("invited" if claim.ok else
                       "already_linked" if claim.already_linked else "invite_failed")
            person = claim.person or person
            if claim.ok and claim.purpose == "young_person" and person is not None:
                await announce_joined(session, self.content, person, self.clock())
            elif claim.already_linked and person is not None:
                await announce_other_invite(session, self.content, person, self.clock())
        if person is None:
            person = await people.create_person(session, Role.YOUNG_PERSON,
                                                telegram_id=who.telegram_id)
        note_active(session, person)
        if person.role != Role.YOUNG_PERSON:
            return await self.workers.handle(session, person, event, arrival)
        replies, event, answered = await self.hearing.hear(session, person, event)
        if not answered:
            replies.extend(await (self.young.start(session, person, arrival) if starting
                                  else self.young.handle(session, person, event)))
        return _finish(replies, self.content)


class _SeenBefore(Exception):
    """This update (its id and fingerprint) was handled already: its claim failed."""


def _finish(replies: list[Reply], content: Content) -> list[Reply]:
    """Help is one tap away: the last message of every answer carries the help button."""
    if not replies:
        return replies
    return [*replies[:-1], with_help(replies[-1], content)]
