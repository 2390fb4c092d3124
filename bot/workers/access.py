"""Who may see which young person, checked on the server for every command and button.

Buttons carry plain database ids, which mean nothing by themselves: every press looks the
young person up again and checks the presser's rights (`young_person`). A support worker sees
their own caseload, a manager sees everyone, and nobody else reaches these features at all.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import ClassVar

from sqlalchemy import Select, func, select

from bot.db.models import Person, Role
from bot.workers.desk import Desk
from flows import callback
from flows.base import Button, Event, Keyboard, Reply

CASELOAD_ROLES: set[str] = {Role.SUPPORT_WORKER, Role.MANAGER}
PAGE = 5

NOT_ON_CASELOAD = "That young person is not on your caseload."
STALE = "That button no longer works. Please start again with the command."
NOBODY = "You have no young people yet. Use /invite to add one."


def sees_everyone(desk: Desk) -> bool:
    return desk.role == Role.MANAGER


def visible(desk: Desk) -> Select[tuple[Person]]:
    """The young people this worker may see, oldest record first."""
    query = select(Person).where(Person.role == Role.YOUNG_PERSON, Person.active.is_(True))
    if not sees_everyone(desk):
        query = query.where(Person.worker_id == desk.worker.id)
    return query.order_by(Person.id)


async def young_person(desk: Desk, raw_id: str) -> Person | None:
    """The young person an id names, if this worker may see them right now; else None."""
    person_id = callback.parse_number(raw_id, callback.MAX_ROW_ID)
    if person_id is None or not desk.worker.active or desk.role not in CASELOAD_ROLES:
        return None
    person = await desk.session.get(Person, person_id)
    if person is None or person.role != Role.YOUNG_PERSON or not person.active:
        return None
    if sees_everyone(desk) or person.worker_id == desk.worker.id:
        return person
    return None


def label(person: Person) -> str:
    return f"{person.pseudonym} ({person.nickname})" if person.nickname else person.pseudonym


def when(moment: datetime | None, *, time: bool = True) -> str:
    if moment is None:
        return "never"
    return f"{moment.day} {moment:%b %H:%M}" if time else f"{moment.day} {moment:%b}"


async def page_of(desk: Desk, page: int) -> tuple[Sequence[Person], int, int]:
    """One page of the people this worker may see: (people, page, pages)."""
    total = await desk.session.scalar(select(func.count()).select_from(visible(desk).subquery()))
    pages = max(1, -(-int(total or 0) // PAGE))
    page = min(max(page, 0), pages - 1)
    found = (await desk.session.scalars(visible(desk).offset(page * PAGE).limit(PAGE))).all()
    return found, page, pages


def nav_row(prefix: str, page: int, pages: int) -> tuple[Button, ...]:
    row = []
    if page > 0:
        row.append(Button("◀️ Back", f"{prefix}:{page - 1}"))
    if page < pages - 1:
        row.append(Button("More ▶️", f"{prefix}:{page + 1}"))
    return tuple(row)


class CaseFeature:
    """A worker feature about young people: a command, and buttons named `<name>:<action>:...`.

    Subclasses give `name`, `commands`, `question` and `choose` (what picking a young person
    does); pickers page themselves. Only support workers and managers get these features.
    """

    name: ClassVar[str]
    commands: ClassVar[dict[str, str]]
    roles: ClassVar[set[str]] = CASELOAD_ROLES
    question: ClassVar[str] = "Which young person?"

    async def handle(self, desk: Desk, event: Event) -> list[Reply] | None:
        if event.kind == "command" and event.command in self.commands:
            return await self.command(desk, event)
        pressed = callback.parse(event.data) if event.kind == "button" else None
        if pressed is not None and pressed.prefix == self.name:
            action, args = pressed.part(0), list(pressed.parts[1:])
            page = pressed.number(1)
            if action == "pick" and len(args) == 1 and page is not None:
                return [await self.picker(desk, page)]
            return await self.button(desk, action, args)
        return None

    async def command(self, desk: Desk, event: Event) -> list[Reply]:
        return [await self.picker(desk, 0)]

    async def picker(self, desk: Desk, page: int) -> Reply:
        """The young people this worker may pick, a page at a time."""
        found, page, pages = await page_of(desk, page)
        if not found:
            return Reply(NOBODY)
        rows: list[tuple[Button, ...]] = [(Button(label(p), f"{self.name}:y:{p.id}"),) for p in found]
        nav = nav_row(f"{self.name}:pick", page, pages)
        title = self.question + (f" (page {page + 1} of {pages})" if pages > 1 else "")
        return Reply(title, tuple(rows) + ((nav,) if nav else ()))

    async def button(self, desk: Desk, action: str, args: list[str]) -> list[Reply]:
        if action == "y" and len(args) == 1:
            person = await young_person(desk, args[0])
            if person is None:
                return await refuse(desk, self.name, args[0])
            return await self.choose(desk, person)
        return await self.other(desk, action, args)

    async def choose(self, desk: Desk, person: Person) -> list[Reply]:
        raise NotImplementedError

    async def other(self, desk: Desk, action: str, args: list[str]) -> list[Reply]:
        """Further buttons; anything unknown is a stale or forged button."""
        return [Reply(STALE)]


async def refuse(desk: Desk, feature: str, raw_id: str) -> list[Reply]:
    """Someone asked for a young person they may not see: say so politely, and record it."""
    await desk.audit("access_refused", None, feature=feature, asked_for=raw_id[:12])
    return [Reply(NOT_ON_CASELOAD)]


def one_column(buttons: list[Button]) -> Keyboard:
    return tuple((b,) for b in buttons)
