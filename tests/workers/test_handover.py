"""A worker switched off (`rise-bot admin deactivate-worker`) hands over, at once, what they
were handling: the alert they acknowledged goes back to the duty list, their chat with a young
person ends kindly, and nothing more reaches their account."""

from __future__ import annotations

from sqlalchemy import select

from bot.app.admin import deactivate_worker
from bot.db.models import Alert, AlertEvent, Role
from bot.records import people
from flows.base import Event

YP, DUTY, BACKUP, MANAGER = 5101, 9101, 9102, 9103
HANDED_OVER = ("💬 New message\nThe worker you were chatting with can't carry on here. Another "
               "worker from the team will be in touch soon. You can still get help any time with "
               "🆘 Help.")


async def switch_off(system, telegram_id: int, clock) -> str:
    async with system.services.db.transaction() as session:
        worker = await people.find_by_telegram(session, telegram_id)
        assert worker is not None
        ident = str(worker.id)
    return await deactivate_worker(system.services.db, ident,
                                   escalation=system.services.escalation,
                                   content=system.services.content, now=clock())


async def the_alert(system) -> Alert:
    async with system.services.db.transaction() as session:
        return await session.scalar(select(Alert))


async def test_a_switched_off_worker_hands_their_alert_and_chat_to_the_duty_list(system, clock):
    await system.worker(DUTY, Role.DUTY_WORKER, "Dee", on_duty=True)
    await system.worker(BACKUP, Role.DUTY_WORKER, "Bo")
    await system.worker(MANAGER, Role.MANAGER, "Mo")
    sam = await system.young_person(YP)
    await sam.send("he's outside my house")
    await system.settle()
    assert len(system.phones.take(DUTY)) == 1
    replies = await system.chat(DUTY).event(Event.button("al:talk:1"))  # acknowledges, talks
    assert replies[0].text.startswith("💬 You are talking with")
    await system.settle()
    system.phones.take(YP)
    assert (await the_alert(system)).status == "acknowledged"

    said = await switch_off(system, DUTY, clock)
    assert said.endswith("is switched off. Handed 1 alert and 1 chat to the duty list.")
    await system.settle()  # the clock has not moved: at once
    alert = await the_alert(system)
    assert (alert.status, alert.acknowledged_by_id) == ("notified", None)
    for reached in (BACKUP, MANAGER):
        assert [t.splitlines()[0] for t in system.phones.take(reached)] == [
            f"🚨 HIGH alert #1 – {await system.pseudonym(YP)}"]
    assert system.phones.take(YP) == [HANDED_OVER]

    replies = await sam.send("he's got a knife")  # no longer relayed to the switched-off account
    assert "✓ Sent" not in [r.text for r in replies]
    await system.settle()
    clock.advance(minutes=30)  # the acknowledger's reminder is not sent either
    await system.settle()
    assert system.phones.take(DUTY) == []
    assert (await the_alert(system)).acknowledged_by_id is None
    async with system.services.db.transaction() as session:
        kinds = [e.kind for e in await session.scalars(select(AlertEvent).order_by(AlertEvent.id))]
    assert "handed_back" in kinds and "relay_ended" in kinds and "reminded" not in kinds


async def test_a_page_still_queued_for_a_switched_off_worker_moves_on_at_once(system, clock):
    await system.worker(DUTY, Role.DUTY_WORKER, "Dee", on_duty=True)
    await system.worker(MANAGER, Role.MANAGER, "Mo")
    sam = await system.young_person(YP)
    await sam.send("he's outside my house")  # Dee's page is queued, not yet sent
    await switch_off(system, DUTY, clock)
    await system.settle()
    assert system.phones.take(DUTY) == []
    assert system.phones.take(MANAGER)[-1].startswith("🚨 HIGH alert #1")


async def test_a_chat_with_a_worker_switched_off_some_other_way_is_never_relayed(system, clock):
    """Switched off before hand-overs existed (or straight in the database): the young person's
    next message ends the chat and the alert goes back to the duty list."""
    await system.worker(DUTY, Role.DUTY_WORKER, "Dee", on_duty=True)
    await system.worker(MANAGER, Role.MANAGER, "Mo")
    sam = await system.young_person(YP)
    await sam.send("he's outside my house")
    await system.settle()
    await system.chat(DUTY).event(Event.button("al:talk:1"))
    async with system.services.db.transaction() as session:
        (await people.find_by_telegram(session, DUTY)).active = False
    await system.settle()
    system.phones.take(DUTY), system.phones.take(MANAGER)

    replies = await sam.send("he's got a knife")
    assert "✓ Sent" not in [r.text for r in replies]
    await system.settle()
    assert system.phones.take(DUTY) == []
    # the whole page (a later round may repeat it, depending on when Dee's page failed)
    assert any(t.startswith("🚨 CRITICAL alert #1") for t in system.phones.take(MANAGER))
    assert (await the_alert(system)).acknowledged_by_id is None
