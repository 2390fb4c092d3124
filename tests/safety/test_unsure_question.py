"""When the channels are unsure, the young person is asked kindly and nobody is woken; silence
or "Tell a worker" flags their own worker. A critical rating is never held back for a question."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.app import services
from bot.db.models import Alert, RecentMessage, Role
from bot.safety.detector import NOTHING, Detector, Severity
from bot.safety.reader import SafetyReader, Verdict
from bot.safety.semantic import QUIET

YP, DUTY, OWN_WORKER = 5001, 9001, 9004
SAID = "idk if i should say this but he keeps turning up after school"
QUESTION = ("I'm a bot, so I might not have understood that. 💛\n"
            "Would you like me to tell a worker from the team about it?")


class UnsureReader(SafetyReader):
    """Unsure about one sentence, sure about nothing else: the model's middle band."""

    def __init__(self, severity: Severity = Severity.NONE):
        super().__init__(Detector.load(), None, "stub")
        self.severity = severity

    def read(self, text, earlier=()):
        if text != SAID:
            return super().read(text, earlier)
        return Verdict(self.severity, ("feeling_unsafe",), NOTHING, self.severity, QUIET,
                       ask=self.severity < Severity.HIGH, quote=text)


async def build_team(db, content, clock, reader: SafetyReader):
    from bot.time.outbox import OutboxSender
    from tests.workers_fixture import Phones, System

    built = services.build_services(db, content=content, now=clock, reader=reader)
    phones = Phones()
    built.transports.update({"telegram": phones, "email": phones})
    system = System(services=built, phones=phones, sender=OutboxSender(db, built.transports,
                                                                       clock))
    await system.worker(DUTY, Role.DUTY_WORKER, "Dee", on_duty=True)
    await system.worker(OWN_WORKER, Role.SUPPORT_WORKER, "Jo")
    return system


@pytest.fixture
async def team(db, practice_content, clock):
    return await build_team(db, practice_content, clock, UnsureReader())


async def alerts(system) -> list[Alert]:
    async with system.services.db.transaction() as session:
        return list(await session.scalars(select(Alert).order_by(Alert.id)))


async def test_unsure_asks_kindly_and_tell_a_worker_flags_their_own_worker(team):
    sam = await team.young_person(YP, OWN_WORKER)
    replies = await sam.send(SAID)
    assert replies[0].text == QUESTION
    assert [b.label for b in replies[0].buttons[0]] == ["Tell a worker", "I'm OK"]
    assert await alerts(team) == []
    replies = await sam.press("Tell a worker")
    assert replies[0].text.startswith("Thank you. I've passed it to your worker")
    [alert] = await alerts(team)
    assert (alert.severity, alert.source, alert.excerpt) == (2, "question", f"“{SAID}”")
    await team.settle()
    assert team.phones.take(DUTY) == []  # nobody woken
    assert team.phones.take(OWN_WORKER)[0].startswith("⚠️ MEDIUM alert #1")


async def test_im_ok_closes_the_question_and_flags_nobody(team, clock):
    sam = await team.young_person(YP, OWN_WORKER)
    await sam.send(SAID)
    replies = await sam.press("I'm OK")
    assert replies[0].text.startswith("OK, thanks for letting me know.")
    clock.advance(minutes=10)
    await team.settle()
    assert await alerts(team) == []


async def test_a_question_left_unanswered_for_five_minutes_becomes_a_flag(team, clock):
    sam = await team.young_person(YP, OWN_WORKER)
    await sam.send(SAID)
    clock.advance(minutes=4)
    await team.settle()
    assert await alerts(team) == []
    clock.advance(minutes=1)
    await team.settle()
    [alert] = await alerts(team)
    assert (alert.severity, alert.source, alert.categories["names"]) == (2, "question",
                                                                          ["feeling_unsafe"])
    assert team.phones.take(OWN_WORKER)[0].startswith("⚠️ MEDIUM alert #1")
    assert team.phones.take(DUTY) == []


async def test_a_forged_or_someone_elses_question_button_flags_nobody(team):
    sam = await team.young_person(YP, OWN_WORKER)
    await sam.send(SAID)
    async with team.services.db.transaction() as session:
        kept = await session.scalar(select(RecentMessage.id))
    for data in (f"ask:tell:{kept + 1}", "ask:tell:x", "ask:tell:٣", f"ask:tell:{10**30}",
                 "ask:nope:1"):
        replies = await sam.press_data(data)
        assert replies[0].text.startswith("That button")
    assert await alerts(team) == []


async def test_a_critical_rating_is_never_turned_into_a_question(db, practice_content, clock):
    team = await build_team(db, practice_content, clock, UnsureReader(Severity.CRITICAL))
    sam = await team.young_person(YP, OWN_WORKER)
    replies = await sam.send(SAID)
    assert replies[0].text.startswith("I'm really glad you told me.")
    await team.settle()
    assert team.phones.take(DUTY)[0].startswith("🚨 CRITICAL alert #1")


async def test_at_a_module_reflection_the_thanks_leaves_the_choice_with_them(team):
    sam = await team.young_person(YP, OWN_WORKER)
    await sam.press("📚 Modules")
    await sam.press("Practice module")
    for label in ("Next ▶️", "Good", "Next ▶️", "No", "Next ▶️", "Next ▶️"):
        await sam.press(label)
    replies = await sam.send(SAID)
    assert [r.text for r in replies] == [
        QUESTION,
        "Thank you for telling me. You choose if a worker hears about it: tap a button above, or "
        "carry on."]  # not the module's own thanks for an ordinary answer
    assert [b.label for b in replies[0].buttons[0]] == ["Tell a worker", "I'm OK"]
    assert [b.label for row in replies[1].buttons for b in row] == ["◀️ Back", "Next ▶️",
                                                                  "⏸ Pause", "🆘 Help"]
