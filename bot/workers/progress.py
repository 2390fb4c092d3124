"""`/progress`: one young person's modules, step reached, quiz results and completion dates."""

from __future__ import annotations

from typing import ClassVar

from sqlalchemy import select

from bot.db.models import ModuleProgress, Person
from bot.features.registry import worker_feature
from bot.workers.case import CaseFeature, label, when
from bot.workers.desk import Desk
from flows.base import Reply

BAR = 5


def bar(done: int, total: int) -> str:
    """A text progress bar: ▓▓▓░░."""
    filled = int(BAR * done / total + 0.5) if total else 0  # half rounds up
    return "▓" * filled + "░" * (BAR - filled)


class ProgressFeature(CaseFeature):
    name: ClassVar[str] = "progress"
    commands: ClassVar[tuple[str, ...]] = ("progress",)
    question: ClassVar[str] = "staff.progress.question"

    async def choose(self, desk: Desk, person: Person) -> list[Reply]:
        rows = {r.module_id: r for r in (await desk.session.scalars(
            select(ModuleProgress).where(ModuleProgress.person_id == person.id))).all()}
        await desk.audit("progress_viewed", person)
        say = desk.say
        lines = [say("staff.progress.title", label=label(person))]
        for module in desk.content.modules.values():
            row = rows.get(module.id)
            if row is None:
                continue
            total = len(module.steps_for(person.age_band))  # type: ignore[arg-type]
            if row.completed_at is not None:
                state = say("staff.progress.done", bar=bar(total, total),
                            when=when(row.completed_at, time=False))
            elif row.started_at is not None:
                state = say("staff.progress.step", bar=bar(row.step + 1, total),
                            step=row.step + 1, total=total)
            else:
                state = say("staff.progress.not_started", bar=bar(0, total))
            extras = []
            if row.questions:
                extras.append(say("staff.progress.quiz", score=row.score, questions=row.questions))
            if row.assigned_at is not None:
                extras.append(say("staff.progress.assigned", when=when(row.assigned_at, time=False)))
            if row.due_at is not None and row.completed_at is None:
                extras.append(say("staff.progress.due", when=when(row.due_at, time=False)))
            lines += ["", module.title, " · ".join([state, *extras])]
        if len(lines) == 1:
            lines += ["", say("staff.progress.nothing")]
        return [Reply("\n".join(lines))]


FEATURE = worker_feature(ProgressFeature)

