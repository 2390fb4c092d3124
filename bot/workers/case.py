"""`CaseFeature`: a worker feature about one young person at a time, on the one access rule.

A command shows a picker of the young people this worker may see; every button is
`<prefix>:<action>:<young person id>[:<more>]`. Before a feature sees a young person, this
checks the shape of the button (the actions the feature declares, with how many parts follow
the id) and the worker's right to see that young person now (`access_rule`), so a stale or
forged button reaches nothing and a refusal is audited, in every feature alike.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from bot.db.models import Person
from bot.workers import access_rule
from bot.workers.desk import Desk
from flows import callback
from flows.base import Button, Event, Reply


def label(person: Person) -> str:
    """How a young person is named to staff: the pseudonym, with their nickname if they chose one."""
    return f"{person.pseudonym} ({person.nickname})" if person.nickname else person.pseudonym


def when(moment: datetime, *, time: bool = True) -> str:
    """A date (and time) as staff read it: "3 Jan 18:30"."""
    return f"{moment.day} {moment:%b %H:%M}" if time else f"{moment.day} {moment:%b}"


def nav_row(desk: Desk, prefix: str, page: int, pages: int) -> tuple[Button, ...]:
    """Back and More between the pages of a list."""
    row = []
    if page > 0:
        row.append(Button(desk.say("staff.case.back"), f"{prefix}:{page - 1}"))
    if page < pages - 1:
        row.append(Button(desk.say("staff.case.more"), f"{prefix}:{page + 1}"))
    return tuple(row)


class CaseFeature:
    """Subclasses give `name`, `commands`, `question`, the `actions` they take beyond picking,
    and `act` (or just `choose`, for a feature whose only action is the pick). Its words are
    `staff.` keys (content/staff.yaml), so a feature names the key, never the words."""

    name: ClassVar[str]
    commands: ClassVar[tuple[str, ...]]  # its commands; the worker's /help: staff.help.<command>
    roles: ClassVar[set[str]] = access_rule.CASELOAD_ROLES
    prefix: ClassVar[str] = ""  # of its buttons; the feature's name when not given
    question: ClassVar[str] = "staff.case.question"
    pick: ClassVar[str] = "y"  # the picker's buttons: <prefix>:<pick>:<id> ("": no picking)
    page: ClassVar[str] = "pick"  # the picker's pages: <prefix>:<page>:<n>
    page_size: ClassVar[int] = 5
    # action -> how many parts may follow the young person's id (the pick takes none)
    actions: ClassVar[dict[str, tuple[int, ...]]] = {}
    nobody: ClassVar[str] = "staff.case.nobody"
    refused: ClassVar[str] = "staff.case.refused"
    stale: ClassVar[str] = "staff.case.stale"
    cancelled: ClassVar[str] = ""  # what `<prefix>:cancel` says, for a feature that offers it

    @property
    def button_prefix(self) -> str:
        return self.prefix or self.name

    async def handle(self, desk: Desk, event: Event) -> list[Reply] | None:
        if event.kind == "command" and event.command in self.commands:
            return await self.command(desk, event)
        pressed = callback.parse(event.data) if event.kind == "button" else None
        if pressed is None or pressed.prefix != self.button_prefix:
            return None
        return await self.pressed(desk, pressed.part(0), list(pressed.parts[1:]))

    async def command(self, desk: Desk, event: Event) -> list[Reply]:
        return [await self.picker(desk, 0)]

    async def pressed(self, desk: Desk, action: str, args: list[str]) -> list[Reply]:
        """One of this feature's buttons: a page of the picker, or an action on a young person
        (checked here, shape first, then access)."""
        page = callback.parse_number(args[0]) if len(args) == 1 else None
        if action == self.page and page is not None:
            return [await self.picker(desk, page)]
        if action == "cancel" and not args and self.cancelled:
            return [Reply(desk.say(self.cancelled))]
        shapes = (0,) if self.pick and action == self.pick else self.actions.get(action)
        if shapes is None or not args or len(args) - 1 not in shapes:
            return [Reply(desk.say(self.stale))]
        person = await access_rule.young_person(desk, self.name, args[0])
        if person is None:
            return [Reply(desk.say(self.refused))]
        return await self.act(desk, action, person, args[1:])

    async def act(self, desk: Desk, action: str, person: Person, args: list[str]) -> list[Reply]:
        """Do `action` for a young person this worker may see; `args` follow the id."""
        if action == self.pick:
            return await self.choose(desk, person)
        return await self.other(desk, action, person, args)

    async def choose(self, desk: Desk, person: Person) -> list[Reply]:
        """What picking a young person does."""
        raise NotImplementedError

    async def other(self, desk: Desk, action: str, person: Person, args: list[str]) -> list[Reply]:
        """Any other of `actions`."""
        return [Reply(desk.say(self.stale))]

    async def picker(self, desk: Desk, page: int) -> Reply:
        """The young people this worker may pick, a page at a time."""
        found, page, pages = await access_rule.caseload_page(desk, page, self.page_size)
        if not found:
            return Reply(desk.say(self.nobody))
        prefix = self.button_prefix
        rows: list[tuple[Button, ...]] = [(Button(label(p), f"{prefix}:{self.pick}:{p.id}"),)
                                          for p in found]
        nav = nav_row(desk, f"{prefix}:{self.page}", page, pages)
        question = desk.say(self.question)
        title = (desk.say("staff.case.paged", question=question, page=page + 1, pages=pages)
                 if pages > 1 else question)
        return Reply(title, tuple(rows) + ((nav,) if nav else ()))

    async def young_person(self, desk: Desk, raw_id: str) -> Person | None:
        """The young person a saved id names, checked again now (rights may have changed since
        they were picked); a refusal is audited."""
        return await access_rule.young_person(desk, self.name, raw_id)
