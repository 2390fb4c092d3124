"""The path of one message (DESIGN.md): identify -> safety first -> flow -> save -> replies.

Everything for one update happens in one database transaction, so the conversation state, the
progress and (with the safety work) any alert are saved together or not at all.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, update
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from bot import people
from bot.charts import draw_pictures
from bot.conversation_record import (
    ConversationRecord,
    begin_conversation,
    conversation_of,
    save_held,
)
from bot.db.engine import Database
from bot.db.models import Person, Role
from bot.features.registry import Registry
from bot.flood import FloodGuard
from bot.safety.gate import CountingGate, SafetyGate
from bot.safety.reach_worker import offer_to_tell
from bot.workers.desk import Desk, WorkerFeature, worker_help
from bot.workers.invites import announce_joined, announce_other_invite
from content.loader import Content
from flows import callback
from flows.base import PROFILE_FIELDS, Effect, Event, Flow, Goto, Outcome, Profile, Reply
from flows.common import HELP, HELP_BACK, HIDE, MENU, help_reply, with_help

log = logging.getLogger(__name__)
Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Identity:
    """Who sent an update, as far as Telegram tells us. The first name is never stored."""

    telegram_id: int
    chat_id: int


class ConversationRouter:
    """Turns one event from one person into the replies to send, saving everything on the way."""

    def __init__(self, db: Database, registry: Registry, *, safety: SafetyGate | None = None,
                 clock: Clock = system_clock):
        self.db = db
        self.registry = registry  # the features: flows, commands, hooks, effects, workers
        self.content: Content = registry.content
        self.flows = registry.flows
        self.by_prefix = registry.by_prefix
        self.safety: SafetyGate = safety or CountingGate()
        self.clock = clock
        self.young_person_hooks = registry.hooks
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
                await _mark_active(session, self.clock())
            await save_held(session, self.clock())
            return replies

    async def _flooded(self, session: AsyncSession, who: Identity, event: Event,
                       first: str) -> list[Reply]:
        """Too many messages too fast: danger scanning still runs on every one, the flow rests."""
        person = await people.find_by_telegram(session, who.telegram_id)
        replies: list[Reply] = []
        if person is not None and person.role == Role.YOUNG_PERSON and event.text:
            remember = self._free_text(await conversation_of(session, person.id))
            replies.extend((await self.safety.check(session, person, event.text,
                                                    remember=remember)).replies)
        if first == "first" and not replies:
            replies.append(Reply(self.content.text("general.slow_down")))
        return _finish(replies, self.content)

    async def _handle(self, session: AsyncSession, who: Identity, event: Event) -> list[Reply]:
        # the conversation is held here for the whole update, so later lookups need no query
        person, _held_conversation = await people.find_with_conversation(session,
                                                                         who.telegram_id)
        arrival = ""
        if self._opens(event) == "start" and event.args.strip():
            claim = await people.claim_invite(session, event.args.strip(), who.telegram_id,
                                              self.clock(), existing=person)
            arrival = ("invited" if claim.ok else
                       "already_linked" if claim.already_linked else "invite_failed")
            person = claim.person or person
            if claim.ok and claim.purpose == "young_person" and person is not None:
                await announce_joined(session, person, self.clock())
            elif claim.already_linked and person is not None:
                await announce_other_invite(session, person, self.clock())
        if person is None:
            person = await people.create_person(session, Role.YOUNG_PERSON,
                                                telegram_id=who.telegram_id)
        session.info[ACTIVE_PERSON] = person
        if person.role != Role.YOUNG_PERSON:
            return await self._worker(session, person, event, arrival)
        replies: list[Reply] = []
        if event.text:  # typed text, edits and captions alike
            convo = await conversation_of(session, person.id)
            outcome = await self.safety.check(session, person, event.text,
                                              remember=self._free_text(convo))
            replies.extend(outcome.replies)
            if outcome.replies:  # the gate has answered their words (e.g. asked kindly)
                session.info[SAFETY_ANSWERED] = True
            if outcome.hold_flow:
                # the flow rests, but a worker talking with them must still read every word
                for hook in self.young_person_hooks:
                    relayed = await hook.handle(session, person, convo, event)
                    if relayed is not None:
                        replies.extend(relayed)
                        break
                else:  # then where they are, and what they can do next
                    where = await self._after_safety(session, person, convo)
                    replies = _before_the_safe_question(replies, where)
                return _finish(replies, self.content)
            if outcome.replies:
                event = replace(event, heard="unsure")
        if self._opens(event) == "start":
            convo = await conversation_of(session, person.id)
            replies.extend(await self._start(session, person, convo, arrival))
        else:
            replies.extend(await self._young_person(session, person, event))
        return _finish(replies, self.content)

    async def _after_safety(self, session: AsyncSession, person: Person,
                            convo: ConversationRecord | None) -> list[Reply]:
        """The flow they were in, after the safety reply: where they are and the way on."""
        if convo is None or person.privacy_accepted_at is None or convo.flow not in self.flows:
            return []
        flow = self.flows[convo.flow]
        profile = await self._profile(session, person, flow.profile_needs)
        context, saved_return = _split(convo.context)
        return await self._apply(session, person, convo,
                                 flow.after_safety(convo.state, context, profile), saved_return)

    def _free_text(self, convo: ConversationRecord | None) -> bool:
        """Whether what they type now is free talk, kept as the detector's context and quoted
        beside a later alert; not so before they have a conversation, nor when it answers a
        step that takes something private (a nickname, a plan section, a code word, where and
        who). Either way the gate scans it."""
        if convo is None:
            return False
        flow = self.flows.get(convo.flow)
        return flow is None or convo.state not in flow.sensitive_states

    # --- young people -------------------------------------------------------------------------

    async def _young_person(self, session: AsyncSession, person: Person,
                            event: Event) -> list[Reply]:
        convo = await conversation_of(session, person.id)
        text = self.content.text
        if event.kind == "command":
            return await self._command(session, person, convo, event)
        for hook in self.young_person_hooks:
            handled = await hook.handle(session, person, convo, event)
            if handled is not None:
                return handled
        if event.kind == "media":
            return [Reply(text("general.media"))] + await self._render(session, person, convo)
        if event.kind == "edit":
            return [Reply(text("general.edited"))]
        if convo is None or (person.privacy_accepted_at is None and convo.flow != "onboarding"):
            lead = await self._not_understood(session, person, event) if event.text else None
            return ([lead] if lead else []) + await self._switch(session, person, convo,
                                                                 Goto("onboarding"))
        if event.kind == "button":
            if event.data == HIDE:
                return [Reply(self.content.text("general.hidden"), action=HIDE)]
            if event.data == HELP:
                return [help_reply(self.content)]
            if event.data == HELP_BACK:
                return await self._render(session, person, convo)
            if event.data == MENU:
                return await self._switch(session, person, convo, Goto("menu"))
            target = self.by_prefix.get(event.data.split(":", 1)[0])
            if (target is not None and target.name != convo.flow
                    and (target.interrupts or target.entered_by_button)):
                # a button that belongs to another flow: a menu item, or a check-in that
                # interrupts whatever they were doing and hands it back afterwards
                _enter(convo, target, push=target.interrupts)
        return await self._run(session, person, convo, event)

    def _opens(self, event: Event) -> str:
        """What a young person's command does, as its feature declares ("" if none)."""
        command = self.registry.commands.get(event.command) if event.kind == "command" else None
        return command.opens if command is not None else ""

    async def _command(self, session: AsyncSession, person: Person, convo: ConversationRecord | None,
                       event: Event) -> list[Reply]:
        command = self.registry.commands.get(event.command)
        if command is None or command.opens == "start":
            return [Reply(self.content.text("general.unknown_command"))]
        if command.opens == "reply":
            assert command.reply is not None
            return [command.reply(self.content, convo is not None)]
        if person.privacy_accepted_at is None or (command.opens == "interrupt" and convo is None):
            return await self._switch(session, person, convo, Goto("onboarding"))
        if command.opens == "goto":
            assert command.goto is not None
            return await self._switch(session, person, convo, command.goto)
        assert convo is not None
        flow = self.flows[command.flow]  # "interrupt": enter it from here, hand back after
        _enter(convo, flow, push=flow.interrupts)
        return await self._run(session, person, convo, event)

    async def _start(self, session: AsyncSession, person: Person, convo: ConversationRecord | None,
                     arrival: str) -> list[Reply]:
        """`/start` or a deep link (already claimed by `handle`): onboarding, or the menu."""
        if person.privacy_accepted_at is None or convo is None:
            return await self._switch(session, person, convo, Goto("onboarding", arrival))
        replies = []
        if arrival == "invited":
            replies.append(Reply(self.content.text("onboarding.welcome_invited")))
        elif arrival == "invite_failed":
            replies.append(Reply(self.content.text("onboarding.invite_not_valid")))
        elif arrival == "already_linked":
            replies.append(Reply(self.content.text("onboarding.already_linked")))
        return replies + await self._switch(session, person, convo, Goto("menu"))

    async def _run(self, session: AsyncSession, person: Person, convo: ConversationRecord,
                   event: Event) -> list[Reply]:
        flow = self.flows[convo.flow]
        profile = await self._profile(session, person, flow.profile_needs)
        context, saved_return = _split(convo.context)
        outcome = flow.handle(convo.state, context, event, profile)
        if not outcome.understood:
            lead = await self._not_understood(session, person, event)
            return ([lead] if lead else []) + flow.render(convo.state, context, profile)
        return await self._apply(session, person, convo, outcome, saved_return)

    async def _not_understood(self, session: AsyncSession, person: Person,
                              event: Event) -> Reply | None:
        """What to say before showing where they are. Typed words are never shrugged off: the
        bot says it may not understand and offers to send them to their worker."""
        if event.kind == "button":
            return Reply(self.content.text("general.stale_button"))
        if not event.text:
            return Reply(self.content.text("general.reprompt"))
        if session.info.get(SAFETY_ANSWERED):
            return None
        return await offer_to_tell(session, self.content, person, event.text, self.clock())

    async def _switch(self, session: AsyncSession, person: Person, convo: ConversationRecord | None,
                      goto: Goto) -> list[Reply]:
        if convo is None:
            convo = begin_conversation(session, person.id, goto.flow)
        if goto.flow == RETURN:
            back = _split(convo.context)[1]
            if back is None:
                return await self._switch(session, person, convo, Goto("menu"))
            convo.flow, convo.state, convo.context = back["flow"], back["state"], back["context"]
            return await self._render(session, person, convo)
        target = self.flows[goto.flow]
        profile = await self._profile(session, person, target.profile_needs)
        outcome = target.start(profile, goto.args)
        if not outcome.understood:  # e.g. a module that no longer exists
            return [Reply(self.content.text("module.unknown"))] + await self._switch(
                session, person, convo, Goto("menu"))
        saved_return = _split(convo.context)[1] if goto.keep_return else None
        convo.flow = goto.flow
        return await self._apply(session, person, convo, outcome, saved_return)

    async def _apply(self, session: AsyncSession, person: Person, convo: ConversationRecord,
                     outcome: Outcome, saved_return: dict | None = None) -> list[Reply]:
        extra: list[Reply] = []
        for effect in outcome.effects:
            extra += await self._effect(session, person, effect)
        convo.state = outcome.state
        convo.context = {**outcome.context, **({RETURN_KEY: saved_return} if saved_return else {})}
        replies = list(outcome.replies) + extra
        if outcome.goto is not None:
            replies += await self._switch(session, person, convo, outcome.goto)
        return replies

    async def _render(self, session: AsyncSession, person: Person,
                      convo: ConversationRecord | None) -> list[Reply]:
        if convo is None:
            return await self._switch(session, person, None, Goto("onboarding"))
        flow = self.flows[convo.flow]
        profile = await self._profile(session, person, flow.profile_needs)
        context = _split(convo.context)[0]
        return flow.render(convo.state, context, profile)

    # --- effects ------------------------------------------------------------------------------

    async def _effect(self, session: AsyncSession, person: Person, effect: Effect) -> list[Reply]:
        """Apply one effect through the feature that declares it; some answer with more
        messages (a wheel's chart, a summary)."""
        applier = self.registry.effects.get(type(effect))
        if applier is None:
            log.error("no handler for effect", extra={"effect": type(effect).__name__})
            return []
        return await applier(session, person, effect, self.clock()) or []

    async def _profile(self, session: AsyncSession, person: Person,
                       needs: frozenset[str] = PROFILE_FIELDS) -> Profile:
        """What the flow may know, loading only what it says it needs (one query each)."""
        loaded: dict[str, Any] = {name: await load(session, person)
                                  for name, load in self.registry.profile.items() if name in needs}
        return Profile(nickname=person.nickname, age_band=person.age_band,
                       has_worker=person.worker_id is not None, **loaded)

    # --- workers (their own commands come with the workers' issue) -----------------------------

    async def _worker(self, session: AsyncSession, person: Person, event: Event,
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
            replies.append(Reply(f"Welcome, {person.display_name or person.pseudonym}! "
                                 "Your Telegram account is now linked to RISE."))
        if not (event.kind == "command" and event.command in ("start", "help")):
            for feature in self._workers_for(desk, event):
                handled = await feature.handle(desk, event)
                if handled is not None:
                    return replies + handled
        if event.kind == "command" and event.command not in ("start", "help"):
            replies.append(Reply(self.content.text("general.unknown_command")))
        if event.kind == "button":
            replies.append(Reply(self.content.text("staff.said.stale_button")))
        return replies + [worker_help(self.registry.workers, desk)]

    def _workers_for(self, desk: Desk, event: Event) -> list[WorkerFeature]:
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


class _SeenBefore(Exception):
    """This update (its id and fingerprint) was handled already: its claim failed."""


RETURN = "return"
CONNECTION_ATTEMPTS = 2
ACTIVE_GRANULARITY = timedelta(minutes=1)
ACTIVE_PERSON = "rise.active_person"  # session.info key: whose last_active_at to update
RETURN_KEY = "_return"
def _before_the_safe_question(safety: list[Reply], where: list[Reply]) -> list[Reply]:
    """The safety reply, where they are, then "Are you somewhere safe right now?" last, so
    the question stays the newest message on their screen."""
    last = safety[-1] if safety else None
    if last is not None and any(b.data.startswith("safe:") for row in last.buttons for b in row):
        return [*safety[:-1], *where, last]
    return [*safety, *where]


SAFETY_ANSWERED = "rise.safety_answered"  # session.info key: the gate already replied to the text


async def _mark_active(session: AsyncSession, now: datetime) -> None:
    """Note when the person was last active: at most one write a minute, made last. When the
    update changed nothing else of theirs, a plain UPDATE (no unit-of-work flush); otherwise
    it goes out in the same UPDATE as those changes."""
    person = session.info.pop(ACTIVE_PERSON, None)
    if person is None or (person.last_active_at is not None
                          and now - person.last_active_at <= ACTIVE_GRANULARITY):
        return
    if person in session.dirty:
        person.last_active_at = now
        return
    await session.execute(_MARK_ACTIVE, {"b_id": person.id, "b_at": now})
    set_committed_value(person, "last_active_at", now)


_MARK_ACTIVE = update(Person.__table__).where(Person.__table__.c.id == bindparam("b_id")).values(
    last_active_at=bindparam("b_at"))


def _split(context: dict[str, Any]) -> tuple[dict[str, Any], dict | None]:
    """The flow's own context, and where to go back to when an interruption ends."""
    own = dict(context or {})
    return own, own.pop(RETURN_KEY, None)


def _enter(convo: ConversationRecord, flow: Flow, *, push: bool) -> None:
    """Move the conversation into `flow` at its entry state, remembering where it was."""
    saved = {"flow": convo.flow, "state": convo.state, "context": _split(convo.context)[0]}
    previous_return = _split(convo.context)[1]
    if push and convo.flow != flow.name:
        convo.context = {RETURN_KEY: saved}
    else:
        convo.context = {RETURN_KEY: previous_return} if previous_return else {}
    convo.flow, convo.state = flow.name, flow.entry_state


def _finish(replies: list[Reply], content: Content) -> list[Reply]:
    """Help is one tap away: the last message of every answer carries the help button."""
    if not replies:
        return replies
    return [*replies[:-1], with_help(replies[-1], content)]
