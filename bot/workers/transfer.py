"""`/transfer`: hand a young person to another support worker or a manager; both are told."""

from __future__ import annotations

from typing import ClassVar

from sqlalchemy import select

from bot.db.models import Person, Role
from bot.features.registry import worker_feature
from bot.workers.case import CaseFeature, label
from bot.workers.desk import Desk
from flows import callback
from flows.base import Button, Reply

TAKES_CASES = (Role.SUPPORT_WORKER, Role.MANAGER)


def worker_label(worker: Person) -> str:
    return f"{worker.display_name or worker.pseudonym} ({worker.role.replace('_', ' ')})"


class TransferFeature(CaseFeature):
    name: ClassVar[str] = "transfer"
    commands: ClassVar[dict[str, str]] = {"transfer": "hand a young person to another worker"}
    question: ClassVar[str] = "Transfer which young person?"
    actions: ClassVar[dict[str, tuple[int, ...]]] = {"to": (1,)}  # to: the worker's id

    async def choose(self, desk: Desk, person: Person) -> list[Reply]:
        workers = (await desk.session.scalars(select(Person).where(
            Person.role.in_(TAKES_CASES), Person.active.is_(True),
            Person.id != person.worker_id).order_by(Person.display_name, Person.id))).all()
        if not workers:
            return [Reply(desk.content.text("staff.said.no_other_worker"))]
        buttons = tuple((Button(worker_label(w), f"transfer:to:{person.id}:{w.id}"),)
                        for w in workers)
        return [Reply(f"Who should take on {label(person)}?", buttons)]

    async def other(self, desk: Desk, action: str, person: Person, args: list[str]) -> list[Reply]:
        target_id = callback.parse_number(args[0], callback.MAX_ROW_ID)
        target = await desk.session.get(Person, target_id) if target_id is not None else None
        if target is None or target.role not in TAKES_CASES or not target.active:
            return [Reply(desk.content.text("staff.said.worker_cannot_take"))]
        if target.id == person.worker_id:
            return [Reply(f"{label(person)} is already with {worker_label(target)}.")]
        previous = await desk.session.get(Person, person.worker_id) if person.worker_id else None
        person.worker_id = target.id
        await desk.audit("transferred", person, from_worker=previous.id if previous else None,
                         to_worker=target.id)
        for worker, text in ((previous, f"{person.pseudonym} has moved to {worker_label(target)}."),
                             (target, f"{person.pseudonym} is now on your caseload.")):
            if worker is not None and worker.id != desk.worker.id and worker.active:
                await desk.tell(worker, text + f" (by {worker_label(desk.worker)})")
        return [Reply(f"Done: {label(person)} is now with {worker_label(target)}.")]


FEATURE = worker_feature(TransferFeature)

