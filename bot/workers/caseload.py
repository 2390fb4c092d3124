"""`/caseload`: each young person this worker may see, five to a page."""

from __future__ import annotations

from typing import ClassVar

from sqlalchemy import func, select

from bot.db.models import Alert, Job, ModuleProgress, Person
from bot.workers.access import STALE, CaseFeature, label, nav_row, page_of, sees_everyone, when
from bot.workers.desk import Desk
from flows import callback
from flows.base import Button, Event, Reply


class CaseloadFeature(CaseFeature):
    name: ClassVar[str] = "caseload"
    commands: ClassVar[dict[str, str]] = {"caseload": "your young people at a glance"}

    async def command(self, desk: Desk, event: Event) -> list[Reply]:
        return [await self.page(desk, 0)]

    async def button(self, desk: Desk, action: str, args: list[str]) -> list[Reply]:
        page = callback.parse_number(args[0]) if len(args) == 1 else None
        if action == "p" and page is not None:
            return [await self.page(desk, page)]
        return [Reply(STALE)]

    async def page(self, desk: Desk, page: int) -> Reply:
        found, page, pages = await page_of(desk, page)
        if not found:
            return Reply("You have no young people yet. Use /invite to add one.")
        title = "Everyone's young people" if sees_everyone(desk) else "Your caseload"
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
