"""`/invite`: a new young person record with a pseudonym, and a single-use link plus QR code.

When the young person opens the link the router claims it and calls `announce_joined`, so the
worker hears about it through the outbox.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Person, Role
from bot.features.registry import worker_feature
from bot.pictures.qr import deep_link, qr_png
from bot.records import people
from bot.time.outbox import enqueue
from bot.workers.access_rule import CASELOAD_ROLES
from bot.workers.desk import Desk
from content.loader import Content
from flows.base import Event, Reply


class InviteFeature:
    name: ClassVar[str] = "invite"
    commands: ClassVar[tuple[str, ...]] = ("invite",)
    roles: ClassVar[set[str]] = CASELOAD_ROLES

    def __init__(self, bot_username: str = "rise_demo_bot"):
        self.bot_username = bot_username

    async def handle(self, desk: Desk, event: Event) -> list[Reply] | None:
        if event.kind != "command" or event.command != "invite":
            return None
        record = await people.create_person(desk.session, Role.YOUNG_PERSON, worker_id=desk.worker.id)
        invite = await people.create_invite(desk.session, record, purpose="young_person",
                                            now=desk.now, created_by=desk.worker)
        await desk.audit("invite_created", record, invite_id=invite.id)
        link = deep_link(self.bot_username, invite.code)
        days = (invite.expires_at - desk.now).days
        text = desk.say("staff.invite.made", pseudonym=record.pseudonym, days=days, link=link)
        return [Reply(text, photo=qr_png(link))]


async def _tell_own_worker(session: AsyncSession, content: Content, young_person: Person,
                           now: datetime, key: str) -> None:
    """A line to the young person's own active worker, if they have one on Telegram."""
    if young_person.worker_id is None:
        return
    worker = await session.get(Person, young_person.worker_id)
    if worker is None or worker.telegram_id is None or not worker.active:
        return
    text = content.text(key, pseudonym=young_person.pseudonym)
    await enqueue(session, chat_id=worker.telegram_id, now=now, text=text)


async def announce_joined(session: AsyncSession, content: Content, young_person: Person,
                          now: datetime) -> None:
    """Tell the worker that a young person has joined through their invite."""
    await _tell_own_worker(session, content, young_person, now, "staff.invite.joined")


async def announce_other_invite(session: AsyncSession, content: Content, young_person: Person,
                                now: datetime) -> None:
    """Tell a young person's own worker that they opened another worker's invite (which was
    refused: the invite stays unused and they stay on this caseload)."""
    await _tell_own_worker(session, content, young_person, now, "staff.invite.other_invite")


FEATURE = worker_feature(InviteFeature, build=lambda kit: InviteFeature(kit.bot_username))
