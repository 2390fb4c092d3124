"""The page a duty worker's phone shows, as an on-call page: what and how urgent, who, since
when, what was said around it, who else was paged, what happens next, one tap to act; a short
repeat that says which page it repeats; after an acknowledgement, only what is left to do.

Time is a fake clock (Monday 2 March 2026, 16:00 in London); `settle()` runs the clock's jobs
and the outbox.
"""

from __future__ import annotations

import pytest

from bot.db.models import Role
from flows.base import Event

YP, DUTY, BACKUP, MANAGER, OWN_WORKER = 5001, 9001, 9002, 9003, 9004
ALL_BUTTONS = ["✅ Acknowledge", "💬 Talk to them", "📝 Resolve"]
LEFT_TO_DO = ["💬 Talk to them", "📝 Resolve"]
CRITICAL_NEXT = ("👉 Tap ✅ Acknowledge now, then 💬 Talk to them. If they may be in danger right "
                 "now, call 999.")


@pytest.fixture
async def team(system):
    await system.worker(DUTY, Role.DUTY_WORKER, "Dee", on_duty=True)
    await system.worker(BACKUP, Role.DUTY_WORKER, "Bo")
    await system.worker(MANAGER, Role.MANAGER, "Mo")
    await system.worker(OWN_WORKER, Role.SUPPORT_WORKER, "Jo")
    return system


async def test_a_first_critical_alert_is_one_whole_page_with_one_tap_to_act(team):
    sam = await team.young_person(YP, OWN_WORKER)  # goes by "Blue Fox", aged 14 to 17
    await sam.send("im gonna kms tonight")
    await team.settle()
    p = await team.pseudonym(YP)
    assert team.phones.take(DUTY) == [
        f"🚨 CRITICAL alert #1 – {p}\n"
        "About: suicide\n"
        f"Who: {p}, who goes by “Blue Fox”, aged 14 to 17 · their worker: Jo\n"
        "Since: 16:00 Mon 02 Mar (just now)\n"
        "From: a message they sent\n"
        "\n"
        "What they said (most recent last):\n"
        "“im gonna kms tonight”\n"
        "\n"
        "Also paged: nobody else yet\n"
        "If nobody acknowledges by 16:02, the duty list and managers will be paged too.\n"
        + CRITICAL_NEXT]
    assert team.phones.buttons[DUTY][-1] == ALL_BUTTONS
    assert [team.phones.take(w) for w in (BACKUP, MANAGER, OWN_WORKER)] == [[], [], []]


async def test_a_rise_from_medium_to_critical_is_a_whole_page_since_the_critical(team, clock):
    sam = await team.young_person(YP, OWN_WORKER)
    clock.advance(minutes=-20)  # 15:40: a medium flag to their own worker
    await sam.send("he wants me to meet him tonight")
    await team.settle()
    p = await team.pseudonym(YP)
    [flag] = team.phones.take(OWN_WORKER)
    assert flag.splitlines()[:4] == [
        f"⚠️ MEDIUM alert #1 – {p}", "About: grooming",
        f"Who: {p}, who goes by “Blue Fox”, aged 14 to 17 · their worker: Jo",
        "Since: 15:40 Mon 02 Mar (just now)"]
    assert flag.splitlines()[-2:] == [
        "If nobody acknowledges by 15:40 Tue 03 Mar, the duty list and managers will be paged "
        "too.",
        "👉 Tap ✅ Acknowledge when you pick this up, then 💬 Talk to them or 📝 Resolve."]

    clock.advance(minutes=20)  # 16:00: critical; Dee (on duty) has never seen this alert
    await sam.send("he's hurting me right now")
    await team.settle()
    assert team.phones.take(DUTY) == [
        f"🚨 CRITICAL alert #1 – {p}\n"
        "About: grooming, immediate danger\n"
        f"Who: {p}, who goes by “Blue Fox”, aged 14 to 17 · their worker: Jo\n"
        "Since: 16:00 Mon 02 Mar (just now)\n"
        "Raised from medium to critical. First flagged 15:40 Mon 02 Mar.\n"
        "From: a message they sent\n"
        "\n"
        "What they said (most recent last):\n"
        "“he wants me to meet him tonight”\n"
        "“he's hurting me right now”\n"
        "\n"
        "Also paged: Jo\n"
        "If nobody acknowledges by 16:02, the duty list and managers will be paged too.\n"
        + CRITICAL_NEXT]
    assert team.phones.buttons[DUTY][-1] == ALL_BUTTONS


async def test_a_repeat_is_short_and_says_which_page_it_repeats(team, clock):
    sam = await team.young_person(YP, OWN_WORKER)
    await sam.send("im gonna kms tonight")
    await team.settle()
    p = await team.pseudonym(YP)
    team.phones.take(DUTY)

    clock.advance(minutes=2)  # nobody acknowledged: the duty list and managers
    await team.settle()
    assert team.phones.take(DUTY) == [
        f"🔁 Still not acknowledged: 🚨 CRITICAL alert #1 – {p}\n"
        "Repeats the page sent to you at 16:00 (2 minutes ago).\n"
        "Also paged: Bo, Mo"]
    assert team.phones.buttons[DUTY][-1] == ALL_BUTTONS
    [first_for_bo] = team.phones.take(BACKUP)  # Bo's first page about it: the whole page
    assert first_for_bo.splitlines()[0] == f"🚨 CRITICAL alert #1 – {p}"
    assert "Since: 16:00 Mon 02 Mar (2 minutes ago)" in first_for_bo
    assert first_for_bo.splitlines()[-3:] == [
        "Also paged: Dee, Mo",
        "You will be paged again every 5 minutes until someone acknowledges.",
        CRITICAL_NEXT]
    assert "Page 2" not in first_for_bo
    team.phones.take(MANAGER)

    clock.advance(minutes=5)
    await team.settle()
    assert team.phones.take(BACKUP) == [
        f"🔁 Still not acknowledged: 🚨 CRITICAL alert #1 – {p}\n"
        "Repeats the page sent to you at 16:02 (5 minutes ago).\n"
        "Also paged: Dee, Mo"]
    assert team.phones.take(DUTY) == [
        f"🔁 Still not acknowledged: 🚨 CRITICAL alert #1 – {p}\n"
        "Repeats the page sent to you at 16:00 (7 minutes ago).\n"
        "Also paged: Bo, Mo"]


async def test_once_acknowledged_the_buttons_are_what_is_left_to_do(team, clock):
    sam = await team.young_person(YP, OWN_WORKER)
    await sam.send("im gonna kms tonight")
    await team.settle()
    clock.advance(minutes=2)
    await team.settle()
    p = await team.pseudonym(YP)
    for worker in (DUTY, BACKUP, MANAGER):
        team.phones.take(worker)

    clock.advance(minutes=1)
    dee = team.chat(DUTY)
    replies = await dee.event(Event.button("al:ack:1"))
    assert [r.text for r in replies] == [
        f"✅ You acknowledged alert #1 ({p}). Paging has stopped. Bo, Mo have been told.\n"
        "Still to do: 💬 talk to them if you can, then 📝 resolve it with a short note."]
    assert dee.labels() == LEFT_TO_DO
    await team.settle()
    told = f"✅ Alert #1 ({p}) was acknowledged by Dee. Nothing more for you to do on it."
    assert team.phones.take(BACKUP) == [told] and team.phones.take(MANAGER) == [told]

    bo = team.chat(BACKUP)  # pressing the old page's button
    replies = await bo.event(Event.button("al:ack:1"))
    assert [r.text for r in replies] == [
        f"Alert #1 ({p}) was already acknowledged by Dee at 16:03."]
    assert bo.labels() == LEFT_TO_DO

    clock.advance(minutes=30)  # no outcome yet: a reminder, with what is left to do
    await team.settle()
    assert team.phones.take(DUTY) == [
        f"⏰ Reminder: alert #1 about {p} has no outcome yet. Tap 📝 Resolve when you can, "
        "with a short note."]
    assert team.phones.buttons[DUTY][-1] == LEFT_TO_DO
    clock.advance(minutes=10)  # and the paging has stopped
    await team.settle()
    assert [team.phones.take(w) for w in (BACKUP, MANAGER)] == [[], []]


async def test_acknowledged_before_anyone_else_was_paged_tells_nobody_else(team):
    sam = await team.young_person(YP, OWN_WORKER)
    await sam.send("im gonna kms tonight")
    await team.settle()
    p = await team.pseudonym(YP)
    replies = await team.chat(DUTY).event(Event.button("al:ack:1"))
    assert [r.text for r in replies] == [
        f"✅ You acknowledged alert #1 ({p}). Paging has stopped.\n"
        "Still to do: 💬 talk to them if you can, then 📝 resolve it with a short note."]


async def test_a_long_message_is_quoted_around_the_danger_not_by_its_first_characters(team):
    sam = await team.young_person(YP, OWN_WORKER)
    ramble = "blah blah so anyway school was fine and then we went to the park. "
    danger = "a man i met online wants me to meet him tonight and not tell anyone."
    message = ramble * 31 + danger + " " + ramble * 30
    assert len(message) >= 4000
    await sam.send(message)
    await team.settle()
    [page] = team.phones.take(DUTY)
    lines = page.splitlines()
    said = lines[lines.index("What they said (most recent last):") + 1]
    assert said.startswith("“…") and said.endswith("…”")
    assert danger in said
    assert len(said) <= 300 + 4  # at most QUOTE_CHARS, with its quotes and "…"
    before, _, after = said.partition(danger)
    assert abs(len(before) - len(after)) < 80  # the danger in the middle of the quote
    assert page.count("blah blah so anyway") < 8  # not the message itself
