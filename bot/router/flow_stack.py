"""A young person's flow stack: which flow they are in, where an interruption hands back to, and
the effects of each outcome applied through the feature that declares them.

Switching flows and applying an outcome take turns in one loop (an outcome may say "go to"
another flow, whose start is an outcome again), so a chain of switches never recurses.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Person
from bot.features.registry import Registry
from bot.records.conversation_record import ConversationRecord, begin_conversation
from flows.base import PROFILE_FIELDS, Effect, Event, Flow, Goto, Outcome, Profile, Reply

log = logging.getLogger(__name__)

RETURN = "return"  # Goto(RETURN): back to where an interruption began
RETURN_KEY = "_return"  # context key: where to go back to
MAX_SWITCHES = 50  # a chain of "go to" longer than this is a loop between flows: a bug


class FlowLoop(RuntimeError):
    """Flows kept sending the conversation to each other."""


class FlowStack:
    """Runs, switches and renders a young person's flows, saving the state in their record."""

    def __init__(self, registry: Registry, clock: Callable[[], datetime]):
        self.registry = registry
        self.content = registry.content
        self.flows = registry.flows
        self.clock = clock

    async def profile(self, session: AsyncSession, person: Person,
                      needs: frozenset[str] = PROFILE_FIELDS) -> Profile:
        """What the flow may know, loading only what it says it needs (one query each)."""
        loaded: dict[str, Any] = {name: await load(session, person)
                                  for name, load in self.registry.profile.items() if name in needs}
        return Profile(nickname=person.nickname, age_band=person.age_band,
                       has_worker=person.worker_id is not None, **loaded)

    async def step(self, session: AsyncSession, person: Person, convo: ConversationRecord,
                   event: Event) -> tuple[Outcome, list[Reply] | None]:
        """Hand the event to the flow they are in: its outcome, and (when the flow did not
        understand) where they are, for the caller to lead with its own words."""
        flow = self.flows[convo.flow]
        profile = await self.profile(session, person, flow.profile_needs)
        context = split(convo.context)[0]
        outcome = flow.handle(convo.state, context, event, profile)
        if not outcome.understood:
            return outcome, flow.render(convo.state, context, profile)
        return outcome, None

    async def after_safety(self, session: AsyncSession, person: Person,
                           convo: ConversationRecord) -> list[Reply]:
        """The flow they were in, after a safety reply: where they are and the way on."""
        flow = self.flows[convo.flow]
        profile = await self.profile(session, person, flow.profile_needs)
        context = split(convo.context)[0]
        return await self.apply(session, person, convo,
                                flow.after_safety(convo.state, context, profile),
                                split(convo.context)[1])

    async def apply(self, session: AsyncSession, person: Person, convo: ConversationRecord,
                    outcome: Outcome, saved_return: dict | None = None) -> list[Reply]:
        """Apply an outcome, then follow its "go to" (and theirs) until a flow rests."""
        replies = await self._settle(session, person, convo, outcome, saved_return)
        if outcome.goto is None:
            return replies
        return replies + await self.switch(session, person, convo, outcome.goto)

    async def switch(self, session: AsyncSession, person: Person,
                     convo: ConversationRecord | None, goto: Goto | None) -> list[Reply]:
        """Go to a flow's start (or back from an interruption), following each "go to" in turn."""
        if convo is None:
            assert goto is not None
            convo = begin_conversation(session, person.id, goto.flow)
        replies: list[Reply] = []
        for _ in range(MAX_SWITCHES):
            if goto is None:
                return replies
            if goto.flow == RETURN:
                back = split(convo.context)[1]
                if back is None:
                    goto = Goto("menu")
                    continue
                convo.flow, convo.state, convo.context = (back["flow"], back["state"],
                                                          back["context"])
                return replies + await self.render(session, person, convo)
            target = self.flows[goto.flow]
            profile = await self.profile(session, person, target.profile_needs)
            outcome = target.start(profile, goto.args)
            if not outcome.understood:  # e.g. a module that no longer exists
                replies.append(Reply(self.content.text("module.unknown")))
                goto = Goto("menu")
                continue
            saved_return = split(convo.context)[1] if goto.keep_return else None
            convo.flow = goto.flow
            replies += await self._settle(session, person, convo, outcome, saved_return)
            goto = outcome.goto
        raise FlowLoop(f"more than {MAX_SWITCHES} switches in one update")

    async def render(self, session: AsyncSession, person: Person,
                     convo: ConversationRecord | None) -> list[Reply]:
        """Where they are, shown again."""
        if convo is None:
            return await self.switch(session, person, None, Goto("onboarding"))
        flow = self.flows[convo.flow]
        profile = await self.profile(session, person, flow.profile_needs)
        return flow.render(convo.state, split(convo.context)[0], profile)

    async def _settle(self, session: AsyncSession, person: Person, convo: ConversationRecord,
                      outcome: Outcome, saved_return: dict | None) -> list[Reply]:
        """Apply the outcome's effects and save its state; its replies, then the effects'."""
        extra: list[Reply] = []
        for effect in outcome.effects:
            extra += await self._effect(session, person, effect)
        convo.state = outcome.state
        convo.context = {**outcome.context, **({RETURN_KEY: saved_return} if saved_return else {})}
        return list(outcome.replies) + extra

    async def _effect(self, session: AsyncSession, person: Person, effect: Effect) -> list[Reply]:
        """Apply one effect through the feature that declares it; some answer with more
        messages (a wheel's chart, a summary)."""
        applier = self.registry.effects.get(type(effect))
        if applier is None:
            log.error("no handler for effect", extra={"effect": type(effect).__name__})
            return []
        return await applier(session, person, effect, self.clock()) or []


def split(context: dict[str, Any]) -> tuple[dict[str, Any], dict | None]:
    """The flow's own context, and where to go back to when an interruption ends."""
    own = dict(context or {})
    return own, own.pop(RETURN_KEY, None)


def enter(convo: ConversationRecord, flow: Flow, *, push: bool) -> None:
    """Move the conversation into `flow` at its entry state, remembering where it was."""
    saved = {"flow": convo.flow, "state": convo.state, "context": split(convo.context)[0]}
    previous_return = split(convo.context)[1]
    if push and convo.flow != flow.name:
        convo.context = {RETURN_KEY: saved}
    else:
        convo.context = {RETURN_KEY: previous_return} if previous_return else {}
    convo.flow, convo.state = flow.name, flow.entry_state
