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
    commands: ClassVar[dict[str, str]] = {"progress": "modules, quizzes and dates for one young person"}
    question: ClassVar[str] = "Whose progress?"

    async def choose(self, desk: Desk, person: Person) -> list[Reply]:
        rows = {r.module_id: r for r in (await desk.session.scalars(
            select(ModuleProgress).where(ModuleProgress.person_id == person.id))).all()}
        await desk.audit("progress_viewed", person)
        lines = [f"📈 {label(person)}"]
        for module in desk.content.modules.values():
            row = rows.get(module.id)
            if row is None:
                continue
            total = len(module.steps_for(person.age_band))  # type: ignore[arg-type]
            if row.completed_at is not None:
                state = f"{bar(total, total)} done {when(row.completed_at, time=False)}"
            elif row.started_at is not None:
                state = f"{bar(row.step + 1, total)} step {row.step + 1} of {total}"
            else:
                state = f"{bar(0, total)} not started"
            extras = []
            if row.questions:
                extras.append(f"quiz {row.score}/{row.questions}")
            if row.assigned_at is not None:
                extras.append(f"assigned {when(row.assigned_at, time=False)}")
            if row.due_at is not None and row.completed_at is None:
                extras.append(f"due {when(row.due_at, time=False)}")
            lines += ["", module.title, state + "".join(f" · {e}" for e in extras)]
        if len(lines) == 1:
            lines += ["", "No modules assigned or started yet. Use /assign to give some."]
        return [Reply("\n".join(lines))]


FEATURE = worker_feature(ProgressFeature)

