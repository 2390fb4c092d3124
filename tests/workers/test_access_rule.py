"""The one access rule: who may see a young person, or an alert; and every feature refusing
the same way (a polite reply, nothing changed, one `access_refused` row in the audit)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.db.models import Alert, AuditEntry, Person, Role
from bot.workers.access_rule import may_see
from flows.base import Event
from tests.workers.conftest import JO, Team


def person(pid: int, role: Role, *, worker_id: int | None = None, active: bool = True,
           on_duty: bool = False, on_duty_list: bool = False) -> Person:
    return Person(id=pid, role=role, worker_id=worker_id, active=active, on_duty=on_duty,
                  on_duty_list=on_duty_list)


SUPPORT, OTHER_SUPPORT, DUTY, MANAGER, ADMIN = 1, 2, 3, 4, 5
STAFF = {SUPPORT: Role.SUPPORT_WORKER, OTHER_SUPPORT: Role.SUPPORT_WORKER,
         DUTY: Role.DUTY_WORKER, MANAGER: Role.MANAGER, ADMIN: Role.ADMIN}


@pytest.mark.parametrize("worker, linked, sees_them, handles_their_alert", [
    (SUPPORT, SUPPORT, True, True),  # their own caseload
    (OTHER_SUPPORT, SUPPORT, False, False),  # someone else's
    (DUTY, DUTY, False, True),  # being linked gives a duty worker no caseload; alerts, always
    (DUTY, SUPPORT, False, True),
    (MANAGER, SUPPORT, True, True),  # managers: everyone
    (ADMIN, ADMIN, False, False),  # an admin runs the system, not cases
])
def test_the_rule_for_each_role(worker, linked, sees_them, handles_their_alert):
    staff = person(worker, STAFF[worker])
    young = person(10, Role.YOUNG_PERSON, worker_id=linked)
    alert = Alert(id=7, person_id=10)
    assert may_see(staff, young) is sees_them
    assert may_see(staff, young, alert) is handles_their_alert


def test_nobody_sees_anything_once_switched_off_or_about_someone_else():
    manager = person(MANAGER, Role.MANAGER)
    young = person(10, Role.YOUNG_PERSON, worker_id=SUPPORT)
    assert may_see(person(MANAGER, Role.MANAGER, active=False), young) is False
    assert may_see(person(MANAGER, Role.MANAGER, active=False), young, Alert(person_id=10)) is False
    assert may_see(manager, person(11, Role.YOUNG_PERSON, active=False)) is False
    assert may_see(manager, person(SUPPORT, Role.SUPPORT_WORKER)) is False  # not a young person
    assert may_see(manager, young, Alert(person_id=99)) is False  # the alert is someone else's


def test_a_support_worker_on_the_duty_list_or_on_duty_handles_any_alert():
    young = person(10, Role.YOUNG_PERSON, worker_id=SUPPORT)
    alert = Alert(person_id=10)
    assert may_see(person(OTHER_SUPPORT, Role.SUPPORT_WORKER, on_duty_list=True), young, alert)
    assert may_see(person(OTHER_SUPPORT, Role.SUPPORT_WORKER, on_duty=True), young, alert)
    assert not may_see(person(OTHER_SUPPORT, Role.SUPPORT_WORKER, on_duty=True), young)


@pytest.mark.parametrize("data, reply, feature", [
    ("progress:y:{river}", "That young person is not on your caseload.", "progress"),
    ("note:y:{river}", "That young person is not on your caseload.", "note"),
    ("assign:y:{river}", "That young person is not on your caseload.", "assign"),
    ("transfer:to:{river}:{bea}", "That young person is not on your caseload.", "transfer"),
    ("wplan:see:{river}", "Sorry, that young person is not on your caseload.", "plans"),
    ("wwheel:every:{river}:4", "Sorry, that young person is not on your caseload.", "wheels"),
    ("wclose:now:{river}", "Sorry, that young person is not on your caseload.", "closure"),
])
async def test_every_case_feature_refuses_and_audits_the_same_way(team: Team, data: str,
                                                                    reply: str, feature: str):
    jo = team.chat(JO)
    replies = await jo.event(Event.button(data.format(**team.ids)))
    assert [r.text for r in replies] == [reply]
    async with team.router.db.transaction() as session:
        rows = (await session.scalars(select(AuditEntry))).all()
        river = await session.get(Person, team.ids["river"])
    assert [(r.actor_id, r.action, r.subject_id, r.detail) for r in rows] == [
        (team.ids["jo"], "access_refused", None,
         {"feature": feature, "asked_for": str(team.ids["river"])})]
    assert (river.worker_id, river.closure_started_at, river.wheel_every_weeks) == (
        team.ids["al"], None, 6)  # nothing changed: the default 6 weeks


async def test_the_wellbeing_pickers_page_like_the_others(team: Team):
    from bot.records import people

    async with team.router.db.transaction() as session:
        for n in range(5):
            young = await people.create_person(session, Role.YOUNG_PERSON,
                                               worker_id=team.ids["jo"])
            young.pseudonym = f"YP-NEW{n}"
    jo = team.chat(JO)
    first = await jo.send("/plan")
    assert first[0].text == "Whose safety plan? (page 1 of 2)"
    assert jo.labels() == ["YP-SKY (Sky)", "YP-PAT (Pat)", "YP-NEW0", "YP-NEW1", "YP-NEW2",
                           "More ▶️"]
    second = await jo.press("More ▶️")
    assert second[0].text == "Whose safety plan? (page 2 of 2)"
    assert jo.labels() == ["YP-NEW3", "YP-NEW4", "◀️ Back"]
    shown = await jo.press("YP-NEW4")
    assert shown[0].text.startswith("YP-NEW4\n\n")


async def test_a_refused_alert_is_audited_like_a_refused_young_person(system):
    from tests.safety.test_escalation import DUTY, OWN_WORKER, YP

    await system.worker(DUTY, Role.DUTY_WORKER, "Dee", on_duty=True)
    await system.worker(OWN_WORKER, Role.SUPPORT_WORKER, "Jo")
    outsider = await system.worker(9100, Role.SUPPORT_WORKER, "Al")
    sam = await system.young_person(YP, OWN_WORKER)
    await sam.send("he's outside my house")
    replies = await outsider.event(Event.button("al:ack:1"))
    assert [r.text for r in replies] == ["That alert is not one you can act on."]
    async with system.services.db.transaction() as session:
        rows = (await session.scalars(select(AuditEntry))).all()
        alert = await session.scalar(select(Alert))
    assert [(r.action, r.subject_id, r.detail) for r in rows] == [
        ("access_refused", None, {"feature": "duty", "asked_for": "1"})]
    assert alert.acknowledged_by_id is None
