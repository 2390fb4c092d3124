"""Who a worker may see, for the plan, wheel and closure features, checked on every press.

A support worker sees only young people on their own caseload (`Person.worker_id`); a manager
sees everyone. Buttons carry a record id, which means nothing without this check.
"""

from __future__ import annotations

from typing import ClassVar

from sqlalchemy import select

from bot.db.models import Person, Role
from bot.workers.desk import Desk
from flows import callback
from flows.base import Button, Event, Reply, keyboard

MAY_USE = {Role.SUPPORT_WORKER, Role.MANAGER}
NOT_YOURS = "Sorry, that young person is not on your caseload."


async def caseload(desk: Desk) -> list[Person]:
    """The young people this worker may see, by pseudonym."""
    query = select(Person).where(Person.role == Role.YOUNG_PERSON, Person.active)
    if desk.role != Role.MANAGER:
        query = query.where(Person.worker_id == desk.worker.id)
    return list((await desk.session.scalars(query.order_by(Person.pseudonym))).all())


async def young_person(desk: Desk, raw_id: str) -> Person | None:
    """The young person a button names, if this worker may see them; None otherwise."""
    person_id = callback.parse_number(raw_id, callback.MAX_ROW_ID)
    if person_id is None:
        return None
    person = await desk.session.get(Person, person_id)
    if person is None or person.role != Role.YOUNG_PERSON or not person.active:
        return None
    if desk.role == Role.MANAGER or (desk.role == Role.SUPPORT_WORKER
                                     and person.worker_id == desk.worker.id):
        return person
    return None


def name_of(person: Person) -> str:
    return f"{person.pseudonym} ({person.nickname})" if person.nickname else person.pseudonym


async def picker(desk: Desk, prefix: str, question: str) -> Reply:
    """Pick a young person from the caseload: one button each, `<prefix>:pick:<id>`."""
    people = await caseload(desk)
    if not people:
        return Reply("There is nobody on your caseload yet.")
    return Reply(question, keyboard(*[[Button(name_of(p), f"{prefix}:pick:{p.id}")]
                                      for p in people]))


def parse(event: Event, prefix: str) -> list[str] | None:
    """`<prefix>:<action>[:<args>...]` for this feature's buttons, else None."""
    if event.kind != "button" or not event.data.startswith(prefix + ":"):
        return None
    return list(callback.parse(event.data).parts)


class CaseloadFeature:
    """A worker command that starts by picking one of the worker's own young people.

    `/<command>` shows the picker; every button `<prefix>:<action>:<id>[:<arg>]` is checked
    against the presser's caseload on the server before `act` sees the young person.
    """

    roles: ClassVar[set[str]] = set(MAY_USE)
    prefix: ClassVar[str]
    command: ClassVar[str]
    question: ClassVar[str]

    async def handle(self, desk: Desk, event: Event) -> list[Reply] | None:
        if event.kind == "command" and event.command == self.command:
            return [await picker(desk, self.prefix, self.question)]
        parts = parse(event, self.prefix)
        if parts == ["cancel"]:
            return [Reply("OK, nothing has changed.")]
        if not parts or len(parts) < 2:
            return None
        person = await young_person(desk, parts[1])
        if person is None:
            return [Reply(NOT_YOURS)]
        return await self.act(desk, parts[0], person, parts[2:])

    async def act(self, desk: Desk, action: str, person: Person,
                  args: list[str]) -> list[Reply] | None:
        """Do `action` for a young person the worker may act on; None if it means nothing."""
        raise NotImplementedError
