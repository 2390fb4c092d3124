"""Escalation, as the people involved see it: the young person, the duty worker, managers.

Time is a fake clock; the clock's jobs and the outbox run when the test says `settle()`.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.db.models import Alert, AlertEvent, Role

YP, DUTY, BACKUP, MANAGER, OWN_WORKER = 5001, 9001, 9002, 9003, 9004


@pytest.fixture
async def team(system):
    await system.worker(DUTY, Role.DUTY_WORKER, "Dee", on_duty=True)
    await system.worker(BACKUP, Role.DUTY_WORKER, "Bo")
    await system.worker(MANAGER, Role.MANAGER, "Mo", email="mo@example.org")
    await system.worker(OWN_WORKER, Role.SUPPORT_WORKER, "Jo")
    return system


async def events(system) -> list[str]:
    async with system.services.db.transaction() as session:
        return [e.kind for e in await session.scalars(select(AlertEvent).order_by(AlertEvent.id))]


async def the_alert(system) -> Alert:
    async with system.services.db.transaction() as session:
        return await session.scalar(select(Alert))


async def test_outside_my_house_pages_the_duty_worker_who_acknowledges_and_resolves(team):
    sam = await team.young_person(YP, OWN_WORKER)
    replies = await sam.send("he's outside my house")
    assert replies[0].text.startswith("Thank you for telling me. That sounds really hard. 💛\n"
                                      "A worker from the team has been told")
    assert replies[1].text == "Are you somewhere safe right now?"
    assert sam.labels() == ["Yes", "No", "Not sure", "🆘 Help"]

    await team.settle()
    pseudonym = await team.pseudonym(YP)
    [page] = team.phones.take(DUTY)
    assert page.startswith(f"🚨 HIGH alert #1 – {pseudonym}\nAbout: immediate danger\n")
    assert "“he's outside my house”" in page
    assert team.phones.buttons[DUTY][-1] == ["✅ Acknowledge", "💬 Talk to them", "📝 Resolve"]
    assert team.phones.take(BACKUP) == [] and team.phones.take(MANAGER) == []

    dee = team.chat(DUTY)
    dee.last = []
    from flows.base import Event

    replies = await dee.event(Event.button("al:ack:1"))
    assert replies[0].text.startswith(f"✅ You acknowledged alert #1 ({pseudonym}).")
    replies = await dee.event(Event.button("al:resolve:1"))
    assert replies[0].text.startswith("Please type a short outcome note for alert #1")
    replies = await dee.send("Called her; mum home, police informed.")
    assert replies[0].text == f"📝 Alert #1 ({pseudonym}) is resolved. Thank you."

    alert = await the_alert(team)
    assert (alert.status, alert.outcome) == ("resolved", "Called her; mum home, police informed.")
    assert await events(team) == ["opened", "notified", "acknowledged", "resolved"]


async def test_no_acknowledgement_pages_the_next_level_at_the_right_times(team, clock):
    sam = await team.young_person(YP)
    await sam.send("im gonna kms tonight")  # critical
    await team.settle()
    assert len(team.phones.take(DUTY)) == 1
    assert team.phones.take(BACKUP) == []

    clock.advance(minutes=1, seconds=59)
    await team.settle()
    assert team.phones.take(BACKUP) == []
    clock.advance(seconds=1)  # 2 minutes: everyone on the duty list and managers, and e-mail
    await team.settle()
    assert [t.splitlines()[0] for t in team.phones.take(BACKUP)] == ["🚨 CRITICAL alert #1 – "
                                                                     + await team.pseudonym(YP)]
    assert len(team.phones.take(MANAGER)) == 1
    assert len(team.phones.take(DUTY)) == 1
    assert [address for address, _ in team.phones.emails] == ["mo@example.org"]

    for _ in range(3):  # repeats every 5 minutes, with no cap
        clock.advance(minutes=4, seconds=59)
        await team.settle()
        assert team.phones.take(BACKUP) == []
        clock.advance(seconds=1)
        await team.settle()
        assert len(team.phones.take(BACKUP)) == 1
        assert len(team.phones.take(DUTY)) == len(team.phones.take(MANAGER)) == 1

    from flows.base import Event

    await team.chat(BACKUP).event(Event.button("al:ack:1"))
    await team.settle()
    assert team.phones.take(DUTY) == [f"✅ Alert #1 ({await team.pseudonym(YP)}) was acknowledged "
                                      "by Bo. Nothing more for you to do on it."]
    clock.advance(minutes=10)
    await team.settle()
    assert team.phones.take(BACKUP) == []
    assert (await events(team))[:4] == ["opened", "notified", "escalated", "emailed"]


async def test_nobody_on_duty_goes_to_managers_with_a_coverage_gap_and_the_young_person_is_told(
        system):
    await system.worker(MANAGER, Role.MANAGER, "Mo")
    sam = await system.young_person(YP)
    await sam.send("he's hurting me right now")
    await system.settle()
    texts = system.phones.take(MANAGER)
    assert texts[0] == (f"⚠️ Coverage gap: nobody to page (whoever is on duty) for a critical "
                        f"alert about {await system.pseudonym(YP)}. Please make sure someone is "
                        "on duty.")
    assert texts[1].startswith("🚨 CRITICAL alert #1")
    assert await events(system) == ["opened", "coverage_gap", "notified"]


async def test_with_nobody_at_all_the_young_person_is_told_to_call_999_and_retries_go_on(
        system, clock):
    sam = await system.young_person(YP)
    await sam.send("he's hurting me right now")
    await system.settle()
    assert system.phones.take(YP) == [
        "Hey, it's me 🙂\nWe are trying to reach a worker for you. If you are in danger, please "
        "call 999 now, or Childline free on 0800 1111."]
    await system.worker(BACKUP, Role.DUTY_WORKER, "Bo")  # someone joins the duty list
    clock.advance(minutes=1)
    await system.settle()
    assert system.phones.take(BACKUP)[0].startswith("🚨 CRITICAL alert #1")


async def test_the_young_persons_safe_answer_goes_to_the_worker(team):
    sam = await team.young_person(YP)
    await sam.send("he's outside my house")
    await team.settle()
    team.phones.take(DUTY)
    replies = await sam.press("No")
    assert replies[0].text.startswith("Thank you for telling me. A worker has been told straight")
    await team.settle()
    inbox = team.phones.take(DUTY)
    assert inbox[0].endswith('answered "Are you somewhere safe right now?": No')
    # "No" pages the next level at once
    assert team.phones.take(BACKUP)[0].startswith("🚨 HIGH alert #1")


async def test_repeats_attach_to_the_open_alert_and_only_a_rise_pages_again(team):
    sam = await team.young_person(YP)
    await sam.send("he wants me to meet him tonight")  # medium: own worker / duty list
    await team.settle()
    await sam.send("he says i owe him")
    await team.settle()
    async with team.services.db.transaction() as session:
        assert len((await session.scalars(select(Alert))).all()) == 1
    before = len(team.phones.take(DUTY)) + len(team.phones.take(BACKUP))
    await sam.send("he's hurting me right now")
    await team.settle()
    alert = await the_alert(team)
    assert alert.severity == 4
    [raised] = team.phones.take(DUTY)  # the whole page again: it is about something worse now
    assert raised.splitlines()[0] == f"🚨 CRITICAL alert #1 – {await team.pseudonym(YP)}"
    assert "Raised from medium to critical." in raised
    assert "severity_raised" in await events(team)
    assert before >= 1


async def test_an_acknowledged_alert_without_an_outcome_reminds_the_acknowledger(team, clock):
    sam = await team.young_person(YP)
    await sam.send("he's outside my house")
    await team.settle()
    from flows.base import Event

    await team.chat(DUTY).event(Event.button("al:ack:1"))
    team.phones.take(DUTY)
    clock.advance(minutes=30)
    await team.settle()
    assert team.phones.take(DUTY)[0].startswith("⏰ Reminder: alert #1")


async def test_talk_to_them_relays_both_ways_and_scanning_goes_on(team):
    sam = await team.young_person(YP)
    await sam.send("he's outside my house")
    await team.settle()
    from flows.base import Event

    dee = team.chat(DUTY)
    replies = await dee.event(Event.button("al:talk:1"))
    assert replies[0].text.startswith("💬 You are talking with")
    await team.settle()
    assert team.phones.take(YP)[0] == ("Hey, it's me 🙂\nA worker from the team would like to "
                                       "talk with you here. Just type to reply.")
    await dee.send("Are you inside with the door locked?")
    await team.settle()
    assert team.phones.take(YP) == [
        "💬 New message\nA worker from the team says: Are you inside with the door locked?"]
    replies = await sam.send("yes im in my room")
    assert [r.text for r in replies] == ["✓ Sent"]
    await team.settle()
    pseudonym = await team.pseudonym(YP)
    assert f"💬 {pseudonym}: yes im in my room" in team.phones.take(DUTY)

    replies = await sam.send("hes trying to get in")  # still scanned: critical
    assert replies[0].text.startswith("I'm really glad you told me. 💛")
    assert (await the_alert(team)).severity == 4

    replies = await sam.event(Event.button("rl:end:1"))  # on the message the outbox sent
    assert replies[0].text.startswith("The chat with the worker has ended.")
    await team.settle()
    assert f"The chat with {pseudonym} has ended." in team.phones.take(DUTY)


async def test_a_worker_who_may_not_handle_an_alert_cannot_touch_it(team):
    sam = await team.young_person(YP)
    await sam.send("he's outside my house")
    from flows.base import Event

    outsider = team.chat(OWN_WORKER)  # a support worker, not theirs, not on the duty list
    replies = await outsider.event(Event.button("al:ack:1"))
    assert replies[0].text == "That alert is not one you can act on."
    replies = await outsider.event(Event.button("al:ack:999"))
    assert replies[0].text == "That alert is not one you can act on."
    assert (await the_alert(team)).status == "open" or (await the_alert(team)).status == "notified"


async def test_on_and_off_duty(team):
    bo = team.chat(BACKUP)
    replies = await bo.send("/onduty")
    assert replies[0].text.startswith("🟢 You are on duty.")
    replies = await bo.send("/offduty")
    assert replies[0].text == "⚪ You are off duty. Thank you."
    jo = team.chat(OWN_WORKER)
    replies = await jo.send("/onduty")
    assert replies[0].text == "You are not on the duty list. Ask a manager to add you."


async def test_a_nickname_typed_in_onboarding_is_not_part_of_an_alert(team):
    sam = await team.young_person(YP)  # typed "Blue Fox" as a nickname
    await sam.send("he's outside my house")
    alert = await the_alert(team)
    assert alert.excerpt == "“he's outside my house”"


async def test_resolving_the_alert_ends_the_talk_with_the_young_person(team):
    sam = await team.young_person(YP)
    await sam.send("he's outside my house")
    from flows.base import Event

    dee = team.chat(DUTY)
    await dee.event(Event.button("al:talk:1"))
    await dee.event(Event.button("al:resolve:1"))
    await dee.send("Safe at home with mum")
    await team.settle()
    assert team.phones.take(YP)[-1].startswith("💬 New message")
    replies = await sam.send("thanks")
    assert replies[0].text != "✓ Sent"  # no longer relayed: the flow answers


async def test_a_worried_message_during_a_talk_still_reaches_the_worker(team):
    sam = await team.young_person(YP)
    await sam.send("he's outside my house")
    from flows.base import Event

    await team.chat(DUTY).event(Event.button("al:talk:1"))
    await team.settle()
    team.phones.take(DUTY)
    replies = await sam.send("he is outside my flat")  # same severity: no new page
    assert replies[0].text.startswith("Thank you for telling me. That sounds really hard.")
    assert replies[-1].text == "✓ Sent"
    await team.settle()
    pseudonym = await team.pseudonym(YP)
    assert f"💬 {pseudonym}: he is outside my flat" in team.phones.take(DUTY)


# --- a medium flag nobody acknowledges goes to the duty list after the policy's time ------------

DUTY_LIST_AND_MANAGERS = (DUTY, BACKUP, MANAGER)


async def test_an_unacknowledged_medium_flag_reaches_the_duty_list_after_24_hours_not_before(
        team, clock):
    sam = await team.young_person(YP, OWN_WORKER)
    await sam.send("he wants me to meet him tonight")
    await team.settle()
    pseudonym = await team.pseudonym(YP)
    alert = await the_alert(team)
    assert (alert.severity, alert.categories["names"]) == (2, ["grooming"])  # medium
    [flag] = team.phones.take(OWN_WORKER)
    assert flag.splitlines()[:2] == [f"⚠️ MEDIUM alert #1 – {pseudonym}", "About: grooming"]
    assert [team.phones.take(w) for w in DUTY_LIST_AND_MANAGERS] == [[], [], []]

    clock.advance(hours=23, minutes=59, seconds=59)
    await team.settle()
    assert [team.phones.take(w) for w in (*DUTY_LIST_AND_MANAGERS, OWN_WORKER)] == [[], [], [], []]

    clock.advance(seconds=1)  # 1440 minutes: the duty list and managers, once each
    await team.settle()
    for worker in DUTY_LIST_AND_MANAGERS:
        [page] = team.phones.take(worker)
        lines = page.splitlines()
        # Jo first: she had the flag; then the others paged now
        others = ", ".join(name for w, name in ((OWN_WORKER, "Jo"), (DUTY, "Dee"), (BACKUP, "Bo"),
                                                (MANAGER, "Mo")) if w != worker)
        assert lines == [
            "⏰ Unacknowledged medium flag from 24 hours ago: it now comes to the duty list and "
            "managers.",
            f"⚠️ MEDIUM alert #1 – {pseudonym}",
            "About: grooming",
            f"Who: {pseudonym}, who goes by “Blue Fox”, aged 14 to 17 · their worker: Jo",
            "Since: 16:00 Mon 02 Mar (24 hours ago)",
            "From: a message they sent",
            "", "What they said (most recent last):", "“he wants me to meet him tonight”",
            "", f"Also paged: {others}",
            "👉 Tap ✅ Acknowledge when you pick this up, then 💬 Talk to them or 📝 Resolve."]
        assert team.phones.buttons[worker][-1] == ["✅ Acknowledge", "💬 Talk to them",
                                                   "📝 Resolve"]
    assert team.phones.take(OWN_WORKER) == []  # a support worker not on the duty list
    assert await events(team) == ["opened", "notified", "escalated"]

    clock.advance(days=7)  # a flag goes up once: it is not repeated like a page
    await team.settle()
    assert [team.phones.take(w) for w in (*DUTY_LIST_AND_MANAGERS, OWN_WORKER)] == [[], [], [], []]

    from flows.base import Event  # the duty list can act on it; their worker is told

    replies = await team.chat(BACKUP).event(Event.button("al:ack:1"))
    assert replies[0].text.startswith(f"✅ You acknowledged alert #1 ({pseudonym}).")
    await team.settle()
    assert team.phones.take(OWN_WORKER) == [f"✅ Alert #1 ({pseudonym}) was acknowledged by Bo. "
                                            "Nothing more for you to do on it."]


async def test_a_medium_flag_acknowledged_before_its_deadline_never_reaches_the_duty_list(
        team, clock):
    sam = await team.young_person(YP, OWN_WORKER)
    await sam.send("he wants me to meet him tonight")
    await team.settle()
    assert len(team.phones.take(OWN_WORKER)) == 1

    from flows.base import Event

    clock.advance(hours=23, minutes=59)
    replies = await team.chat(OWN_WORKER).event(Event.button("al:ack:1"))
    assert replies[0].text.startswith("✅ You acknowledged alert #1")
    clock.advance(minutes=1)  # the deadline
    await team.settle()
    clock.advance(days=7)
    await team.settle()
    assert [team.phones.take(w) for w in DUTY_LIST_AND_MANAGERS] == [[], [], []]
    assert [t.split(":")[0] for t in team.phones.take(OWN_WORKER)] == ["⏰ Reminder"]
    assert await events(team) == ["opened", "notified", "acknowledged", "reminded"]


# --- resolving records whether it was a real concern -------------------------------------------

async def test_resolving_an_alert_records_whether_it_was_a_real_concern(team):
    sam = await team.young_person(YP, OWN_WORKER)
    await sam.send("he's outside my house")
    await team.settle()
    pseudonym = await team.pseudonym(YP)
    dee = team.chat(DUTY)

    replies = await dee.press_data("al:resolve:1")
    assert [r.text for r in replies] == [
        f"Please type a short outcome note for alert #1 ({pseudonym}). It is kept on the "
        "safeguarding record.\nLooking back, was it a real concern? Tap one now or after the note."]
    assert dee.labels() == ["Real concern", "Not a concern", "Unsure"]
    replies = await dee.send("Her brother at the door, not the man. Safe.")
    assert [r.text for r in replies] == [f"📝 Alert #1 ({pseudonym}) is resolved. Thank you.",
                                         "Looking back, was alert #1 a real concern?"]
    assert dee.labels() == ["Real concern", "Not a concern", "Unsure"]
    alert = await the_alert(team)
    assert (alert.status, alert.concern) == ("resolved", None)

    replies = await dee.press("Not a concern")
    assert [r.text for r in replies] == [
        f"Noted: alert #1 ({pseudonym}) was not a concern. Thank you."]
    alert = await the_alert(team)
    assert (alert.status, alert.outcome, alert.concern) == (
        "resolved", "Her brother at the door, not the man. Safe.", "not_concern")
    assert await events(team) == ["opened", "notified", "acknowledged", "resolved",
                                  "concern_recorded"]


async def test_the_outcome_may_be_chosen_before_the_note(team):
    sam = await team.young_person(YP)
    await sam.send("he's outside my house")
    await team.settle()
    pseudonym = await team.pseudonym(YP)
    dee = team.chat(DUTY)
    await dee.press_data("al:resolve:1")
    replies = await dee.press("Real concern")
    assert [r.text for r in replies] == [
        f"Noted: alert #1 ({pseudonym}) was a real concern. Now type the short outcome note."]
    replies = await dee.send("Police attended, strategy meeting tomorrow.")
    assert [r.text for r in replies] == [f"📝 Alert #1 ({pseudonym}) is resolved. Thank you."]
    alert = await the_alert(team)
    assert (alert.status, alert.concern) == ("resolved", "real_concern")
    assert await events(team) == ["opened", "notified", "concern_recorded", "acknowledged",
                                  "resolved"]


async def test_only_a_worker_who_may_handle_the_alert_records_its_outcome(team):
    sam = await team.young_person(YP)
    await sam.send("he's outside my house")
    outsider = team.chat(OWN_WORKER)  # not their worker, not on the duty list
    replies = await outsider.press_data("al:concern:1:real_concern")
    assert replies[0].text == "That alert is not one you can act on."
    replies = await team.chat(DUTY).press_data("al:concern:1:very_bad")  # forged
    assert replies[0].text == "That alert is not one you can act on."
    assert (await the_alert(team)).concern is None


async def test_the_channels_that_raised_an_alert_are_kept_with_its_categories(team, clock):
    from bot.records import people
    from bot.safety.detector import Severity

    await team.young_person(YP)
    escalation = team.services.escalation
    async with team.services.db.transaction() as session:
        person = await people.find_by_telegram(session, YP)
        alert = await escalation.raise_alert(
            session, person, severity=Severity.MEDIUM, categories=["grooming"],
            source="message", now=clock(), excerpt=["x"], channels=["model"])
        assert alert.categories == {"names": ["grooming"], "channels": ["model"]}
        await escalation.raise_alert(
            session, person, severity=Severity.HIGH, categories=["immediate_danger"],
            source="message", now=clock(), channels=["model", "lexicon"])
        await escalation.raise_alert(session, person, severity=Severity.MEDIUM,
                                     categories=["missed_checkins"], source="checkin", now=clock())
    alert = await the_alert(team)
    assert alert.categories == {"names": ["grooming", "immediate_danger", "missed_checkins"],
                                "channels": ["lexicon", "model"]}


async def test_with_no_duty_list_and_no_manager_the_young_persons_own_worker_is_paged(
        system, clock):
    await system.worker(OWN_WORKER, Role.SUPPORT_WORKER, "Jo")
    sam = await system.young_person(YP, OWN_WORKER)
    await sam.send("he's hurting me right now")  # critical: on duty, then duty list and managers
    await system.settle()
    [page] = system.phones.take(OWN_WORKER)
    assert page.startswith(f"🚨 CRITICAL alert #1 – {await system.pseudonym(YP)}")
    assert system.phones.buttons[OWN_WORKER][-1] == ["✅ Acknowledge", "💬 Talk to them",
                                                      "📝 Resolve"]
    assert system.phones.take(YP) == [  # still told, as when nobody at all can be reached
        "Hey, it's me 🙂\nWe are trying to reach a worker for you. If you are in danger, please "
        "call 999 now, or Childline free on 0800 1111."]
    assert (await the_alert(system)).status == "notified"
    clock.advance(minutes=5)  # paged again, as the policy repeats, until someone acknowledges
    await system.settle()
    assert len(system.phones.take(OWN_WORKER)) == 1
    from flows.base import Event

    replies = await system.chat(OWN_WORKER).event(Event.button("al:ack:1"))
    assert replies[0].text.startswith("✅ You acknowledged alert #1")
