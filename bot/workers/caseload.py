"""`/caseload`: each young person this worker may see, five to a page."""

from __future__ import annotations

from typing import ClassVar

from sqlalchemy import func, select

from bot.db.models import Alert, Job, ModuleProgress, Person, Role
from bot.features.registry import worker_feature
from bot.workers.access_rule import caseload_page
from bot.workers.case import CaseFeature, label, nav_row, when
from bot.workers.desk import Desk
from flows.base import Button, Reply


class CaseloadView(CaseFeature):
    """The caseload itself: its pages are the picker, each young person with a way into their
    progress."""

    name: ClassVar[str] = "caseload"
    commands: ClassVar[tuple[str, ...]] = ("caseload",)
    pick: ClassVar[str] = ""  # its buttons lead into /progress
    page: ClassVar[str] = "p"

    async def picker(self, desk: Desk, page: int) -> Reply:
        found, page, pages = await caseload_page(desk, page, self.page_size)
        if not found:
            return Reply(desk.say(self.nobody))
        title = desk.say("staff.caseload.title_manager" if desk.role == Role.MANAGER
                         else "staff.caseload.title")
        lines = [desk.say("staff.caseload.page", title=title, page=page + 1, pages=pages), ""]
        buttons = []
        for person in found:
            lines += [await self.summary(desk, person), ""]
            buttons.append((Button(desk.say("staff.caseload.progress_button",
                                            pseudonym=person.pseudonym),
                                   f"progress:y:{person.id}"),))
            await desk.audit("caseload_viewed", person)
        nav = nav_row(desk, "caseload:p", page, pages)
        return Reply("\n".join(lines).strip(), tuple(buttons) + ((nav,) if nav else ()))

    async def summary(self, desk: Desk, person: Person) -> str:
        session = desk.session
        rows = (await session.scalars(
            select(ModuleProgress).where(ModuleProgress.person_id == person.id))).all()
        done = sum(1 for r in rows if r.completed_at is not None)
        assigned = sum(1 for r in rows if r.assigned_at is not None)
        alerts = await session.scalar(select(func.count()).select_from(Alert).where(
            Alert.person_id == person.id, Alert.status != "resolved"))
        checkin = await session.scalar(select(func.min(Job.due_at)).where(
            Job.person_id == person.id, Job.kind == "checkin", Job.status == "pending"))
        say = desk.say
        if person.telegram_id is None:
            active = say("staff.caseload.not_joined")
        else:
            active = say("staff.caseload.last_active", when=when(person.last_active_at)
                         if person.last_active_at else say("staff.case.never"))
        next_checkin = when(checkin) if checkin else say("staff.caseload.none")
        return say("staff.caseload.summary", label=label(person), active=active, done=done,
                   assigned=assigned, alerts=alerts or 0, next_checkin=next_checkin)


FEATURE = worker_feature(CaseloadView)

