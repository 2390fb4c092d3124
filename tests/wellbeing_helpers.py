"""People for the plan, wheel and closure tests: a support worker and a young person they support."""

from __future__ import annotations

from sqlalchemy import select

from bot.db.models import OutboxMessage, Person, Role
from bot.records import people


async def link_to_worker(db, young_telegram_id: int, *, worker_telegram_id: int = 9001,
                         role: str = Role.SUPPORT_WORKER, name: str = "Jo") -> Person:
    """A worker (made if new) with the young person on their caseload."""
    async with db.transaction() as session:
        worker = await people.find_by_telegram(session, worker_telegram_id)
        if worker is None:
            worker = await people.create_person(session, role, telegram_id=worker_telegram_id,
                                                display_name=name)
        young = await people.find_by_telegram(session, young_telegram_id)
        young.worker_id = worker.id
        return worker


async def person(db, telegram_id: int) -> Person:
    async with db.transaction() as session:
        return await people.find_by_telegram(session, telegram_id)


async def outbox_for(db, chat_id: int) -> list[OutboxMessage]:
    async with db.transaction() as session:
        return list((await session.scalars(select(OutboxMessage).where(
            OutboxMessage.chat_id == chat_id).order_by(OutboxMessage.id))).all())


async def young_person_id(db, telegram_id: int) -> int:
    async with db.transaction() as session:
        return (await session.scalar(select(Person.id).where(Person.telegram_id == telegram_id)))
