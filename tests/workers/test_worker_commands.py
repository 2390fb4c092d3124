"""Worker commands as transcripts: what a worker types or taps, and exactly what the bot says."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import select

from bot.app.catalogue import registry
from bot.db.models import Alert, CaseNote, Conversation, Job, ModuleProgress, OutboxMessage, Person, Role
from bot.features.registry import WORKER, Kit
from bot.records import people
from bot.time.outbox import decode_buttons
from content.loader import default_content
from flows.base import Button, Event
from tests.workers.conftest import AL, BEA, JO, MO, PAT, Team

HELP_ROW = (Button("🆘 Help", "help"),)


async def outbox(team: Team) -> list[OutboxMessage]:
    async with team.router.db.transaction() as session:
        return list((await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))).all())


# the worker commands that need no alerts or check-ins running
WORKER_COMMANDS = sorted(registry(Kit(default_content(), datetime.now), sides=(WORKER,))
                         .worker_by_command)


def test_the_worker_commands_are_the_ones_the_issue_asks_for():
    assert WORKER_COMMANDS == ["assign", "caseload", "close", "invite", "note", "plan", "progress",
                               "transfer", "wheel"]


@pytest.mark.parametrize("command", WORKER_COMMANDS)
async def test_a_young_person_never_reaches_a_worker_command(team: Team, command: str):
    pat = team.chat(PAT)
    replies = await pat.send(f"/{command}")
    assert [(r.text, r.buttons) for r in replies] == [
        ("Sorry, I don't know that command. Try /menu or /help.", (HELP_ROW,))]
    assert await outbox(team) == []
    assert await team.audit() == []


async def test_worker_help_lists_the_commands_for_their_role(team: Team):
    jo = team.chat(JO)
    assert (await jo.send("/help"))[0].text == (
        "Hi Jo. You are signed in as support worker.\n\n"
        "/caseload – your young people at a glance\n"
        "/invite – invite a young person (link and QR code)\n"
        "/assign – give a young person modules to do\n"
        "/progress – modules, quizzes and dates for one young person\n"
        "/note – write a case note\n"
        "/transfer – hand a young person to another worker\n"
        "/plan – see a young person's safety plan, or ask them to update it\n"
        "/wheel – see a young person's outcome wheels, ask for a new one, or set how often\n"
        "/close – start closure for a young person")
    assert (await team.chat(9003).send("/help"))[0].text == (
        "Hi Sam. You are signed in as duty worker.")


async def test_caseload_shows_modules_alerts_and_next_check_in(team: Team, clock):
    async with team.router.db.transaction() as session:
        sky = await session.get(Person, team.ids["sky"])
        sky.last_active_at = clock()
        session.add_all([
            ModuleProgress(person_id=sky.id, module_id="practice", answers={}, assigned_at=clock(),
                           completed_at=clock()),
            ModuleProgress(person_id=sky.id, module_id="other", answers={}, assigned_at=clock()),
            Alert(person_id=sky.id, severity=3, status="acknowledged"),
            Alert(person_id=sky.id, severity=3, status="resolved"),
            Job(kind="checkin", due_at=clock().replace(day=5, hour=10), person_id=sky.id),
            Job(kind="checkin", due_at=clock().replace(day=4, hour=9), person_id=sky.id,
                status="done"),
        ])
    jo = team.chat(JO)
    replies = await jo.send("/caseload")
    assert replies[0].text == (
        "Your caseload · page 1 of 1\n\n"
        "YP-SKY (Sky)\nlast active 2 Mar 16:00\n"
        "modules: 1 done / 2 assigned · open alerts: 1\nnext check-in: 5 Mar 10:00\n\n"
        "YP-PAT (Pat)\nlast active never\n"
        "modules: 0 done / 0 assigned · open alerts: 0\nnext check-in: none")
    assert jo.labels() == ["📈 YP-SKY", "📈 YP-PAT"]
    await jo.press("📈 YP-SKY")
    assert jo.texts()[0].startswith("📈 YP-SKY (Sky)\n\nPractice module\n▓▓▓▓▓ done 2 Mar")
    assert [a for a in await team.audit() if a[0] == "jo"] == [
        ("jo", "caseload_viewed", "sky"), ("jo", "caseload_viewed", "pat"),
        ("jo", "progress_viewed", "sky")]


async def test_caseload_pages_five_at_a_time(team: Team):
    async with team.router.db.transaction() as session:
        for n in range(5):
            young = await people.create_person(session, Role.YOUNG_PERSON, worker_id=team.ids["jo"])
            young.pseudonym = f"YP-NEW{n}"
    jo = team.chat(JO)
    first = await jo.send("/caseload")
    assert first[0].text.startswith("Your caseload · page 1 of 2\n\nYP-SKY (Sky)")
    assert jo.labels() == ["📈 YP-SKY", "📈 YP-PAT", "📈 YP-NEW0", "📈 YP-NEW1", "📈 YP-NEW2",
                           "More ▶️"]
    second = await jo.press("More ▶️")
    assert second[0].text == (
        "Your caseload · page 2 of 2\n\n"
        "YP-NEW3\nnot joined yet\nmodules: 0 done / 0 assigned · open alerts: 0\nnext check-in: none"
        "\n\nYP-NEW4\nnot joined yet\nmodules: 0 done / 0 assigned · open alerts: 0\n"
        "next check-in: none")
    assert jo.labels() == ["📈 YP-NEW3", "📈 YP-NEW4", "◀️ Back"]
    # a page number past the end shows the last page rather than nothing
    assert (await jo.event(Event.button("caseload:p:99")))[0].text.startswith(
        "Your caseload · page 2 of 2")


async def test_assign_ticks_modules_sets_a_due_date_and_tells_the_young_person(team: Team, clock):
    jo = team.chat(JO)
    await jo.send("/assign")
    assert jo.texts() == ["Assign modules to which young person?"]
    assert jo.labels() == ["YP-SKY (Sky)", "YP-PAT (Pat)"]
    await jo.press("YP-SKY (Sky)")
    assert jo.texts() == ["Which modules for YP-SKY (Sky)? Tap to tick, then Done."]
    assert jo.labels() == ["⬜ Practice module", "Done ✅"]
    await jo.press("Done ✅")
    assert jo.texts() == ["Pick at least one module.",
                          "Which modules for YP-SKY (Sky)? Tap to tick, then Done."]
    await jo.press("⬜ Practice module")
    assert jo.labels() == ["☑️ Practice module", "Done ✅"]
    await jo.press("Done ✅")
    assert jo.texts() == ["Is there a due date for YP-SKY (Sky)?"]
    assert jo.labels() == ["No due date", "In 1 week", "In 2 weeks"]
    await jo.press("In 2 weeks")
    assert jo.texts() == ["Assigned to YP-SKY (Sky): Practice module. Due 16 Mar.\n"
                          "They have been sent a message."]

    [message] = await outbox(team)
    assert message.chat_id == 5001
    assert message.text == ("Hey, it's me 🙂\nYour worker picked something for you to look at. "
                            "Try to have a go by Monday 16 March.")
    assert decode_buttons(message.buttons) == (
        (Button("Practice module", "menu:open:practice"),), HELP_ROW)
    async with team.router.db.transaction() as session:
        row = await session.scalar(select(ModuleProgress))
    assert (row.module_id, row.assigned_at, row.assigned_by_id, row.due_at) == (
        "practice", clock(), team.ids["jo"], clock().replace(day=16))


async def test_the_young_persons_button_opens_the_module_from_wherever_they_are(team: Team):
    jo, sky = team.chat(JO), team.chat(5001)
    async with team.router.db.transaction() as session:  # Sky is reading "about this chat"
        session.add(Conversation(person_id=team.ids["sky"], flow="menu", state="about", context={}))
    for step in ("/assign", "YP-SKY (Sky)", "⬜ Practice module", "Done ✅", "No due date"):
        await (jo.send(step) if step.startswith("/") else jo.press(step))
    [message] = await outbox(team)
    assert message.text.splitlines()[0] == "Hey, it's me 🙂"  # all a locked phone shows
    replies = await sky.event(Event.button("menu:open:practice"))
    assert replies[1].text == "Step 1 of 6\n\nThis is the first step."


async def test_progress_shows_steps_quiz_results_and_dates(team: Team, clock):
    async with team.router.db.transaction() as session:
        session.add(ModuleProgress(person_id=team.ids["sky"], module_id="practice", answers={},
                                   step=2, score=1, questions=1, started_at=clock(),
                                   assigned_at=clock(), due_at=clock().replace(day=9)))
    jo = team.chat(JO)
    await jo.send("/progress")
    await jo.press("YP-SKY (Sky)")
    assert jo.texts() == ["📈 YP-SKY (Sky)\n\nPractice module\n"
                          "▓▓▓░░ step 3 of 6 · quiz 1/1 · assigned 2 Mar · due 9 Mar"]
    await jo.send("/progress")
    await jo.press("YP-PAT (Pat)")
    assert jo.texts() == ["📈 YP-PAT (Pat)\n\n"
                          "No modules assigned or started yet. Use /assign to give some."]


async def test_a_note_is_typed_after_picking_and_stored_but_never_in_the_audit(team: Team, clock):
    jo = team.chat(JO)
    await jo.send("/note")
    assert jo.texts() == ["A note about which young person?"]
    await jo.press("YP-SKY (Sky)")
    assert jo.texts() == ["Type your note about YP-SKY (Sky) and send it. /cancel to stop."]
    assert await jo.send("Met at school. Seemed happier.") == [
        type(jo.last[0])("Note saved for YP-SKY (Sky).")]
    async with team.router.db.transaction() as session:
        [note] = (await session.scalars(select(CaseNote))).all()
    assert (note.author_id, note.subject_id, note.text, note.created_at) == (
        team.ids["jo"], team.ids["sky"], "Met at school. Seemed happier.", clock())
    assert await team.audit() == [("jo", "note_added", "sky")]
    # the next text is an ordinary message again, not another note
    await jo.send("hello")
    assert jo.texts()[0].startswith("Hi Jo. You are signed in as support worker.")


async def test_a_note_can_be_cancelled_and_another_command_also_ends_it(team: Team):
    jo = team.chat(JO)
    await jo.send("/note")
    await jo.press("YP-SKY (Sky)")
    assert (await jo.send("/cancel"))[0].text == "OK, no note saved."
    await jo.send("/note")
    await jo.press("YP-SKY (Sky)")
    assert (await jo.send("/caseload"))[0].text.startswith("Your caseload")
    await jo.send("this is not a note")
    async with team.router.db.transaction() as session:
        assert (await session.scalars(select(CaseNote))).all() == []


async def test_a_note_is_refused_if_the_young_person_moved_on_in_between(team: Team):
    jo = team.chat(JO)
    await jo.send("/note")
    await jo.press("YP-SKY (Sky)")
    async with team.router.db.transaction() as session:
        (await session.get(Person, team.ids["sky"])).worker_id = team.ids["al"]
    assert jo.texts()  # picked before the move
    assert [r.text for r in await jo.send("private words")] == [
        "That young person is not on your caseload."]
    async with team.router.db.transaction() as session:
        assert (await session.scalars(select(CaseNote))).all() == []


async def test_transfer_to_another_worker_tells_both(team: Team):
    jo = team.chat(JO)
    await jo.send("/transfer")
    await jo.press("YP-SKY (Sky)")
    assert jo.texts() == ["Who should take on YP-SKY (Sky)?"]
    assert jo.labels() == ["Al (support worker)", "Bea (support worker)", "Mo (manager)"]
    await jo.press("Bea (support worker)")
    assert jo.texts() == ["Done: YP-SKY (Sky) is now with Bea (support worker)."]
    assert [(m.chat_id, m.text) for m in await outbox(team)] == [
        (BEA, "YP-SKY is now on your caseload. (by Jo (support worker))")]
    assert (await team.person("sky")).worker_id == team.ids["bea"]
    # Jo no longer sees Sky; Bea does
    assert "YP-SKY" not in (await jo.send("/caseload"))[0].text
    assert "YP-SKY (Sky)" in (await team.chat(BEA).send("/caseload"))[0].text


async def test_a_manager_moving_someone_tells_the_old_and_the_new_worker(team: Team):
    mo = team.chat(MO)
    await mo.event(Event.button(f"transfer:to:{team.ids['river']}:{team.ids['jo']}"))
    assert mo.texts() == ["Done: YP-RIVER (River) is now with Jo (support worker)."]
    assert [(m.chat_id, m.text) for m in await outbox(team)] == [
        (AL, "YP-RIVER has moved to Jo (support worker). (by Mo (manager))"),
        (JO, "YP-RIVER is now on your caseload. (by Mo (manager))")]


@pytest.mark.parametrize("data, reply", [
    ("assign:y:abc", "That young person is not on your caseload."),
    ("assign:y:999999", "That young person is not on your caseload."),
    ("assign:t:{sky}:zz:0", "That button no longer works. Please start again with the command."),
    ("assign:t:{sky}:0:7", "That button no longer works. Please start again with the command."),
    ("assign:t:{sky}:ff:0", "That button no longer works. Please start again with the command."),
    ("assign:due:{sky}:1:3", "That button no longer works. Please start again with the command."),
    ("assign:due:{sky}", "That button no longer works. Please start again with the command."),
    ("assign:nonsense", "That button no longer works. Please start again with the command."),
    ("progress:y:{jo}", "That young person is not on your caseload."),  # a worker, not a YP
    ("progress:y:{river}", "That young person is not on your caseload."),
    ("note:y:{river}", "That young person is not on your caseload."),
    ("transfer:to:{sky}:{sam}", "That worker can't take on young people."),  # duty worker
    ("transfer:to:{sky}:{pat}", "That worker can't take on young people."),  # a young person
    ("transfer:to:{sky}:x", "That worker can't take on young people."),
    ("transfer:to:{sky}:{jo}", "YP-SKY (Sky) is already with Jo (support worker)."),
    ("caseload:p:x", "That button no longer works. Please start again with the command."),
    ("duty:ack:1", "That button no longer works."),
    ("", "That button no longer works."),
])
async def test_forged_or_stale_buttons_do_nothing_but_say_so(team: Team, data: str, reply: str):
    jo = team.chat(JO)
    replies = await jo.event(Event.button(data.format(**team.ids)))
    assert replies[0].text == reply
    assert await outbox(team) == []
    async with team.router.db.transaction() as session:
        assert (await session.scalars(select(ModuleProgress))).all() == []
        assert (await session.get(Person, team.ids["sky"])).worker_id == team.ids["jo"]
    assert all(action == "access_refused" for _, action, _ in await team.audit())


async def test_a_switched_off_worker_can_do_nothing(team: Team):
    async with team.router.db.transaction() as session:
        (await session.get(Person, team.ids["jo"])).active = False
    jo = team.chat(JO)
    for step in ("/caseload", "/invite"):
        assert [r.text for r in await jo.send(step)] == [
            "This account has been switched off. Please talk to your manager."]
    await jo.event(Event.button(f"progress:y:{team.ids['sky']}"))
    assert jo.texts() == ["This account has been switched off. Please talk to your manager."]
    assert await team.audit() == []
