"""A young person's event once the safety gate has let it through: their commands, the buttons
every screen shares, the hooks that may take it (a worker talking with them), then their flow.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Person
from bot.features.registry import Registry
from bot.records.conversation_record import ConversationRecord, conversation_of
from bot.router.flow_stack import FlowStack, enter, split
from bot.safety.reach_worker import offer_to_tell
from flows.base import Event, Goto, Reply
from flows.common import HELP, HELP_BACK, HIDE, MENU, help_reply

SAFETY_ANSWERED = "rise.safety_answered"  # session.info key: the gate already replied to the text


class YoungPersonSide:
    """Dispatches a young person's event to the command, button or flow it belongs to."""

    def __init__(self, registry: Registry, clock: Callable[[], datetime]):
        self.registry = registry
        self.content = registry.content
        self.flows = registry.flows
        self.by_prefix = registry.by_prefix
        self.hooks = registry.hooks
        self.clock = clock
        self.stack = FlowStack(registry, clock)

    def opens(self, event: Event) -> str:
        """What a young person's command does, as its feature declares ("" if none)."""
        command = self.registry.commands.get(event.command) if event.kind == "command" else None
        return command.opens if command is not None else ""

    def free_text(self, convo: ConversationRecord | None) -> bool:
        """Whether what they type now is free talk, kept as the detector's context and quoted
        beside a later alert; not so before they have a conversation, nor when it answers a
        step that takes something private (a nickname, a plan section, a code word, where and
        who). Either way the gate scans it."""
        if convo is None:
            return False
        flow = self.flows.get(convo.flow)
        return flow is None or convo.state not in flow.sensitive_states

    async def after_safety(self, session: AsyncSession, person: Person,
                           convo: ConversationRecord | None) -> list[Reply]:
        """The flow they were in, after the safety reply: where they are and the way on."""
        if convo is None or person.privacy_accepted_at is None or convo.flow not in self.flows:
            return []
        return await self.stack.after_safety(session, person, convo)

    async def handle(self, session: AsyncSession, person: Person, event: Event) -> list[Reply]:
        convo = await conversation_of(session, person.id)
        text = self.content.text
        stack = self.stack
        if event.kind == "command":
            return await self._command(session, person, convo, event)
        for hook in self.hooks:
            handled = await hook.handle(session, person, convo, event)
            if handled is not None:
                return handled
        if event.kind == "media":
            return [Reply(text("general.media"))] + await stack.render(session, person, convo)
        if event.kind == "edit":
            return [Reply(text("general.edited"))]
        if convo is None or (person.privacy_accepted_at is None and convo.flow != "onboarding"):
            lead = await self._not_understood(session, person, event) if event.text else None
            return ([lead] if lead else []) + await stack.switch(session, person, convo,
                                                                 Goto("onboarding"))
        if event.kind == "button":
            if event.data == HIDE:
                return [Reply(text("general.hidden"), action=HIDE)]
            if event.data == HELP:
                return [help_reply(self.content)]
            if event.data == HELP_BACK:
                return await stack.render(session, person, convo)
            if event.data == MENU:
                return await stack.switch(session, person, convo, Goto("menu"))
            target = self.by_prefix.get(event.data.split(":", 1)[0])
            if (target is not None and target.name != convo.flow
                    and (target.interrupts or target.entered_by_button)):
                # a button that belongs to another flow: a menu item, or a check-in that
                # interrupts whatever they were doing and hands it back afterwards
                enter(convo, target, push=target.interrupts)
        return await self._run(session, person, convo, event)

    async def start(self, session: AsyncSession, person: Person, arrival: str) -> list[Reply]:
        """`/start` or a deep link (already claimed by the pipeline): onboarding, or the menu."""
        convo = await conversation_of(session, person.id)
        if person.privacy_accepted_at is None or convo is None:
            return await self.stack.switch(session, person, convo, Goto("onboarding", arrival))
        replies = []
        if arrival == "invited":
            replies.append(Reply(self.content.text("onboarding.welcome_invited")))
        elif arrival == "invite_failed":
            replies.append(Reply(self.content.text("onboarding.invite_not_valid")))
        elif arrival == "already_linked":
            replies.append(Reply(self.content.text("onboarding.already_linked")))
        return replies + await self.stack.switch(session, person, convo, Goto("menu"))

    async def _command(self, session: AsyncSession, person: Person,
                       convo: ConversationRecord | None, event: Event) -> list[Reply]:
        command = self.registry.commands.get(event.command)
        if command is None or command.opens == "start":
            return [Reply(self.content.text("general.unknown_command"))]
        if command.opens == "reply":
            assert command.reply is not None
            return [command.reply(self.content, convo is not None)]
        if person.privacy_accepted_at is None or (command.opens == "interrupt" and convo is None):
            return await self.stack.switch(session, person, convo, Goto("onboarding"))
        if command.opens == "goto":
            assert command.goto is not None
            return await self.stack.switch(session, person, convo, command.goto)
        assert convo is not None
        flow = self.flows[command.flow]  # "interrupt": enter it from here, hand back after
        enter(convo, flow, push=flow.interrupts)
        return await self._run(session, person, convo, event)

    async def _run(self, session: AsyncSession, person: Person, convo: ConversationRecord,
                   event: Event) -> list[Reply]:
        saved_return = split(convo.context)[1]
        outcome, where = await self.stack.step(session, person, convo, event)
        if where is not None:
            lead = await self._not_understood(session, person, event)
            return ([lead] if lead else []) + where
        return await self.stack.apply(session, person, convo, outcome, saved_return)

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
