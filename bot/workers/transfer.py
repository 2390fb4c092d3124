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


def worker_label(desk: Desk, worker: Person) -> str:
    """A worker as other staff see them: name and role."""
    return desk.say("staff.transfer.worker", name=worker.display_name or worker.pseudonym,
                    role=desk.say(f"staff.role.{worker.role}"))


class TransferFeature(CaseFeature):
    name: ClassVar[str] = "transfer"
    commands: ClassVar[tuple[str, ...]] = ("transfer",)
    question: ClassVar[str] = "staff.transfer.question"
    actions: ClassVar[dict[str, tuple[int, ...]]] = {"to": (1,)}  # to: the worker's id

    async def choose(self, desk: Desk, person: Person) -> list[Reply]:
        workers = (await desk.session.scalars(select(Person).where(
            Person.role.in_(TAKES_CASES), Person.active.is_(True),
            Person.id != person.worker_id).order_by(Person.display_name, Person.id))).all()
        if not workers:
            return [Reply(desk.content.text("staff.said.no_other_worker"))]
        buttons = tuple((Button(worker_label(desk, w), f"transfer:to:{person.id}:{w.id}"),)
                        for w in workers)
        return [Reply(desk.say("staff.transfer.who", label=label(person)), buttons)]

    async def other(self, desk: Desk, action: str, person: Person, args: list[str]) -> list[Reply]:
        target_id = callback.parse_number(args[0], callback.MAX_ROW_ID)
        target = await desk.session.get(Person, target_id) if target_id is not None else None
        if target is None or target.role not in TAKES_CASES or not target.active:
            return [Reply(desk.content.text("staff.said.worker_cannot_take"))]
        if target.id == person.worker_id:
            return [Reply(desk.say("staff.transfer.already", label=label(person),
                                   worker=worker_label(desk, target)))]
        previous = await desk.session.get(Person, person.worker_id) if person.worker_id else None
        person.worker_id = target.id
        await desk.audit("transferred", person, from_worker=previous.id if previous else None,
                         to_worker=target.id)
        by = worker_label(desk, desk.worker)
        for worker, key in ((previous, "staff.transfer.moved_away"),
                            (target, "staff.transfer.moved_here")):
            if worker is not None and worker.id != desk.worker.id and worker.active:
                await desk.tell(worker, desk.say(key, pseudonym=person.pseudonym,
                                                 worker=worker_label(desk, target), by=by))
        return [Reply(desk.say("staff.transfer.done", label=label(person),
                               worker=worker_label(desk, target)))]


FEATURE = worker_feature(TransferFeature)

