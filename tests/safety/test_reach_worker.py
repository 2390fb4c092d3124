"""Reaching a worker without the right words, as the young person and the workers see it.

Nothing typed is shrugged off: a message the bot does not understand gets a kind answer with
*Tell my worker*, which flags their worker. *I need a worker now* pages the duty worker from Help
and the menu, with no typing. The critical and high replies name the lines that fit.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select, text

from bot.db.models import Alert, Job, OutboxMessage, Role
from bot.safety.reach_worker import KEEP_FOR, OFFER
from bot.safety.replies import safety_reply_text
from content.loader import default_content

YP, OTHER_YP, DUTY, OWN_WORKER = 5001, 5002, 9001, 9004
SAID = "can jo ring me after school tomorrow"
NOT_UNDERSTOOD = ("I'm a bot, so I might not understand what you typed. Sorry.\n"
                  "If you want your worker to see your message, tap Tell my worker.\n"
                  "If you need help now, tap Help.")
SENT = ("Thank you. I've sent your message to your worker. 💛\n"
        "They will see it when they are next at work, so it may not be straight away.\n"
        "If you are in danger right now, call 999. Childline is free on 0800 1111.")
GONE = ("Sorry, I didn't keep that message, so I can't send it now.\n"
        "If you still want your worker to see it, please type it again.")
WORKER_NOW_SENT = ("Thank you for telling me. I've asked a worker to get in touch with you. 💛\n"
                   "If you are in danger right now, call 999. If you can't talk, call 999 and "
                   "press 55.")
LINES = ("You can also talk to someone now, free, day or night:\n"
         "• Samaritans: call 116 123\n"
         "• Papyrus HOPELINE247: call 0800 068 4141\n"
         "• Shout: text SHOUT to 85258")


@pytest.fixture
async def team(system):
    await system.worker(DUTY, Role.DUTY_WORKER, "Dee", on_duty=True)
    await system.worker(OWN_WORKER, Role.SUPPORT_WORKER, "Jo")
    return system


async def alerts(system) -> list[Alert]:
    async with system.services.db.transaction() as session:
        return list(await session.scalars(select(Alert).order_by(Alert.id)))


# --- Tell my worker ---------------------------------------------------------------------------


async def test_an_unexpected_message_gets_a_kind_reply_and_tell_my_worker_flags_their_worker(team):
    sam = await team.young_person(YP, OWN_WORKER)
    replies = await sam.send(SAID)
    assert replies[0].text == NOT_UNDERSTOOD
    assert [b.label for row in replies[0].buttons for b in row] == ["💬 Tell my worker", "🆘 Help"]
    assert replies[1].text == "What would you like to do, Blue Fox?"  # where they are, as before
    assert await alerts(team) == []  # nobody is told unless they ask
    await team.settle()
    assert team.phones.take(OWN_WORKER) == [] and team.phones.take(DUTY) == []

    replies = await sam.press("💬 Tell my worker")
    assert replies[0].text == SENT
    assert sam.labels() == ["↩️ Back to where I was"]
    [alert] = await alerts(team)
    assert (alert.severity, alert.source, alert.categories) == (2, "asked",
                                                                {"names": ["message_for_worker"]})
    assert alert.excerpt == f"“{SAID}”"

    await team.settle()
    pseudonym = await team.pseudonym(YP)
    assert team.phones.take(OWN_WORKER) == [
        f"⚠️ MEDIUM alert #1 – {pseudonym}\nAbout: a message for their worker\n"
        f"Who: {pseudonym}, who goes by “Blue Fox”, aged 14 to 17 · their worker: Jo\n"
        "Since: 16:00 Mon 02 Mar (just now)\n"
        "From: a message they asked to send to their worker\n\n"
        f"What they said (most recent last):\n“{SAID}”\n\n"
        "Also paged: nobody else yet\n"
        "If nobody acknowledges by 16:00 Tue 03 Mar, the duty list and managers will be paged "
        "too.\n"
        "👉 Tap ✅ Acknowledge when you pick this up, then 💬 Talk to them or 📝 Resolve."]
    assert team.phones.take(DUTY) == []  # a flag for their worker, not a page

    replies = await sam.press_data(sam.button_data("↩️ Back to where I was"))
    assert replies[0].text == "What would you like to do, Blue Fox?"


async def test_tell_my_worker_twice_sends_the_message_once(team):
    sam = await team.young_person(YP, OWN_WORKER)
    await sam.send(SAID)
    tell = sam.button_data("💬 Tell my worker")
    await sam.press_data(tell)
    replies = await sam.press_data(tell)
    assert replies[0].text == "I've already sent that message. 💛\nIf you are in danger right now, call 999."
    await team.settle()
    assert len(team.phones.take(OWN_WORKER)) == 1
    assert len(await alerts(team)) == 1


async def test_the_message_is_kept_encrypted_and_never_in_button_data_or_the_conversation(
        team, db):
    sam = await team.young_person(YP, OWN_WORKER)
    await sam.send(SAID)
    tell = sam.button_data("💬 Tell my worker")
    assert re.fullmatch(r"tw:\d+", tell)
    async with db.transaction() as session:
        [job] = (await session.scalars(select(Job).where(Job.kind == OFFER))).all()
        raw_jobs = " ".join(str(row) for row in (await session.execute(
            text("SELECT payload FROM jobs"))).scalars())
        raw_context = " ".join(str(row) for row in (await session.execute(
            text("SELECT context FROM conversations"))).scalars())
    assert tell == f"tw:{job.id}" and job.payload["text"].startswith("enc1:")
    assert "ring me" not in raw_jobs and "ring me" not in raw_context


async def test_a_stale_forged_or_someone_elses_tell_my_worker_sends_nothing(team, clock):
    other = await team.young_person(OTHER_YP)
    await other.send("is there a quiz about football")
    theirs = other.button_data("💬 Tell my worker")
    sam = await team.young_person(YP, OWN_WORKER)
    for forged in ("tw:999", "tw:abc", "tw:", "tw:-1", "tw:99999999999999999999", theirs):
        replies = await sam.press_data(forged)
        assert replies[0].text == GONE, forged
    await sam.send(SAID)
    tell = sam.button_data("💬 Tell my worker")
    clock.advance(seconds=KEEP_FOR.total_seconds() + 60)
    await team.settle()  # the time is up: the message is forgotten
    async with team.services.db.transaction() as session:
        job = await session.get(Job, int(tell.removeprefix("tw:")))
        assert (job.status, job.payload) == ("done", {})
    assert (await sam.press_data(tell))[0].text == GONE
    await team.settle()
    assert await alerts(team) == []
    assert team.phones.take(OWN_WORKER) == [] and team.phones.take(DUTY) == []


async def test_tell_my_worker_during_an_open_alert_reaches_the_workers_handling_it(team):
    sam = await team.young_person(YP, OWN_WORKER)
    await sam.send("he's outside my house")
    await team.settle()
    team.phones.take(DUTY), team.phones.take(OWN_WORKER)
    await team.chat(DUTY).press_data("al:ack:1")
    await sam.send(SAID)
    replies = await sam.press("💬 Tell my worker")
    assert replies[0].text == SENT
    [alert] = await alerts(team)  # attached to the open alert
    assert alert.excerpt.endswith(f"“{SAID}”")
    await team.settle()
    pseudonym = await team.pseudonym(YP)
    note = (f"💬 {pseudonym} asked for this message to go to their worker (alert #1):\n“{SAID}”")
    assert team.phones.take(DUTY) == [note]  # the duty worker who acknowledged it
    assert team.phones.take(OWN_WORKER) == [note]  # and their own worker


async def test_a_first_message_before_start_is_not_shrugged_off_either(team):
    sam = team.chat(YP)
    replies = await sam.send(SAID)
    assert [r.text for r in replies[:1]] == [NOT_UNDERSTOOD]
    assert replies[1].text.startswith("Hi, welcome 👋")
    await sam.press("💬 Tell my worker")
    await team.settle()
    assert team.phones.take(DUTY)[0].startswith("⚠️ MEDIUM alert #1")  # no worker yet: duty list


class AskingGate:
    """A gate that answers the words itself but lets the flow go on (as when it asks kindly)."""

    async def check(self, session, person, said, *, remember=True):
        from bot.safety.gate import SafetyOutcome
        from flows.base import Reply

        return SafetyOutcome(replies=[Reply("Would you like me to tell a worker?")])


async def test_after_the_gate_has_asked_kindly_the_bot_does_not_offer_again(db, content, clock):
    from tests.conftest import router_for
    from tests.transcript import Chat

    sam = Chat(router_for(db, content, clock, safety=AskingGate()), telegram_id=YP)
    await sam.onboard()
    replies = await sam.send(SAID)
    assert [r.text for r in replies] == ["Would you like me to tell a worker?",
                                         "What would you like to do, Blue Fox?"]
    async with db.transaction() as session:
        assert (await session.scalars(select(Job).where(Job.kind == OFFER))).all() == []


# --- I need a worker now ----------------------------------------------------------------------


async def test_i_need_a_worker_now_in_help_pages_the_duty_worker_from_the_middle_of_a_module(team):
    sam = await team.young_person(YP, OWN_WORKER)
    await sam.press("📚 Modules")
    await sam.press("Practice module")
    step = (await sam.press("Next ▶️"))[0].text
    await sam.press("🆘 Help")
    replies = await sam.press("🙋 I need a worker now")
    assert [r.text for r in replies] == [WORKER_NOW_SENT, "Are you somewhere safe right now?"]
    assert sam.labels() == ["Yes", "No", "Not sure", "🆘 Help"]
    [alert] = await alerts(team)
    assert (alert.severity, alert.source, alert.excerpt) == (3, "button", None)

    await team.settle()
    pseudonym = await team.pseudonym(YP)
    assert team.phones.take(DUTY) == [
        f"🚨 HIGH alert #1 – {pseudonym}\nAbout: pressed “I need a worker now”\n"
        f"Who: {pseudonym}, who goes by “Blue Fox”, aged 14 to 17 · their worker: Jo\n"
        "Since: 16:00 Mon 02 Mar (just now)\n"
        "From: they pressed “I need a worker now”\n\n"
        "Also paged: nobody else yet\n"
        "If nobody acknowledges by 16:15, the duty list and managers will be paged too.\n"
        "👉 Tap ✅ Acknowledge to stop the paging, then 💬 Talk to them."]
    assert team.phones.buttons[DUTY][-1] == ["✅ Acknowledge", "💬 Talk to them", "📝 Resolve"]

    await sam.press("🆘 Help")
    replies = await sam.press("🙋 I need a worker now")  # again: the same alert, no new page
    assert [r.text for r in replies] == [WORKER_NOW_SENT, "Are you somewhere safe right now?"]
    assert len(await alerts(team)) == 1
    await team.settle()
    assert team.phones.take(DUTY) == []

    replies = await sam.press("Yes")
    assert replies[0].text.startswith("Thank you. I'm glad you're somewhere safe.")
    replies = await sam.press("↩️ Back to where I was")
    assert replies[-1].text == step  # back at the same step of the module


async def test_i_need_a_worker_now_in_the_menu_pages_with_no_typing(team):
    sam = await team.young_person(YP, OWN_WORKER)
    await sam.send("/menu")
    assert "🙋 I need a worker now" in sam.labels()
    replies = await sam.press("🙋 I need a worker now")
    assert replies[0].text == WORKER_NOW_SENT
    await team.settle()
    assert team.phones.take(DUTY)[0].startswith("🚨 HIGH alert #1")


async def test_i_need_a_worker_now_works_before_onboarding_is_finished(team):
    sam = team.chat(YP)
    await sam.send("/help")
    replies = await sam.press("🙋 I need a worker now")
    assert replies[0].text == WORKER_NOW_SENT
    await team.settle()
    assert team.phones.take(DUTY)[0].startswith("🚨 HIGH alert #1")


async def test_i_need_a_worker_now_after_a_flag_raises_it_to_a_page(team):
    sam = await team.young_person(YP, OWN_WORKER)
    await sam.send(SAID)
    await sam.press("💬 Tell my worker")
    await team.settle()
    assert team.phones.take(DUTY) == []
    await sam.send("/menu")
    await sam.press("🙋 I need a worker now")
    [alert] = await alerts(team)
    assert alert.severity == 3
    await team.settle()
    assert team.phones.take(DUTY)[0].startswith("🚨 HIGH alert #1")


async def test_a_worker_already_handling_the_alert_hears_that_they_pressed_it(team):
    sam = await team.young_person(YP, OWN_WORKER)
    await sam.send("/menu")
    await sam.press("🙋 I need a worker now")
    await team.settle()
    team.phones.take(DUTY)
    await team.chat(DUTY).press_data("al:ack:1")
    await sam.send("/menu")
    await sam.press("🙋 I need a worker now")
    await sam.send("/menu")
    await sam.press("🙋 I need a worker now")  # the same minute: one note
    await team.settle()
    pseudonym = await team.pseudonym(YP)
    assert team.phones.take(DUTY) == [f"🙋 {pseudonym} pressed “I need a worker now” (alert #1)."]


# --- the lines that fit what was detected ------------------------------------------------------


async def test_the_suicide_reply_names_samaritans_papyrus_and_shout_beside_999_and_childline(team):
    sam = await team.young_person(YP, OWN_WORKER)
    replies = await sam.send("im gonna kms tonight")
    assert replies[0].text == (
        "I'm really glad you told me. 💛\n"
        "If you are in danger right now, call 999.\n"
        "You can call Childline free on 0800 1111, any time.\n"
        "A worker from the team has been told, so they can help keep you safe. They will try to "
        "talk to you first.\n" + LINES)


def test_critical_and_high_replies_add_the_lines_for_each_category_once():
    content = default_content()
    high = content.text("safety.high")
    assert safety_reply_text(content, "high", ["self_harm", "suicide"]) == f"{high}\n{LINES}"
    assert safety_reply_text(content, "high", ["self-harm"]) == f"{high}\n{LINES}"
    assert safety_reply_text(content, "critical", ["immediate_danger"]) == content.text(
        "safety.critical")
    assert safety_reply_text(content, "high", []) == high
    assert safety_reply_text(content, "medium", ["suicide"]) == content.text("safety.medium")


def test_every_number_in_the_lines_is_the_one_in_contacts_yaml():
    content = default_content()
    known = " ".join(f"{c.phone or ''} {c.text or ''}" for c in content.contacts.contacts.values())
    lines = {key: value for key, value in content.copy.items() if key.startswith("safety.lines.")}
    assert lines
    for key, value in lines.items():
        for number in re.findall(r"(?<!\w)\d[\d ]*\d(?!\w)", value):
            assert number in known, (key, number)


async def test_no_message_to_a_worker_holds_the_words_in_plaintext_at_rest(team, db):
    sam = await team.young_person(YP, OWN_WORKER)
    await sam.send(SAID)
    await sam.press("💬 Tell my worker")
    async with db.transaction() as session:
        raw = " ".join(str(v) for v in (await session.execute(
            text("SELECT text FROM outbox"))).scalars())
        queued = (await session.scalars(select(OutboxMessage))).all()
    assert "ring me" not in raw and any(SAID in m.text for m in queued)
