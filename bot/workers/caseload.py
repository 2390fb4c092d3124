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
    commands: ClassVar[dict[str, str]] = {"caseload": "your young people at a glance"}
    pick: ClassVar[str] = ""  # its buttons lead into /progress
    page: ClassVar[str] = "p"

    async def picker(self, desk: Desk, page: int) -> Reply:
        found, page, pages = await caseload_page(desk, page, self.page_size)
        if not found:
            return Reply(self.nobody)
        title = "Everyone's young people" if desk.role == Role.MANAGER else "Your caseload"
        lines = [f"{title} · page {page + 1} of {pages}", ""]
        buttons = []
        for person in found:
            lines += [await self.summary(desk, person), ""]
            buttons.append((Button(f"📈 {person.pseudonym}", f"progress:y:{person.id}"),))
            await desk.audit("caseload_viewed", person)
        nav = nav_row("caseload:p", page, pages)
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
        if person.telegram_id is None:
            active = "not joined yet"
        else:
            active = f"last active {when(person.last_active_at)}"
        next_checkin = when(checkin) if checkin else "none"
        return (f"{label(person)}\n{active}\n"
                f"modules: {done} done / {assigned} assigned · open alerts: {alerts or 0}\n"
                f"next check-in: {next_checkin}")


FEATURE = worker_feature(CaseloadView)

