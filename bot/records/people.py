"""Finding and creating people, and claiming invites.

Young people are known to the team by a pseudonym (YP-7KQ2); their own nickname is only for the
bot to greet them with. Invite codes are single-use and expire.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Select, bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Invite, Person, Role
from bot.records import module_progress, safety_plans
from bot.records.conversation_record import TABLE as CONVERSATIONS
from bot.records.conversation_record import ConversationRecord, hold

INVITE_LIFETIME = timedelta(days=7)
_PSEUDONYM_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread
_PREFIX = {Role.YOUNG_PERSON: "YP", Role.SUPPORT_WORKER: "SW", Role.DUTY_WORKER: "DW",
           Role.MANAGER: "MG", Role.ADMIN: "AD"}


def new_pseudonym(role: str) -> str:
    code = "".join(secrets.choice(_PSEUDONYM_ALPHABET) for _ in range(5))
    return f"{_PREFIX.get(Role(role), 'P')}-{code}"


# Invite codes are read aloud and copied by hand from a QR code's caption: capitals and digits
# with none that look or sound alike when written (0/O, 1/I/L, 2/Z, 5/S, 8/B, U/V are left out)
CODE_ALPHABET = "ACDEFGHJKMNPQRTWXY34679"
CODE_GROUPS, CODE_GROUP = 4, 4  # K7QM-3XRT-9HPD-W4ZC: 23**16, about 72 bits, single use, expiring


def new_code() -> str:
    """An unguessable code, easy to read aloud and type, that fits a deep link (A-Z, 0-9, -)."""
    return "-".join("".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_GROUP))
                    for _ in range(CODE_GROUPS))


def typed_code(text: str) -> str:
    """A code as a person may type it (small letters, spaces, no dashes) in its own form."""
    bare = "".join(ch for ch in text.upper() if ch.isascii() and ch.isalnum())
    if len(bare) != CODE_GROUPS * CODE_GROUP:
        return text
    return "-".join(bare[i:i + CODE_GROUP] for i in range(0, len(bare), CODE_GROUP))


async def find_by_telegram(session: AsyncSession, telegram_id: int) -> Person | None:
    return await session.scalar(select(Person).where(Person.telegram_id == telegram_id))


def _with_conversation(dialect: str) -> Select:
    """The person, their conversation, module progress and safety plan, in one statement."""
    return (select(Person, CONVERSATIONS.c.flow, CONVERSATIONS.c.state, CONVERSATIONS.c.context,
                   module_progress.rows_column(dialect, Person.id),
                   safety_plans.stored_column(Person.id))
            .outerjoin(CONVERSATIONS, CONVERSATIONS.c.person_id == Person.id)
            .where(Person.telegram_id == bindparam("telegram_id")))


# Built once per dialect: every update runs it, and a statement built once keeps its cache key
_WITH_CONVERSATION = {dialect: _with_conversation(dialect) for dialect in ("postgresql", "sqlite")}


async def find_with_conversation(session: AsyncSession, telegram_id: int
                                 ) -> tuple[Person | None, ConversationRecord | None]:
    """The person, their conversation, module progress and safety plan in one query. The last
    three are held for the rest of the update (`conversation_record.conversation_of`,
    `module_progress.rows_of` and `safety_plans.get_plan` answer without the database)."""
    statement = _WITH_CONVERSATION[session.bind.dialect.name]
    row = (await session.execute(statement, {"telegram_id": telegram_id})).first()
    if row is None:
        return None, None
    person, flow, state, context, progress, plan = row
    module_progress.hold(session, person.id, progress)
    safety_plans.hold(session, person.id, plan)
    return person, hold(session, person.id, flow, state, context)


async def free_pseudonym(session: AsyncSession, role: str) -> str:
    """A pseudonym nobody has. Random ones do collide (among 300 people, about once in 750
    groups; CI met one), and a collision would fail the new person's first message."""
    while True:
        pseudonym = new_pseudonym(role)
        if await session.scalar(select(Person.id).where(Person.pseudonym == pseudonym)) is None:
            return pseudonym


async def create_person(session: AsyncSession, role: str, *, telegram_id: int | None = None,
                        display_name: str | None = None, worker_id: int | None = None) -> Person:
    person = Person(role=role, telegram_id=telegram_id,
                    pseudonym=await free_pseudonym(session, role),
                    display_name=display_name, worker_id=worker_id)
    session.add(person)
    await session.flush()
    return person


async def create_invite(session: AsyncSession, person: Person, *, purpose: str, now: datetime,
                        created_by: Person | None = None,
                        lifetime: timedelta = INVITE_LIFETIME) -> Invite:
    invite = Invite(code=new_code(), purpose=purpose, person_id=person.id,
                    created_by_id=created_by.id if created_by else None,
                    created_at=now, expires_at=now + lifetime)
    session.add(invite)
    await session.flush()
    return invite


@dataclass(frozen=True)
class Claim:
    """What happened when someone opened a deep link."""

    ok: bool
    person: Person | None = None
    purpose: str | None = None
    already_linked: bool = False  # a young person with a worker opened another worker's invite


async def claim_invite(session: AsyncSession, code: str, telegram_id: int, now: datetime,
                       existing: Person | None) -> Claim:
    """Bind the Telegram account to the invite's person, once, before it expires.

    A young person who already used the bot without an invite keeps their record and is
    linked to the worker; the placeholder record made by the worker is retired. A young person
    who already has a worker is never moved by a link: that would hand their chats, plan and
    alerts to whoever sent it, without their own worker knowing. The invite stays unused and
    the claim says `already_linked` (the router tells them kindly and tells their worker).
    """
    invite = await session.scalar(  # exactly as sent (a link; codes from before), or as typed
        select(Invite).where(Invite.code.in_({code, typed_code(code)})).with_for_update())
    if invite is None or invite.used_at is not None or invite.expires_at <= now:
        return Claim(False)
    target = await session.get(Person, invite.person_id)
    if target is None or not target.active or target.telegram_id not in (None, telegram_id):
        return Claim(False)
    if existing is not None and existing.id != target.id:
        if invite.purpose != "young_person" or existing.role != Role.YOUNG_PERSON:
            return Claim(False)
        if existing.worker_id is not None and existing.worker_id != target.worker_id:
            return Claim(False, existing, invite.purpose, already_linked=True)
        existing.worker_id = target.worker_id
        target.active = False
        invite.used_at = now
        return Claim(True, existing, invite.purpose)
    target.telegram_id = telegram_id
    invite.used_at = now
    return Claim(True, target, invite.purpose)
