"""Who may see this young person, or this alert: the one answer, for every worker feature.

Buttons carry plain database ids, which mean nothing by themselves: every command and every
press looks the record up again here and asks `may_see`, so a forged or stale button reaches
nothing. The rule:

- the worker is an active member of staff (an admin runs the system, not cases);
- a young person (an active one): a manager sees everyone, a support worker their own
  caseload (being linked to someone gives a duty worker or an admin nothing);
- an alert: whoever is on duty for it - a manager, a duty worker, a support worker on the duty
  list or on duty now, or the young person's own worker.

Every answer is audited the same way: a refusal here, as `access_refused` with the feature and
what was asked for; an allowed look or change by the feature, as what it did to whose record.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Select, false, func, select

from bot.db.models import Alert, Person, Role
from bot.workers.desk import Desk
from flows import callback

# who works with young people's records at all (support workers their own; managers everyone)
CASELOAD_ROLES: set[str] = {Role.SUPPORT_WORKER, Role.MANAGER}
# who may be on duty for an alert
ALERT_ROLES: set[str] = {Role.SUPPORT_WORKER, Role.DUTY_WORKER, Role.MANAGER}


def may_see(worker: Person, young: Person, alert: Alert | None = None) -> bool:
    """Whether `worker` may see `young` now (about `alert`, when it is given)."""
    if not worker.active:
        return False
    if alert is not None:
        return alert.person_id == young.id and on_duty_for(worker, young)
    if young.role != Role.YOUNG_PERSON or not young.active:
        return False
    return worker.role == Role.MANAGER or (worker.role == Role.SUPPORT_WORKER
                                           and young.worker_id == worker.id)


def on_duty_for(worker: Person, young: Person) -> bool:
    """Whether `worker` handles `young`'s alerts: the duty list and managers any alert; a
    support worker one on their own caseload."""
    if worker.role not in ALERT_ROLES:
        return False
    return (worker.role in (Role.MANAGER, Role.DUTY_WORKER) or worker.on_duty_list
            or worker.on_duty or young.worker_id == worker.id)


def caseload(worker: Person) -> Select[tuple[Person]]:
    """`may_see` as a query: the young people this worker may see, oldest record first."""
    query = select(Person).where(Person.role == Role.YOUNG_PERSON, Person.active.is_(True))
    if not worker.active or worker.role not in CASELOAD_ROLES:
        query = query.where(false())
    elif worker.role != Role.MANAGER:
        query = query.where(Person.worker_id == worker.id)
    return query.order_by(Person.id)


async def caseload_page(desk: Desk, page: int, size: int) -> tuple[Sequence[Person], int, int]:
    """One page of the people this worker may see: (people, page, pages)."""
    query = caseload(desk.worker)
    total = await desk.session.scalar(select(func.count()).select_from(query.subquery()))
    pages = max(1, -(-int(total or 0) // size))
    page = min(max(page, 0), pages - 1)
    found = (await desk.session.scalars(query.offset(page * size).limit(size))).all()
    return found, page, pages


async def young_person(desk: Desk, feature: str, raw_id: str) -> Person | None:
    """The young person an id from a button names, if this worker may see them right now;
    otherwise None, and the refusal is audited."""
    person_id = callback.parse_number(raw_id, callback.MAX_ROW_ID)
    person = await desk.session.get(Person, person_id) if person_id is not None else None
    if person is None or not may_see(desk.worker, person):
        await refused(desk, feature, raw_id)
        return None
    return person


async def alert(desk: Desk, feature: str, raw_id: str) -> tuple[Alert, Person] | None:
    """The alert an id names and its young person, if this worker is on duty for it; otherwise
    None, and the refusal is audited."""
    row_id = callback.parse_number(raw_id, callback.MAX_ROW_ID)
    found = await desk.session.get(Alert, row_id) if row_id is not None else None
    young = await desk.session.get(Person, found.person_id) if found is not None else None
    if found is None or young is None or not may_see(desk.worker, young, found):
        await refused(desk, feature, raw_id)
        return None
    return found, young


async def refused(desk: Desk, feature: str, asked_for: str) -> None:
    """Record a refusal: who asked, in which feature, for what (the id as sent, cut short)."""
    await desk.audit("access_refused", None, feature=feature, asked_for=asked_for[:12])
