"""Duty workers: go on and off duty, see open alerts, acknowledge, talk to the young person
through the bot, and resolve with an outcome note and, looking back, whether it was a real
concern (before or after the note). Every press is checked on the server."""

from __future__ import annotations

from typing import ClassVar

from sqlalchemy import select

from bot.db.models import Alert, Person, Relay, Role
from bot.features.registry import worker_feature
from bot.safety.detector import Severity
from bot.safety.escalation import CONCERNS, Escalation, alert_buttons, category_words
from bot.safety.young_person_side import active_relay, finish_relay
from bot.workers import access_rule
from bot.workers.desk import Desk
from bot.workers.table import IDLE, WorkerTable
from content.loader import Content
from flows import callback
from flows.base import Button, Event, Keyboard, Reply
from flows.common import SETTLE

CAN_GO_ON_DUTY = {Role.DUTY_WORKER, Role.MANAGER}


def concern_buttons(content: Content, alert: Alert) -> Keyboard:
    return (tuple(Button(content.text(f"staff.alert.concern_button.{concern}"),
                         f"al:concern:{alert.id}:{concern}") for concern in CONCERNS),)


class DutyFeature(WorkerTable):
    name: ClassVar[str] = "duty"
    commands: ClassVar[tuple[str, ...]] = ("onduty", "offduty", "alerts")
    prefix: ClassVar[str] = "al"
    roles: ClassVar[set[str]] = access_rule.ALERT_ROLES
    # 📝 Resolve waits for the outcome note (a concern button may still come first)
    STATES: ClassVar[list[str]] = ["resolve_note"]
    TRANSITIONS: ClassVar[list[dict]] = [
        {"trigger": "typed", "source": "resolve_note", "dest": IDLE, "after": "resolve_with"},
        {"trigger": "blank", "source": "resolve_note", "dest": IDLE, "after": "resolve_with"},
    ]

    def __init__(self, escalation: Escalation):
        self.escalation = escalation

    async def handle(self, desk: Desk, event: Event) -> list[Reply] | None:
        if event.kind == "command" and event.command in ("onduty", "offduty"):
            return await self._duty(desk, event.command == "onduty")
        if event.kind == "command" and event.command == "alerts":
            return await self._list(desk)
        if event.kind == "button" and event.data.startswith("al:"):
            return await self._button(desk, event.data)
        return await self.run(desk, event)

    async def _duty(self, desk: Desk, on: bool) -> list[Reply]:
        worker = desk.worker
        if on and worker.role not in CAN_GO_ON_DUTY and not worker.on_duty_list:
            return [Reply(desk.content.text("staff.said.not_on_duty_list"))]
        worker.on_duty = on
        await desk.audit("on_duty" if on else "off_duty")
        if on:
            return [Reply(desk.content.text("staff.said.on_duty"))]
        return [Reply(desk.content.text("staff.said.off_duty"))]

    async def _list(self, desk: Desk) -> list[Reply]:
        alerts = (await desk.session.scalars(select(Alert).where(
            Alert.status.in_(("open", "notified", "acknowledged"))).order_by(Alert.id))).all()
        rows = []
        for alert in alerts:
            young = await desk.session.get(Person, alert.person_id)
            if young is not None and access_rule.may_see(desk.worker, young, alert):
                rows.append((alert, young))
        if not rows:
            return [Reply(desk.content.text("staff.said.no_open_alerts"))]
        return [Reply(desk.say("staff.duty.alert_line", id=a.id,
                               severity=Severity(a.severity).label.upper(), pseudonym=y.pseudonym,
                               category=category_words(desk.content, a), status=a.status),
                      alert_buttons(desk.content, a))
                for a, y in rows]

    async def _button(self, desk: Desk, data: str) -> list[Reply]:
        pressed = callback.parse(data)
        action, alert_id = pressed.part(0), pressed.part(1)
        loaded = await access_rule.alert(desk, self.name, alert_id)
        if loaded is None:
            return [Reply(desk.content.text("staff.alert.not_yours"))]
        alert, young = loaded
        await desk.audit(f"alert_{action}", young, alert_id=alert.id)
        if action == "concern":  # also once resolved: it may be answered after the note
            return await self._concern(desk, alert, young, list(pressed.parts[2:]))
        if alert.status == "resolved":
            return [Reply(desk.content.text("staff.page.already_resolved", id=alert.id))]
        if action == "ack":
            return await self._acknowledge(desk, alert, young)
        if action == "talk":
            return await self._start_relay(desk, alert, young)
        if action == "resolve":
            self.wait(desk, "resolve_note", alert_id=alert.id)
            return [Reply(desk.content.text("staff.alert.resolve_prompt", id=alert.id,
                                            pseudonym=young.pseudonym),
                          concern_buttons(desk.content, alert))]
        return [Reply(desk.content.text("staff.alert.not_yours"))]

    async def _acknowledge(self, desk: Desk, alert: Alert, young: Person) -> list[Reply]:
        """Paging stops; the reply says who else was told and what is left to do, with only
        those buttons (no Acknowledge), and the pressed page's own buttons come off."""
        text = desk.content.text
        if not await self.escalation.acknowledge(desk.session, alert, desk.worker, desk.now):
            by = await desk.session.get(Person, alert.acknowledged_by_id) \
                if alert.acknowledged_by_id else None
            when = self.escalation.pages.clock_time(alert.acknowledged_at) \
                if alert.acknowledged_at else "?"
            name = text("staff.page.you") if by is not None and by.id == desk.worker.id \
                else (by.display_name or by.pseudonym) if by is not None else text("staff.page.someone")
            return [Reply(text("staff.page.already_acknowledged", id=alert.id,
                               pseudonym=young.pseudonym, name=name, when=when),
                          alert_buttons(desk.content, alert), action=SETTLE)]
        others = [p.display_name or p.pseudonym
                  for p in await self.escalation.others_paged(desk.session, alert, desk.worker)]
        told = ("" if not others else " " + text("staff.page.told_one", others=others[0])
                if len(others) == 1
                else " " + text("staff.page.told_others", others=", ".join(others)))
        return [Reply(text("staff.page.acknowledged", id=alert.id, pseudonym=young.pseudonym,
                           told=told), alert_buttons(desk.content, alert), action=SETTLE)]

    async def _concern(self, desk: Desk, alert: Alert, young: Person,
                       rest: list[str]) -> list[Reply]:
        concern = rest[0] if rest else ""
        if concern not in CONCERNS:
            return [Reply(desk.content.text("staff.alert.not_yours"))]
        await self.escalation.record_concern(desk.session, alert, desk.worker, concern, desk.now)
        text = desk.content.text
        said = text(f"staff.alert.noted.{concern}", id=alert.id, pseudonym=young.pseudonym)
        if alert.status == "resolved":
            return [Reply(text("staff.alert.noted_resolved", noted=said))]
        if self.waiting_in(desk) == "resolve_note" \
                and desk.convo.context.get("alert_id") == alert.id:
            return [Reply(text("staff.alert.noted_awaiting_note", noted=said))]
        return [Reply(text("staff.alert.noted_open", noted=said), alert_buttons(desk.content, alert))]

    async def resolve_with(self, desk: Desk, event: Event) -> list[Reply]:
        """The outcome note: the alert is resolved with it (the table then stops waiting)."""
        note = event.text
        loaded = await access_rule.alert(desk, self.name, str(desk.convo.context.get("alert_id", "")))
        if loaded is None:
            return [Reply(desk.content.text("staff.alert.not_yours"))]
        alert, young = loaded
        if not await self.escalation.resolve(desk.session, alert, desk.worker, note.strip(),
                                             desk.now):
            return [Reply(desk.content.text("staff.page.already_resolved", id=alert.id))]
        await desk.audit("alert_resolved", young, alert_id=alert.id)
        relay = await active_relay(desk.session, young_person_id=young.id)
        if relay is not None and relay.alert_id == alert.id:  # the talk ends with the alert
            await finish_relay(desk.session, relay, desk.content, desk.now, ended_by="worker")
        replies = [Reply(desk.content.text("staff.page.resolved", id=alert.id,
                                           pseudonym=young.pseudonym))]
        if alert.concern is None:
            replies.append(Reply(desk.content.text("staff.alert.looking_back", id=alert.id),
                                 concern_buttons(desk.content, alert)))
        return replies

    async def _start_relay(self, desk: Desk, alert: Alert, young: Person) -> list[Reply]:
        await self.escalation.acknowledge(desk.session, alert, desk.worker, desk.now)
        existing = await active_relay(desk.session, young_person_id=young.id)
        if existing is not None and existing.worker_id != desk.worker.id:
            return [Reply(desk.content.text("staff.said.someone_else_talking"))]
        relay = existing or Relay(alert_id=alert.id, worker_id=desk.worker.id,
                                  young_person_id=young.id, started_at=desk.now)
        if existing is None:
            desk.session.add(relay)
            await desk.session.flush()
            self.escalation._event(desk.session, alert, "relay_started", desk.now,
                                   actor=desk.worker)
            await desk.tell(young, desk.content.text("safety.relay_started"), (
                (Button(desk.content.text("safety.relay_end_button"), f"rl:end:{relay.id}"),),),
                alert_id=alert.id)
        desk.awaiting("relay", "talking", relay_id=relay.id)  # the relay feature's table
        return [Reply(desk.say("staff.duty.talking", pseudonym=young.pseudonym),
                      ((Button(desk.say("staff.duty.end_button"), f"rl:end:{relay.id}"),),))]


FEATURE = worker_feature(DutyFeature, needs={"escalation"},
                         build=lambda kit: DutyFeature(kit.escalation))
